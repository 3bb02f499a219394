package dev.asp.a2a.impl;

import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.protocol.SessionKind;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.a2a.A2aTimes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/**
 * The {@code session_reminder} of §6.7 returned by message, join and submit: the caller's tasks,
 * the board's summary, what happened lately and what to do next, by the rules of §6.7 in order.
 */
public final class Reminders {
  /** Events looked at for {@code recent_updates}. */
  private static final int RECENT = 12;

  private static final int MAX_LINES = 5;

  /**
   * How far back from the session's next sequence {@code recent_updates} looks at most: "lately" is
   * the last this many events, so a reminder costs the same however long the session ran.
   */
  static final int RECENT_WINDOW = 256;

  private final EventViews views;

  public Reminders(EventViews views) {
    this.views = views;
  }

  /** Where the session stands after the command: its status and, converging, the window's end. */
  record Standing(String status, Long completesAt) {
    static Standing of(A2aSession session) {
      return new Standing(session.status(), session.completesAt());
    }
  }

  /** The reminder for a session as read, its board read here (kind {@code a2a} only). */
  Future<JsonObject> reminder(SqlClient client, A2aSession session, Roles roles, String caller) {
    Future<List<Task>> board =
        session.kind() == SessionKind.A2A
            ? Tasks.read(client, session.id())
            : Future.succeededFuture(List.of());
    return board.compose(
        tasks -> reminder(client, session, Standing.of(session), roles, caller, tasks));
  }

  Future<JsonObject> reminder(
      SqlClient client,
      A2aSession session,
      Standing standing,
      Roles roles,
      String caller,
      List<Task> tasks) {
    return client
        .preparedQuery(A2aQueries.RECENT_EVENTS)
        .execute(
            Tuple.of(
                session.id(), caller, RECENT, Math.max(0, session.nextSequence() - RECENT_WINDOW)))
        .map(
            rows -> {
              JsonArray updates = new JsonArray();
              for (Row row : rows) {
                String update = describe(row);
                if (update != null && updates.size() < MAX_LINES) {
                  updates.add(update);
                }
              }
              JsonArray mine = new JsonArray();
              for (Task task : tasks) {
                if (caller.equals(task.assignee())) {
                  mine.add(
                      new JsonObject()
                          .put(A2aFields.TASK_ID, task.id())
                          .put(A2aFields.TITLE, task.title())
                          .put(A2aFields.STATUS, task.status())
                          .put(A2aFields.WEIGHT, task.weight()));
                }
              }
              String goal = session.topic() != null ? session.topic() : session.description();
              return new JsonObject()
                  .put(A2aFields.SESSION_GOAL, goal)
                  .put(A2aFields.SESSION_STATUS, standing.status())
                  .put(A2aFields.YOUR_ROLE, roles.roleOf(caller))
                  .put(A2aFields.YOUR_SUBTASKS, mine)
                  .put(A2aFields.SUBTASK_STATUS_SUMMARY, Board.summary(tasks))
                  .put(A2aFields.RECENT_UPDATES, updates)
                  .put(A2aFields.NEXT_ACTIONS, nextActions(standing, roles, caller, tasks));
            });
  }

  /** The rules of §6.7, checked in order, at most five lines. */
  private static JsonArray nextActions(
      Standing standing, Roles roles, String caller, List<Task> tasks) {
    JsonArray next = new JsonArray();
    if (A2aSession.CONVERGING.equals(standing.status())) {
      next.add(
          "post final remarks: the session completes at "
              + (standing.completesAt() == null ? "once" : A2aTimes.iso(standing.completesAt())));
    }
    for (Task task : tasks) {
      if (caller.equals(task.assignee()) && Task.IN_PROGRESS.equals(task.status())) {
        next.add("submit " + task.title() + " (" + task.id() + ") with POST /a2a/session/submit");
      }
    }
    for (Task task : tasks) {
      if (task.assignee() == null && Task.PENDING.equals(task.status())) {
        next.add("pick up " + task.title() + " (" + task.id() + "): submitting it claims it");
      }
    }
    for (Task task : tasks) {
      if (caller.equals(task.assignee()) && Task.BLOCKED.equals(task.status())) {
        next.add("waiting on the dependencies of " + task.title());
      }
    }
    if (next.isEmpty() && tasks.isEmpty() && caller.equals(roles.orchestrator())) {
      next.add("add tasks with POST /a2a/session/board/update");
    }
    if (next.isEmpty()) {
      next.add("share progress with POST /a2a/session/message");
    }
    JsonArray capped = new JsonArray();
    for (int i = 0; i < Math.min(MAX_LINES, next.size()); i++) {
      capped.add(next.getValue(i));
    }
    return capped;
  }

  private String describe(Row row) {
    String type = row.getString("type");
    String who = views.wire(row.getString("subject"));
    JsonObject payload = row.getJsonObject("payload");
    if (BoardCommands.TYPE_BOARD_UPDATE.equals(type)) {
      return describeBoard(who, payload);
    }
    if (Convergence.TYPE_STATUS.equals(type)) {
      return "the session is " + payload.getString(A2aFields.STATUS);
    }
    if (Convergence.TYPE_CONVERGED.equals(type)) {
      return "the session converged";
    }
    EventType known = EventType.fromWire(type);
    if (known == null) {
      return null;
    }
    return switch (known) {
      case JOINED -> who + " joined the session";
      case LEFT -> who + " left the session";
      case INVITED -> views.wire(payload.getString(Fields.BY)) + " invited " + who;
      case MESSAGE -> {
        JsonObject metadata = payload.getJsonObject(Fields.METADATA);
        JsonObject a2a =
            metadata != null && metadata.getValue(A2aFields.A2A) instanceof JsonObject side
                ? side
                : null;
        yield who
            + " sent "
            + (a2a == null ? "a message" : a2a.getString(A2aFields.MSG_TYPE, "a message"));
      }
      case ENDED -> "the session ended";
      default -> null;
    };
  }

  /** "node_a added task X", "node_c completed Y", else "node_a updated the board". */
  private static String describeBoard(String who, JsonObject payload) {
    JsonArray added = payload.getJsonArray(A2aFields.ADDED, new JsonArray());
    if (!added.isEmpty()) {
      return who + " added task " + added.getJsonObject(0).getString(A2aFields.TITLE);
    }
    JsonArray updated = payload.getJsonArray(A2aFields.UPDATED, new JsonArray());
    for (int i = 0; i < updated.size(); i++) {
      JsonObject task = updated.getJsonObject(i);
      if (Task.COMPLETED.equals(task.getString(A2aFields.STATUS))
          && task.getString(A2aFields.COMPLETED_AT) != null
          && task.getString(A2aFields.COMPLETED_AT).equals(task.getString(A2aFields.UPDATED_AT))) {
        return who + " completed " + task.getString(A2aFields.TITLE);
      }
    }
    return who + " updated the board";
  }
}
