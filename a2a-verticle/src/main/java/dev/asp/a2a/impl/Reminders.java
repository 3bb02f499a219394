package dev.asp.a2a.impl;

import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.protocol.a2a.A2aFields;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * The {@code session_reminder} of §6.7 returned by message and join. The task board does not exist
 * yet (hub spec §8, a later step): {@code your_subtasks} is empty, the summary all zero, and the
 * next actions never point at a board route this operator does not serve.
 */
public final class Reminders {
  /** Events looked at for {@code recent_updates}. */
  private static final int RECENT = 12;

  private final EventViews views;

  public Reminders(EventViews views) {
    this.views = views;
  }

  Future<JsonObject> reminder(SqlClient client, A2aSession session, Roles roles, String caller) {
    return client
        .preparedQuery(A2aQueries.RECENT_EVENTS)
        .execute(Tuple.of(session.id(), caller, RECENT))
        .map(
            rows -> {
              JsonArray updates = new JsonArray();
              for (Row row : rows) {
                String update = describe(row);
                if (update != null && updates.size() < 5) {
                  updates.add(update);
                }
              }
              JsonArray next = new JsonArray();
              next.add("share progress with POST /a2a/session/message");
              String goal = session.topic() != null ? session.topic() : session.description();
              return new JsonObject()
                  .put(A2aFields.SESSION_GOAL, goal)
                  .put(A2aFields.SESSION_STATUS, session.status())
                  .put(A2aFields.YOUR_ROLE, roles.roleOf(caller))
                  .put(A2aFields.YOUR_SUBTASKS, new JsonArray())
                  .put(
                      A2aFields.SUBTASK_STATUS_SUMMARY,
                      new JsonObject()
                          .put("completed", 0)
                          .put("in_progress", 0)
                          .put("pending", 0)
                          .put("blocked", 0))
                  .put(A2aFields.RECENT_UPDATES, updates)
                  .put(A2aFields.NEXT_ACTIONS, next);
            });
  }

  private String describe(Row row) {
    EventType type = EventType.fromWire(row.getString("type"));
    if (type == null) {
      return null;
    }
    String who = views.wire(row.getString("subject"));
    JsonObject payload = row.getJsonObject("payload");
    return switch (type) {
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
}
