package dev.asp.a2a.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.Event;
import dev.asp.protocol.EventOrigin;
import dev.asp.protocol.Fields;
import dev.asp.protocol.ParticipantStatus;
import dev.asp.protocol.SessionKind;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.a2a.A2aPayloads;
import dev.asp.protocol.a2a.A2aTimes;
import dev.asp.protocol.bus.BusFields;
import dev.asp.session.log.Committed;
import dev.asp.session.log.EventAnnouncer;
import dev.asp.session.log.EventLog;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * {@code DIALOG_POST}, {@code DIALOG_HISTORY} and {@code DIALOG_THREAD} (hub spec §11) in the
 * session context (kinds {@code a2a} and {@code asp}). A post is an ordinary {@code
 * session.message} of the session, written in one transaction under its row lock, with {@code
 * metadata.a2a.dialog_type} and its context; a directed post has the audience {@code [sender,
 * recipient]} on every view, like a directed message. {@code a2a_dialog} indexes the posts (id,
 * sequence, the message they answer), so history pages and threads read only posts. A caller who is
 * not joined gets {@code session_not_found} whatever the visibility (§18.12).
 */
public final class Dialog {
  static final String CONTEXT_SESSION = "session";

  /** {@code msg_type} of a dialog post in {@code metadata.a2a}. */
  static final String MSG_TYPE = "dialog";

  /** Posts of one thread at most. */
  private static final int THREAD_MAX = 500;

  private final Pool pool;
  private final EventAnnouncer announcer;
  private final EventViews views;

  public Dialog(Pool pool, EventAnnouncer announcer, EventViews views) {
    this.pool = pool;
    this.announcer = announcer;
    this.views = views;
  }

  // --- post

  public Future<JsonObject> post(JsonObject body) {
    return pool.withTransaction(conn -> postLocked(conn, body))
        .map(
            committed -> {
              announcer.announce(committed);
              return committed.reply();
            });
  }

  private Future<Committed> postLocked(SqlConnection conn, JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    String id = body.getString(A2aFields.CONTEXT_ID);
    String type = body.getString(A2aFields.DIALOG_TYPE);
    String to = body.getString(A2aFields.TO);
    String reference = body.getString(A2aFields.REFERENCE_ID);
    return A2aSession.lock(conn, id, caller)
        .compose(
            session -> {
              requireMember(session);
              session.requireOpen();
              Future<Roles> roles = Roles.read(conn, session);
              return roles
                  .compose(
                      r -> {
                        if ("orchestrate".equals(type) && !caller.equals(r.orchestrator())) {
                          throw new AspException(
                              A2aError.NOT_SESSION_ORCHESTRATOR,
                              "an orchestrate post is the orchestrator's");
                        }
                        if (to != null && !r.joined().contains(to) && !isInvited(r, to)) {
                          throw new AspException(
                              A2aError.VALIDATION_ERROR,
                              A2aFields.TO_NODE_ID,
                              "to_node_id must name a participant of the session");
                        }
                        return reference == null
                            ? Future.succeededFuture()
                            : requireVisible(conn, session.id(), reference, caller);
                      })
                  .compose(v -> append(conn, session, caller, body));
            });
  }

  private static boolean isInvited(Roles roles, String handle) {
    return roles.statuses().get(handle) == ParticipantStatus.INVITED;
  }

  /** Only joined participants post and read dialog; anyone else finds no session (§18.12). */
  private static void requireMember(A2aSession session) {
    if (session.kind() != SessionKind.A2A && session.kind() != SessionKind.ASP) {
      throw new AspException(
          A2aError.UNSUPPORTED_SESSION_KIND,
          "a session of kind " + session.kind().wire() + " is not a session context for dialog");
    }
    if (session.callerStatus() != ParticipantStatus.JOINED) {
      throw SessionCommands.notFound();
    }
  }

