package dev.asp.a2a.impl;

import dev.asp.a2a.A2aSettings;
import dev.asp.protocol.SessionKind;
import dev.asp.protocol.SessionState;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.a2a.A2aTimes;
import dev.asp.protocol.a2a.SharedContext;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** {@code SESSION_LIST} and {@code SESSION_CONTEXT} (hub spec §6.5, §6.6): reads, no lock. */
public final class SessionReads {
  private final Pool pool;
  private final A2aSettings settings;
  private final EventViews views;

  public SessionReads(Pool pool, A2aSettings settings, EventViews views) {
    this.pool = pool;
    this.settings = settings;
    this.views = views;
  }

  public Future<JsonObject> list(JsonObject body) {
    int limit = body.getInteger(A2aFields.LIMIT, 10);
    return pool.preparedQuery(A2aQueries.LIST_SESSIONS)
        .execute(Tuple.of("public", SessionKind.A2A.wire(), SessionState.ACTIVE.wire(), limit))
        .map(
            rows -> {
              JsonArray sessions = new JsonArray();
              for (Row row : rows) {
                String id = row.getString("id");
                sessions.add(
                    new JsonObject()
                        .put(A2aFields.ID, id)
                        .put(A2aFields.SESSION_ID, id)
                        .put(A2aFields.TYPE, "session")
                        .put(A2aFields.KIND, SessionKind.A2A.wire())
                        .put(A2aFields.TITLE, row.getString("topic"))
                        .put(A2aFields.DESCRIPTION, row.getString("description"))
                        .put(A2aFields.STATUS, row.getString("status"))
                        .put(A2aFields.OWNER_ID, views.wire(row.getString("owner")))
                        .put(A2aFields.PARTICIPANT_COUNT, row.getLong("participant_count"))
                        .put(A2aFields.MAX_PARTICIPANTS, row.getInteger("max_participants"))
                        .put(A2aFields.OPEN_TASK_COUNT, row.getLong("open_task_count"))
                        .put(A2aFields.CREATED_AT, A2aTimes.iso(row.getLong("created_at")))
                        .put(A2aFields.UPDATED_AT, A2aTimes.iso(row.getLong("updated_at"))));
              }
              return new JsonObject()
                  .put(A2aFields.SESSIONS, sessions)
                  .put(A2aFields.COUNT, sessions.size());
            });
  }

  public Future<JsonObject> context(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    String id = body.getString(A2aFields.SESSION_ID);
    int limit = Math.min(body.getInteger(A2aFields.LIMIT, 100), settings.contextMax());
    return A2aSession.peek(pool, id, caller)
        .compose(
            session -> {
              session.requireSessionRoutes().requireJoined();
              Future<Roles> roles = Roles.read(pool, session);
              Future<List<JsonObject>> messages = recent(session, caller, limit + 1);
              Future<Set<String>> alive = roles.compose(r -> alive(r));
              Future<List<Task>> tasks =
                  session.kind() == SessionKind.A2A
                      ? Tasks.read(pool, id)
                      : Future.succeededFuture(List.of());
              return Future.all(roles, messages, alive, tasks)
                  .map(
                      v ->
                          view(
                              session,
                              roles.result(),
                              messages.result(),
                              alive.result(),
                              tasks.result(),
                              caller,
                              limit));
            });
  }

  private Future<List<JsonObject>> recent(A2aSession session, String caller, int rows) {
    return pool.preparedQuery(A2aQueries.RECENT_MESSAGES)
        .execute(Tuple.of(session.id(), caller, rows))
        .map(
            result -> {
              List<JsonObject> newestFirst = new ArrayList<>();
              for (Row row : result) {
                newestFirst.add(views.message(row, row.getJsonObject("payload")));
              }
              return newestFirst;
            });
  }

  private Future<Set<String>> alive(Roles roles) {
    List<String> handles = List.copyOf(roles.statuses().keySet());
    return pool.preparedQuery(A2aQueries.ALIVE_NODES)
        .execute(Tuple.of(handles.toArray(String[]::new), settings.offlineMs()))
        .map(
            rows -> {
              Set<String> alive = new HashSet<>();
              rows.forEach(row -> alive.add(row.getString("handle")));
              return alive;
            });
  }

  private JsonObject view(
      A2aSession session,
      Roles roles,
      List<JsonObject> newestFirst,
      Set<String> alive,
      List<Task> tasks,
      String caller,
      int limit) {
    JsonArray participants = new JsonArray();
    roles
        .statuses()
        .forEach(
            (handle, status) -> {
              Long joinedAt = roles.joinedAt().get(handle);
              participants.add(
                  new JsonObject()
                      .put(A2aFields.NODE_ID, views.wire(handle))
                      .put(A2aFields.ROLE, roles.roleOf(handle))
                      .put(A2aFields.STATUS, status.wire())
                      .put(A2aFields.JOINED_AT, joinedAt == null ? null : A2aTimes.iso(joinedAt))
                      .put(A2aFields.ALIVE, alive.contains(handle)));
            });
    boolean older = newestFirst.size() > limit;
    JsonArray messages = new JsonArray();
    for (int i = Math.min(limit, newestFirst.size()) - 1; i >= 0; i--) {
      messages.add(newestFirst.get(i));
    }
    SharedContext shared = SharedContext.fromJson(session.sharedContext());
    // pending: not completed, every dependency completed, nobody on it (§6.6)
    List<String> ready =
        tasks.stream().filter(t -> Task.PENDING.equals(t.status())).map(Task::id).toList();
    return new JsonObject()
        .put(A2aFields.SESSION_ID, session.id())
        .put(A2aFields.TITLE, session.topic())
        .put(A2aFields.DESCRIPTION, session.description())
        .put(A2aFields.STATUS, session.status())
        .put(A2aFields.VISIBILITY, session.visibility())
        .put(A2aFields.OWNER_ID, views.wire(roles.owner()))
        .put(A2aFields.ORCHESTRATOR_ID, views.wire(roles.orchestrator()))
        .put(A2aFields.PARTICIPANTS, participants)
        .put(A2aFields.SHARED_CONTEXT, shared.context())
        .put(A2aFields.COMPACTED_KEYS, new JsonArray(shared.compactedKeys()))
        .put(A2aFields.SHARED_CONTEXT_BYTES, shared.bytes())
        .put(
            A2aFields.PLAN,
            new JsonObject()
                .put(A2aFields.ORDER, new JsonArray(Board.order(tasks)))
                .put(A2aFields.READY, new JsonArray(ready)))
        .put(
            A2aFields.MY_TASKS,
            Task.json(tasks.stream().filter(t -> caller.equals(t.assignee())).toList(), views))
        .put(A2aFields.TASKS, Task.json(tasks, views))
        .put(A2aFields.RECENT_MESSAGES, messages)
        .put(A2aFields.OLDER_MESSAGES, older);
  }
}
