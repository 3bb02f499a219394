package dev.asp.gateway.impl.a2a;

import dev.asp.protocol.a2a.A2aAction;
import dev.asp.protocol.a2a.A2aFields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The bodies of the board commands (hub spec §8.3–§8.5) and of the mailbox's {@code
 * session_delegate} and {@code session_submit} (§10), checked and normalised before anything is
 * sent on: limits, types and formats here, with the path of the offending field in {@code details};
 * what depends on the board (unknown dependencies, cycles, assignees that are not joined) is
 * decided by the A2A verticle under the session lock. {@code depends_on} refs are resolved to
 * indices here, so the verticle sees numbers (this call's items) and task ids (existing tasks).
 */
final class BoardBodies {
  static final int MAX_ADD = 5;
  static final int MAX_UPDATE = 10;
  static final int MAX_REASSIGN = 10;
  static final int MAX_TITLE = 200;
  static final int MAX_DESCRIPTION = 4000;
  static final int MAX_SIGNALS = 10;
  static final int MAX_SIGNAL = 50;
  static final int MAX_ROLE = 50;
  static final int MAX_SUMMARY = 2000;
  static final int MAX_MAILBOX_SUMMARY = 200;

  private static final Pattern ASSET = Pattern.compile("^sha256:[0-9a-f]{64}$");

  private final A2aAuth auth;

  BoardBodies(A2aAuth auth) {
    this.auth = auth;
  }

  /** {@code POST /a2a/session/board/update} (§8.3). */
  SessionBodies.Parsed update(JsonObject body) {
    JsonObject command = SessionBodies.inSession(body, new JsonObject());
    command.put(A2aFields.ADD_TASKS, addTasks(body.getValue(A2aFields.ADD_TASKS), "add_tasks"));
    command.put(
        A2aFields.UPDATE_TASKS,
        updateTasks(body.getValue(A2aFields.UPDATE_TASKS), A2aFields.UPDATE_TASKS));
    return new SessionBodies.Parsed(A2aAction.BOARD_UPDATE, SessionBodies.sender(body), command);
  }

  /** {@code POST /a2a/session/submit} (§8.4): the asset id is required here. */
  SessionBodies.Parsed submit(JsonObject body) {
    return submit(body, true, MAX_SUMMARY);
  }

  /** The mailbox's {@code session_submit}: [choice] a null asset id, a summary ≤ 200. */
  SessionBodies.Parsed mailboxSubmit(JsonObject payload) {
    return submit(payload, false, MAX_MAILBOX_SUMMARY);
  }

  private SessionBodies.Parsed submit(JsonObject body, boolean assetRequired, int maxSummary) {
    JsonObject command = SessionBodies.inSession(body, new JsonObject());
    command.put(A2aFields.TASK_ID, required(body, A2aFields.TASK_ID, A2aFields.TASK_ID));
    Object asset = body.getValue(A2aFields.RESULT_ASSET_ID);
    if (asset == null && assetRequired) {
      throw A2aErrors.invalid(
          A2aFields.RESULT_ASSET_ID,
          "sha256:<64 hex>",
          null,
          "result_asset_id is required (sha256:<64 hex>)");
    }
    if (asset != null) {
      command.put(A2aFields.RESULT_ASSET_ID, asset(asset));
    } else {
      command.putNull(A2aFields.RESULT_ASSET_ID);
    }
    command.put(A2aFields.SUMMARY, text(body, A2aFields.SUMMARY, A2aFields.SUMMARY, maxSummary));
    return new SessionBodies.Parsed(A2aAction.SUBMIT, SessionBodies.sender(body), command);
  }

  /**
   * A {@code result_asset_id} (§8.4, §13): {@code sha256:} and 64 hex digits, upper-case hex
   * lower-cased; anything else is a validation error.
   */
  static String asset(Object asset) {
    String normalised = asset instanceof String text ? text.toLowerCase(Locale.ROOT) : null;
    if (normalised == null || !ASSET.matcher(normalised).matches()) {
      throw A2aErrors.invalid(
          A2aFields.RESULT_ASSET_ID,
          "sha256:<64 hex>",
          asset,
          "result_asset_id must be sha256: followed by 64 hex digits");
    }
    return normalised;
  }

  /** {@code POST /a2a/session/orchestrate} (§8.5). */
  SessionBodies.Parsed orchestrate(JsonObject body) {
    JsonObject command = SessionBodies.inSession(body, new JsonObject());
    Object updatesValue = body.getValue(A2aFields.TASK_BOARD_UPDATES);
    JsonObject updates;
    if (updatesValue == null) {
      updates = new JsonObject();
    } else if (updatesValue instanceof JsonObject object) {
      updates = object;
    } else {
      throw A2aErrors.invalid(
          A2aFields.TASK_BOARD_UPDATES,
          "object",
          updatesValue,
          "task_board_updates must be {add_tasks, update_tasks}");
    }
    String prefix = A2aFields.TASK_BOARD_UPDATES + ".";
    command.put(
        A2aFields.ADD_TASKS,
        addTasks(updates.getValue(A2aFields.ADD_TASKS), prefix + A2aFields.ADD_TASKS));
    command.put(
        A2aFields.UPDATE_TASKS,
        updateTasks(updates.getValue(A2aFields.UPDATE_TASKS), prefix + A2aFields.UPDATE_TASKS));
    command.put(A2aFields.REASSIGN, reassign(body.getValue(A2aFields.REASSIGN)));
    command.put(A2aFields.FORCE_CONVERGE, truthy(body.getValue(A2aFields.FORCE_CONVERGE)));
    return new SessionBodies.Parsed(A2aAction.ORCHESTRATE, SessionBodies.sender(body), command);
  }

  /**
   * The mailbox's {@code session_delegate} (§10): {@code {session_id, to_node_id, title,
   * description, role}}, one task assigned to {@code to_node_id} ({@code null}: unassigned). It is
   * sent on as a board update with that one task.
   */
  SessionBodies.Parsed delegate(JsonObject payload) {
    JsonObject command = SessionBodies.inSession(payload, new JsonObject());
    JsonObject task = new JsonObject();
    task.put(A2aFields.TITLE, title(payload, A2aFields.TITLE));
    task.put(
        A2aFields.DESCRIPTION,
        text(payload, A2aFields.DESCRIPTION, A2aFields.DESCRIPTION, MAX_DESCRIPTION));
    task.put(A2aFields.ROLE, text(payload, A2aFields.ROLE, A2aFields.ROLE, MAX_ROLE));
    task.put(A2aFields.ASSIGNED_TO, node(payload.getValue(A2aFields.TO_NODE_ID), "to_node_id"));
    task.put(A2aFields.SIGNALS, new JsonArray());
    task.put(A2aFields.DEPENDS_ON, new JsonArray());
    task.putNull(A2aFields.CONTRIBUTION_WEIGHT);
    command.put(A2aFields.ADD_TASKS, new JsonArray().add(task));
    command.put(A2aFields.UPDATE_TASKS, new JsonArray());
    return new SessionBodies.Parsed(A2aAction.BOARD_UPDATE, SessionBodies.sender(payload), command);
  }

  // --- parts

  private JsonArray addTasks(Object value, String path) {
    JsonArray items = array(value, path, MAX_ADD);
    // refs first: a later item may be named by an earlier one and the other way round
    Map<String, Integer> refs = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = object(items.getValue(i), path + "[" + i + "]");
      Object ref = item.getValue(A2aFields.REF);
      if (ref == null) {
        continue;
      }
      String at = path + "[" + i + "].ref";
      if (!(ref instanceof String name) || name.isEmpty() || name.length() > A2aBodies.MAX_ID) {
        throw A2aErrors.invalid(at, "a non-empty string", ref, "ref must be a short string");
      }
      if (name.startsWith("task_")) {
        throw A2aErrors.invalid(
            at, "a ref not starting with task_", ref, "ref must not start with task_");
      }
      if (refs.putIfAbsent(name, i) != null) {
        throw A2aErrors.invalid(
            at, "a ref unique in this call", ref, "ref " + name + " is used twice");
      }
    }
    JsonArray out = new JsonArray();
    for (int i = 0; i < items.size(); i++) {
      String at = path + "[" + i + "]";
      JsonObject item = items.getJsonObject(i);
      JsonObject task = new JsonObject();
      task.put(A2aFields.TITLE, title(item, at + ".title"));
      task.put(
          A2aFields.DESCRIPTION,
          text(item, A2aFields.DESCRIPTION, at + ".description", MAX_DESCRIPTION));
      task.put(A2aFields.SIGNALS, signals(item.getValue(A2aFields.SIGNALS), at + ".signals"));
      task.put(
          A2aFields.CONTRIBUTION_WEIGHT,
          weight(item.getValue(A2aFields.CONTRIBUTION_WEIGHT), at + ".contribution_weight"));
      Object assignee = item.getValue(A2aFields.ASSIGNED_TO);
      String assigneePath = at + ".assigned_to";
      if (assignee == null) {
        assignee = item.getValue(A2aFields.TO_NODE_ID);
        assigneePath = at + ".to_node_id";
      }
      task.put(A2aFields.ASSIGNED_TO, node(assignee, assigneePath));
      task.putNull(A2aFields.ROLE);
      task.put(
          A2aFields.DEPENDS_ON,
          dependsOn(item.getValue(A2aFields.DEPENDS_ON), at, i, items.size(), refs));
      out.add(task);
    }
    return out;
  }

  /** Numbers are this call's items, refs become their numbers, other strings existing ids. */
  private static JsonArray dependsOn(
      Object value, String at, int self, int count, Map<String, Integer> refs) {
    String path = at + ".depends_on";
    JsonArray entries = array(value, path, 100);
    JsonArray out = new JsonArray();
    for (int j = 0; j < entries.size(); j++) {
      Object entry = entries.getValue(j);
      String entryPath = path + "[" + j + "]";
      if (entry instanceof Number number) {
        double d = number.doubleValue();
        if (d != Math.rint(d) || d < 0 || d >= count) {
          throw A2aErrors.invalid(
              entryPath,
              "an index 0.." + (count - 1) + " of this call's add_tasks",
              entry,
              "no item " + entry + " in this call's add_tasks");
        }
        if ((int) d == self) {
          throw A2aErrors.invalid(
              entryPath, "another task", entry, "a task cannot depend on itself");
        }
        out.add((int) d);
      } else if (entry instanceof String text
          && !text.isEmpty()
          && text.length() <= A2aBodies.MAX_ID) {
        Integer index = refs.get(text);
        if (index != null && index == self) {
          throw A2aErrors.invalid(
              entryPath, "another task", entry, "a task cannot depend on itself");
        }
        out.add(index != null ? (Object) index : text);
      } else {
        throw A2aErrors.invalid(
            entryPath, "an index, a ref or a task id", entry, "depends_on lists tasks");
      }
    }
    return out;
  }

  private static JsonArray updateTasks(Object value, String path) {
    JsonArray items = array(value, path, MAX_UPDATE);
    JsonArray out = new JsonArray();
    for (int i = 0; i < items.size(); i++) {
      String at = path + "[" + i + "]";
      JsonObject item = object(items.getValue(i), at);
      JsonObject update =
          new JsonObject()
              .put(A2aFields.TASK_ID, required(item, A2aFields.TASK_ID, at + ".task_id"));
      // status and assignee are ignored here (§18.10): they change through submit and orchestrate
      if (item.getValue(A2aFields.TITLE) != null) {
        update.put(A2aFields.TITLE, title(item, at + ".title"));
      }
      if (item.containsKey(A2aFields.DESCRIPTION)) {
        update.put(
            A2aFields.DESCRIPTION,
            text(item, A2aFields.DESCRIPTION, at + ".description", MAX_DESCRIPTION));
      }
      if (item.containsKey(A2aFields.CONTRIBUTION_WEIGHT)) {
        update.put(
            A2aFields.CONTRIBUTION_WEIGHT,
            weight(item.getValue(A2aFields.CONTRIBUTION_WEIGHT), at + ".contribution_weight"));
      }
      if (item.getValue(A2aFields.SIGNALS) != null) {
        update.put(A2aFields.SIGNALS, signals(item.getValue(A2aFields.SIGNALS), at + ".signals"));
      }
      out.add(update);
    }
    return out;
  }

  /** {@code reassign}: one object or an array of ≤ 10, each {@code {task_id, to_node_id}}. */
  private JsonArray reassign(Object value) {
    String path = A2aFields.REASSIGN;
    JsonArray items =
        value instanceof JsonObject one
            ? new JsonArray().add(one)
            : array(value, path, MAX_REASSIGN);
    JsonArray out = new JsonArray();
    for (int i = 0; i < items.size(); i++) {
      String at = value instanceof JsonObject ? path : path + "[" + i + "]";
      JsonObject item = object(items.getValue(i), at);
      if (!item.containsKey(A2aFields.TO_NODE_ID)) {
        throw A2aErrors.invalid(
            at + ".to_node_id",
            "a node id, or null to unassign",
            null,
            "to_node_id is required (null unassigns)");
      }
      out.add(
          new JsonObject()
              .put(A2aFields.TASK_ID, required(item, A2aFields.TASK_ID, at + ".task_id"))
              .put(A2aFields.TO, node(item.getValue(A2aFields.TO_NODE_ID), at + ".to_node_id")));
    }
    return out;
  }

  /** A node id as its handle; null stays null; a value that cannot be a node is refused. */
  private String node(Object value, String path) {
    if (value == null) {
      return null;
    }
    String handle =
        value instanceof String text && text.length() <= A2aBodies.MAX_ID
            ? auth.handleOf(text)
            : null;
    if (handle == null) {
      throw A2aErrors.invalid(path, "a node id", value, path + " must name a participant");
    }
    return handle;
  }

  /** Signals: ≤ 10 strings (or one comma-separated string), trimmed, lower-cased, ≤ 50 each. */
  static JsonArray signals(Object value, String path) {
    JsonArray raw;
    if (value == null) {
      return new JsonArray();
    } else if (value instanceof String text) {
      raw = new JsonArray();
      for (String part : text.split(",", -1)) {
        raw.add(part);
      }
    } else if (value instanceof JsonArray array) {
      raw = array;
    } else {
      throw A2aErrors.invalid(path, "array of strings", value, "signals must be strings");
    }
    Set<String> signals = new LinkedHashSet<>();
    for (int i = 0; i < raw.size(); i++) {
      Object item = raw.getValue(i);
      if (!(item instanceof String text)) {
        throw A2aErrors.invalid(path + "[" + i + "]", "string", item, "signals must be strings");
      }
      String signal = text.trim().toLowerCase(Locale.ROOT);
      if (signal.length() > MAX_SIGNAL) {
        throw A2aErrors.invalid(
            path + "[" + i + "]",
            "at most " + MAX_SIGNAL + " characters",
            item,
            "a signal is at most " + MAX_SIGNAL + " characters");
      }
      if (!signal.isEmpty()) {
        signals.add(signal);
      }
    }
    if (signals.size() > MAX_SIGNALS) {
      throw A2aErrors.invalid(
          path,
          "at most " + MAX_SIGNALS + " signals",
          value,
          "at most " + MAX_SIGNALS + " signals");
    }
    return new JsonArray(List.copyOf(signals));
  }

  private static Double weight(Object value, String path) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number number)
        || Double.isNaN(number.doubleValue())
        || number.doubleValue() < 0
        || number.doubleValue() > 1) {
      throw A2aErrors.invalid(
          path, "a number 0..1 or null", value, "contribution_weight is a number from 0 to 1");
    }
    return number.doubleValue();
  }

  private static String title(JsonObject item, String path) {
    Object value = item.getValue(A2aFields.TITLE);
    if (!(value instanceof String text) || text.isBlank() || text.length() > MAX_TITLE) {
      throw A2aErrors.invalid(
          path,
          "1.." + MAX_TITLE + " characters",
          value,
          "title is required, at most " + MAX_TITLE);
    }
    return text;
  }

  private static String text(JsonObject item, String name, String path, int max) {
    Object value = item.getValue(name);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text) || text.length() > max) {
      throw A2aErrors.invalid(
          path, "a string of at most " + max, value, name + " is at most " + max + " characters");
    }
    return text;
  }

  private static String required(JsonObject item, String name, String path) {
    Object value = item.getValue(name);
    if (!(value instanceof String text) || text.isEmpty() || text.length() > A2aBodies.MAX_ID) {
      throw A2aErrors.invalid(path, "a string", value, name + " is required");
    }
    return text;
  }

  private static JsonArray array(Object value, String path, int max) {
    if (value == null) {
      return new JsonArray();
    }
    if (!(value instanceof JsonArray array)) {
      throw A2aErrors.invalid(path, "array", value, path + " must be an array");
    }
    if (array.size() > max) {
      throw A2aErrors.invalid(
          path, "at most " + max + " items", value, path + " takes at most " + max + " items");
    }
    return array;
  }

  private static JsonObject object(Object value, String path) {
    if (!(value instanceof JsonObject object)) {
      throw A2aErrors.invalid(path, "object", value, path + " must be an object");
    }
    return object;
  }

  /** JavaScript truthiness, as the hub's clients mean "truthy". */
  private static boolean truthy(Object value) {
    if (value == null || value instanceof Boolean b && !b) {
      return false;
    }
    if (value instanceof Number n) {
      return n.doubleValue() != 0 && !Double.isNaN(n.doubleValue());
    }
    if (value instanceof String s) {
      return !s.isEmpty();
    }
    return true;
  }
}
