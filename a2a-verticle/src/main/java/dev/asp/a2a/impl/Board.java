package dev.asp.a2a.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.a2a.A2aFields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of a session's task board (hub spec §8.1), over the board read under the session row
 * lock. Every board command — update, submit, orchestrate, the mailbox's delegate and submit, and a
 * leave — changes it through these methods and then {@link #settle}s it, which recomputes every
 * open task's status from its dependencies and assignee:
 *
 * <ul>
 *   <li>{@code completed} only by submit, and for good;
 *   <li>{@code blocked} while a dependency is not completed (assigned or not);
 *   <li>otherwise {@code in_progress} with an assignee, {@code pending} without.
 * </ul>
 *
 * So a blocked task whose dependencies completed becomes in_progress or pending, assigning a
 * pending task makes it in_progress, unassigning makes it pending, and no path can leave a task
 * blocked whose dependencies are done. What changed relative to the board as read ({@link #added},
 * {@link #updated}, {@link #statusChanges}) is what the command stores and records in its one
 * {@code task_board_update}. Failures are {@link AspException}s with the command's A2A codes,
 * thrown before anything is stored. Not thread-safe: one instance per transaction.
 */
final class Board {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String sessionId;
  private final long now;
  private final Map<String, Task> before = new LinkedHashMap<>();
  private final Map<String, Task> tasks = new LinkedHashMap<>();
  private final List<String> added = new ArrayList<>();
  private int nextPosition;

  private Board(String sessionId, List<Task> tasks, long now) {
    this.sessionId = sessionId;
    this.now = now;
    int position = 0;
    for (Task task : tasks) {
      this.before.put(task.id(), task);
      this.tasks.put(task.id(), task);
      position = Math.max(position, task.position() + 1);
    }
    this.nextPosition = position;
  }

  /** The board of a session, tasks in creation order. */
  static Board of(String sessionId, List<Task> tasks, long now) {
    return new Board(sessionId, tasks, now);
  }

  static String newTaskId() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return "task_" + HexFormat.of().formatHex(bytes);
  }

  List<Task> tasks() {
    return List.copyOf(tasks.values());
  }

  Task get(String taskId) {
    return tasks.get(taskId);
  }

  boolean isEmpty() {
    return tasks.isEmpty();
  }

  // --- changes

  /**
   * Adds tasks in order ({@code add_tasks} as the gateway normalised it: {@code depends_on} items
   * are an index into this call's items (a number) or an existing task id (a string)). An assignee
   * must be joined; an existing dependency must be a task of this session; the new tasks must not
   * depend on themselves or in a cycle.
   *
   * @param path the request field of the items, for the failure's detail
   */
  List<Task> add(JsonArray items, String by, Set<String> joined, String path) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      ids.add(newTaskId());
    }
    List<Task> created = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      String at = path + "[" + i + "]";
      String assignee = item.getString(A2aFields.ASSIGNED_TO);
      if (assignee != null && !joined.contains(assignee)) {
        throw new AspException(
            A2aError.VALIDATION_ERROR,
            at + "." + A2aFields.ASSIGNED_TO,
            "assigned_to must name a joined participant of the session");
      }
      JsonArray dependsOn = item.getJsonArray(A2aFields.DEPENDS_ON, new JsonArray());
      Set<String> resolved = new LinkedHashSet<>();
      for (int j = 0; j < dependsOn.size(); j++) {
        Object entry = dependsOn.getValue(j);
        String entryPath = at + "." + A2aFields.DEPENDS_ON + "[" + j + "]";
        if (entry instanceof Number index) {
          int k = index.intValue();
          if (k < 0 || k >= items.size() || k == i) {
            throw new AspException(
                A2aError.VALIDATION_ERROR, entryPath, "a task cannot depend on itself");
          }
          resolved.add(ids.get(k));
        } else if (entry instanceof String taskId && tasks.containsKey(taskId)) {
          resolved.add(taskId);
        } else {
          throw new AspException(
              A2aError.VALIDATION_ERROR, entryPath, "no task " + entry + " on this board");
        }
      }
      Task task =
          new Task(
              ids.get(i),
              sessionId,
              nextPosition++,
              item.getString(A2aFields.TITLE),
              item.getString(A2aFields.DESCRIPTION),
              strings(item.getJsonArray(A2aFields.SIGNALS)),
              List.copyOf(resolved),
              item.getDouble(A2aFields.CONTRIBUTION_WEIGHT),
              item.getString(A2aFields.ROLE),
              Task.PENDING,
              assignee,
              null,
              null,
              by,
              now,
              now,
              null);
      created.add(task);
    }
    requireAcyclic(created, path);
    for (Task task : created) {
      tasks.put(task.id(), task);
      added.add(task.id());
    }
    return created;
  }

  /**
   * {@code update_tasks}: title, description, weight and signals of existing tasks; status,
   * assignee and dependencies never change here (§8.3). An unknown id is {@code task_not_found}.
   */
  void update(JsonArray items) {
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      Task task = require(item.getString(A2aFields.TASK_ID));
      tasks.put(
          task.id(),
          task.withFields(
              item.containsKey(A2aFields.TITLE) ? item.getString(A2aFields.TITLE) : task.title(),
              item.containsKey(A2aFields.DESCRIPTION)
                  ? item.getString(A2aFields.DESCRIPTION)
                  : task.description(),
              item.containsKey(A2aFields.CONTRIBUTION_WEIGHT)
                  ? item.getDouble(A2aFields.CONTRIBUTION_WEIGHT)
                  : task.weight(),
              item.containsKey(A2aFields.SIGNALS)
                  ? strings(item.getJsonArray(A2aFields.SIGNALS))
                  : task.signals(),
              now));
    }
  }

  /**
   * Gives a task to {@code to} (a joined participant) or takes it from its assignee ({@code to}
   * null); a completed task cannot move. The status follows at {@link #settle}.
   *
   * @return the assignee before
   */
  String reassign(String taskId, String to, Set<String> joined, String path) {
    Task task = require(taskId);
    if (task.completed()) {
      throw new AspException(A2aError.TASK_ALREADY_COMPLETED, "task " + taskId + " is completed");
    }
    if (to != null && !joined.contains(to)) {
      throw new AspException(
          A2aError.VALIDATION_ERROR, path, "to_node_id must name a joined participant");
    }
    tasks.put(taskId, task.withAssignee(to, now));
    return task.assignee();
  }

  /**
   * Completes a task for {@code caller} (joined: checked by the command), in the order of §18.11:
   * the task exists, is not completed, not blocked, and is the caller's — an unassigned open task
   * is claimed by its submitter in the same step.
   */
  Task submit(String taskId, String caller, String resultAssetId, String summary) {
    Task task = require(taskId);
    if (task.completed()) {
      throw new AspException(A2aError.TASK_ALREADY_COMPLETED, "task " + taskId + " is completed");
    }
    if (Task.BLOCKED.equals(status(task))) {
      throw new AspException(
          A2aError.TASK_BLOCKED, "task " + taskId + " waits on dependencies not completed yet");
    }
    if (task.assignee() != null && !task.assignee().equals(caller)) {
      throw new AspException(A2aError.NOT_TASK_ASSIGNEE, "task " + taskId + " is someone else's");
    }
    Task done = task.completedBy(caller, resultAssetId, summary, now);
    tasks.put(taskId, done);
    return done;
  }

  /** A leaver's open tasks lose their assignee (§6.3). */
  void unassign(String handle) {
    for (Task task : List.copyOf(tasks.values())) {
      if (!task.completed() && handle.equals(task.assignee())) {
        tasks.put(task.id(), task.withAssignee(null, now));
      }
    }
  }

  /** Recomputes every open task's status (see the class comment). Call after the changes. */
  Board settle() {
    for (Task task : List.copyOf(tasks.values())) {
      String status = status(task);
      if (!status.equals(task.status())) {
        tasks.put(task.id(), task.withStatus(status, now));
      }
    }
    return this;
  }

  private String status(Task task) {
    if (task.completed()) {
      return Task.COMPLETED;
    }
    for (String dependency : task.dependsOn()) {
      Task other = tasks.get(dependency);
      if (other == null || !other.completed()) {
        return Task.BLOCKED;
      }
    }
    return task.assignee() != null ? Task.IN_PROGRESS : Task.PENDING;
  }

  private Task require(String taskId) {
    Task task = taskId == null ? null : tasks.get(taskId);
    if (task == null) {
      throw new AspException(A2aError.TASK_NOT_FOUND, "no task " + taskId + " on this board");
    }
    return task;
  }

  /** Kahn's algorithm over the new tasks: anything left over sits on a cycle. */
  private static void requireAcyclic(List<Task> created, String path) {
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int i = 0; i < created.size(); i++) {
      index.put(created.get(i).id(), i);
    }
    int[] waiting = new int[created.size()];
    List<List<Integer>> dependants = new ArrayList<>();
    created.forEach(t -> dependants.add(new ArrayList<>()));
    for (int i = 0; i < created.size(); i++) {
      for (String dependency : created.get(i).dependsOn()) {
        Integer k = index.get(dependency);
        if (k != null) {
          waiting[i]++;
          dependants.get(k).add(i);
        }
      }
    }
    Deque<Integer> ready = new ArrayDeque<>();
    for (int i = 0; i < waiting.length; i++) {
      if (waiting[i] == 0) {
        ready.add(i);
      }
    }
    int done = 0;
    while (!ready.isEmpty()) {
      int i = ready.poll();
      done++;
      for (int d : dependants.get(i)) {
        if (--waiting[d] == 0) {
          ready.add(d);
        }
      }
    }
    if (done < created.size()) {
      for (int i = 0; i < waiting.length; i++) {
        if (waiting[i] > 0) {
          throw new AspException(
              A2aError.VALIDATION_ERROR,
              path + "[" + i + "]." + A2aFields.DEPENDS_ON,
              "the dependencies form a cycle");
        }
      }
    }
  }

  // --- what changed

  /** The {@code task_board_update} payload of §5.2 for this change by {@code by}. */
  JsonObject event(String by, EventViews views) {
    return new JsonObject()
        .put(A2aFields.SESSION_ID, sessionId)
        .put(A2aFields.BY, views.wire(by))
        .put(A2aFields.ADDED, Task.json(added(), views))
        .put(A2aFields.UPDATED, Task.json(updated(), views))
        .put(A2aFields.STATUS_CHANGES, statusChanges(views))
        .put(A2aFields.SUMMARY, summary());
  }

  List<Task> added() {
    return added.stream().map(tasks::get).toList();
  }

  /** Tasks that existed before and changed in any field, in board order. */
  List<Task> updated() {
    List<Task> updated = new ArrayList<>();
    for (Task task : tasks.values()) {
      Task old = before.get(task.id());
      if (old != null && !old.equals(task)) {
        updated.add(task);
      }
    }
    return updated;
  }

  boolean changed() {
    return !added.isEmpty() || !updated().isEmpty();
  }

  /** {@code [{task_id, from, to, assigned_to}]} of tasks that existed before, in board order. */
  JsonArray statusChanges(EventViews views) {
    JsonArray changes = new JsonArray();
    for (Task task : tasks.values()) {
      Task old = before.get(task.id());
      if (old != null && !old.status().equals(task.status())) {
        changes.add(
            new JsonObject()
                .put(A2aFields.TASK_ID, task.id())
                .put(A2aFields.FROM, old.status())
                .put(A2aFields.TO, task.status())
                .put(A2aFields.ASSIGNED_TO, views.wire(task.assignee())));
      }
    }
    return changes;
  }

  /** Ids of tasks that were blocked before and are not now. */
  List<String> unblocked() {
    List<String> unblocked = new ArrayList<>();
    for (Task task : tasks.values()) {
      Task old = before.get(task.id());
      if (old != null && Task.BLOCKED.equals(old.status()) && !Task.BLOCKED.equals(task.status())) {
        unblocked.add(task.id());
      }
    }
    return unblocked;
  }

  /** Tasks that existed before and are completed by this change (a submit), in board order. */
  List<Task> completedNow() {
    List<Task> completed = new ArrayList<>();
    for (Task task : tasks.values()) {
      Task old = before.get(task.id());
      if (old != null && !old.completed() && task.completed()) {
        completed.add(task);
      }
    }
    return completed;
  }

  /** A non-empty board whose every task is completed (the session then converges). */
  boolean allCompleted() {
    return !tasks.isEmpty() && tasks.values().stream().allMatch(Task::completed);
  }

  /** {@code {completed, in_progress, pending, blocked}}. */
  JsonObject summary() {
    return summary(tasks.values());
  }

  static JsonObject summary(Iterable<Task> tasks) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    Task.STATUSES.forEach(s -> counts.put(s, 0));
    for (Task task : tasks) {
      counts.merge(task.status(), 1, Integer::sum);
    }
    JsonObject summary = new JsonObject();
    counts.forEach(summary::put);
    return summary;
  }

  /**
   * A topological order of the board (§6.6 {@code plan.order}): creation order, each task after its
   * dependencies.
   */
  static List<String> order(List<Task> tasks) {
    Map<String, Task> byId = new LinkedHashMap<>();
    tasks.forEach(t -> byId.put(t.id(), t));
    List<String> order = new ArrayList<>();
    Set<String> placed = new LinkedHashSet<>();
    // at most one pass per task: every pass places at least one (the board has no cycle)
    while (placed.size() < byId.size()) {
      int before = placed.size();
      for (Task task : byId.values()) {
        if (!placed.contains(task.id())
            && task.dependsOn().stream()
                .allMatch(d -> placed.contains(d) || !byId.containsKey(d))) {
          placed.add(task.id());
          order.add(task.id());
        }
      }
      if (placed.size() == before) {
        break;
      }
    }
    return order;
  }

  private static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      for (Object item : array) {
        if (item instanceof String s) {
          out.add(s);
        }
      }
    }
    return List.copyOf(out);
  }
}