  /** {@code reference_id}: a message of this session the caller can see. */
  private static Future<Void> requireVisible(
      SqlClient client, String sessionId, String reference, String caller) {
    return client
        .preparedQuery(A2aQueries.VISIBLE_MESSAGE)
        .execute(Tuple.of(sessionId, reference, caller))
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw new AspException(
                    A2aError.VALIDATION_ERROR,
                    A2aFields.REFERENCE_ID,
                    "reference_id must name a message of this session that you can see");
              }
              return null;
            });
  }

  private Future<Committed> append(
      SqlConnection conn, A2aSession session, String caller, JsonObject body) {
    String type = body.getString(A2aFields.DIALOG_TYPE);
    String to = body.getString(A2aFields.TO);
    String reference = body.getString(A2aFields.REFERENCE_ID);
    Object content = body.getValue(A2aFields.CONTENT);
    A2aPayloads.Mapped mapped = A2aPayloads.toAsp(content);
    JsonObject a2a =
        new JsonObject()
            .put(A2aFields.FROM_NODE_ID, views.wire(caller))
            .put(A2aFields.MSG_TYPE, MSG_TYPE)
            .put(A2aFields.TO_NODE_ID, views.wire(to))
            .put(A2aFields.PAYLOAD_KIND, mapped.payloadKind())
            .put(
                A2aFields.CONTEXT,
                new JsonObject()
                    .put(A2aFields.TYPE, CONTEXT_SESSION)
                    .put(A2aFields.ID, session.id()))
            .put(A2aFields.DIALOG_TYPE, type)
            .put(A2aFields.REFERENCE_ID, reference)
            .putNull(A2aFields.ROUND)
            .putNull(A2aFields.PHASE);
    long now = System.currentTimeMillis();
    EventLog log = new EventLog(session.id(), session.nextSequence(), now, EventOrigin.A2A);
    List<String> audience =
        to == null ? null : List.copyOf(new LinkedHashSet<>(List.of(caller, to)));
    Event event =
        log.appendMessage(
            caller, mapped.content(), new JsonObject().put(A2aFields.A2A, a2a), null, audience);
    String messageId = event.payload().getString(Fields.ID);
    return conn.preparedQuery(A2aQueries.INSERT_DIALOG)
        .execute(Tuple.of(messageId, session.id(), event.sequence(), type, reference))
        .compose(
            v -> conn.preparedQuery(A2aQueries.TOUCH_SESSION).execute(Tuple.of(session.id(), now)))
        .compose(v -> log.write(conn))
        .map(
            announcement ->
                new Committed(
                    new JsonObject()
                        .put(A2aFields.MESSAGE_ID, messageId)
                        .put(A2aFields.DIALOG_ID, messageId)
                        .put(A2aFields.CONTEXT_TYPE, CONTEXT_SESSION)
                        .put(A2aFields.CONTEXT_ID, session.id())
                        .put(A2aFields.SESSION_ID, session.id())
                        .put(A2aFields.DIALOG_TYPE, type)
                        .putNull(A2aFields.ROUND)
                        .putNull(A2aFields.PHASE)
                        .put(A2aFields.SEQUENCE, event.sequence())
                        .put(A2aFields.VISIBLE_TO, to == null ? "all" : "pair")
                        .put(A2aFields.CREATED_AT, A2aTimes.iso(now)),
                    announcement));
  }

  // --- history

  /** {@code DIALOG_HISTORY}: a page of the posts the caller may see, ascending by sequence. */
  public Future<JsonObject> history(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    String id = body.getString(A2aFields.CONTEXT_ID);
    int limit = body.getInteger(A2aFields.LIMIT, 50);
    Long cursor = body.getLong(A2aFields.CURSOR);
    String type = body.getString(A2aFields.DIALOG_TYPE);
    return A2aSession.peek(pool, id, caller)
        .compose(
            session -> {
              requireMember(session);
              return pool.preparedQuery(A2aQueries.DIALOG_PAGE)
                  .execute(Tuple.of(id, cursor == null ? -1L : cursor, type, caller, limit + 1));
            })
        .map(
            rows -> {
              List<JsonObject> posts = posts(rows);
              boolean more = posts.size() > limit;
              List<JsonObject> page = more ? posts.subList(0, limit) : posts;
              return new JsonObject()
                  .put(A2aFields.MESSAGES, new JsonArray(new ArrayList<>(page)))
                  .put(
                      A2aFields.NEXT_CURSOR,
                      more
                          ? Long.toString(page.get(page.size() - 1).getLong(A2aFields.SEQUENCE))
                          : null)
                  .put(A2aFields.COUNT, page.size());
            });
  }

  // --- thread

  /**
   * {@code DIALOG_THREAD}: from the post up its {@code reference_id}s to the root, then every post
   * the caller may see whose chain leads there, in sequence order.
   */
  public Future<JsonObject> thread(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    String messageId = body.getString(A2aFields.MESSAGE_ID);
    return pool.preparedQuery(A2aQueries.DIALOG_ROOT)
        .execute(Tuple.of(messageId))
        .compose(
            roots -> {
              if (roots.size() == 0) {
                throw notFound();
              }
              Row root = roots.iterator().next();
              String sessionId = root.getString("session_id");
              String rootId = root.getString("root_id");
              return A2aSession.peek(pool, sessionId, caller)
                  .recover(f -> Future.failedFuture(notFound()))
                  .compose(
                      session -> {
                        if (session.callerStatus() != ParticipantStatus.JOINED) {
                          throw notFound();
                        }
                        return pool.preparedQuery(A2aQueries.DIALOG_THREAD)
                            .execute(Tuple.of(sessionId, rootId, caller, THREAD_MAX));
                      })
                  .map(
                      rows -> {
                        List<JsonObject> posts = posts(rows);
                        boolean asked =
                            messageId.equals(rootId)
                                || posts.stream()
                                    .anyMatch(p -> messageId.equals(p.getString(A2aFields.ID)));
                        if (!asked || posts.isEmpty()) {
                          // the post exists but is not the caller's to see
                          throw notFound();
                        }
                        return new JsonObject()
                            .put(A2aFields.ROOT_ID, rootId)
                            .put(A2aFields.MESSAGES, new JsonArray(new ArrayList<>(posts)))
                            .put(A2aFields.COUNT, posts.size());
                      });
            });
  }

  private List<JsonObject> posts(RowSet<Row> rows) {
    List<JsonObject> posts = new ArrayList<>();
    for (Row row : rows) {
      posts.add(views.post(row, row.getJsonObject("payload")));
    }
    return posts;
  }

  private static AspException notFound() {
    return new AspException(A2aError.MESSAGE_NOT_FOUND, "no such message");
  }
}
