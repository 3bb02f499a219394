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
 * session context (kinds {@code a2a} and {@code asp}) and the pipeline context, which resolves to
 * the pipeline's backing session and then takes the same path with the pipeline's membership rule
 * (its creator and assignees; the creator orchestrates). A post is an ordinary {@code
 * session.message} of the session, written in one transaction under its row lock, with {@code
 * metadata.a2a.dialog_type} and its context; a directed post has the audience {@code [sender,
 * recipient]} on every view, like a directed message. {@code a2a_dialog} indexes the posts (id,
 * sequence, the message they answer), so history pages and threads read only posts. A caller who is
 * not joined gets {@code session_not_found} whatever the visibility (§18.12).
 */
public final class Dialog {
  static final String CONTEXT_SESSION = "session";
  static final String CONTEXT_PIPELINE = "pipeline";

  /** {@code msg_type} of a dialog post in {@code metadata.a2a}. */
  static final String MSG_TYPE = "dialog";

  /** Posts of one thread at most. */
  private static final int THREAD_MAX = 500;

  private final Pool pool;
  private final EventAnnouncer announcer;
  private final EventViews views;
  private final Deliberations deliberations;

  public Dialog(
      Pool pool, EventAnnouncer announcer, EventViews views, Deliberations deliberations) {
    this.pool = pool;
    this.announcer = announcer;
    this.views = views;
    this.deliberations = deliberations;
  }

  /**
   * A dialog context resolved to its backing session (§11): a session is its own, a deliberation's
   * or a pipeline's is its session of that kind; with where a post goes there: its round, phase,
   * and whether it is hidden.
   */
  private record Context(
      String type, String id, String sessionId, Integer round, String phase, boolean hidden) {}

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
    if (Deliberations.CONTEXT.equals(body.getString(A2aFields.CONTEXT_TYPE))) {
      return postInDeliberation(conn, body);
    }
    String caller = body.getString(BusFields.CALLER);
    String reference = body.getString(A2aFields.REFERENCE_ID);
    return resolve(conn, body, caller)
        .compose(
            context ->
                A2aSession.lock(conn, context.sessionId(), caller)
                    .compose(
                        session ->
                            Roles.read(conn, session)
                                .compose(
                                    roles ->
                                        admitPost(conn, context, session, roles, caller)
                                            .compose(
                                                orchestrator -> {
                                                  check(context, roles, orchestrator, caller, body);
                                                  return reference == null
                                                      ? Future.succeededFuture()
                                                      : requireVisible(
                                                          conn, session.id(), reference, caller);
                                                }))
                                .compose(
                                    v ->
                                        append(
                                            conn,
                                            log(session),
                                            caller,
                                            body,
                                            context,
                                            sequence -> Future.succeededFuture()))));
  }

  /** Who may post {@code orchestrate}, and that a recipient takes part in the context. */
  private static void check(
      Context context, Roles roles, String orchestrator, String caller, JsonObject body) {
    String type = body.getString(A2aFields.DIALOG_TYPE);
    String to = body.getString(A2aFields.TO);
    if ("orchestrate".equals(type) && !caller.equals(orchestrator)) {
      throw new AspException(
          A2aError.NOT_SESSION_ORCHESTRATOR,
          CONTEXT_PIPELINE.equals(context.type())
              ? "an orchestrate post in a pipeline is its creator's"
              : "an orchestrate post is the orchestrator's");
    }
    if (to != null && !roles.joined().contains(to) && !isInvited(roles, to)) {
      throw new AspException(
          A2aError.VALIDATION_ERROR,
          A2aFields.TO_NODE_ID,
          "to_node_id must name a participant of the " + context.type());
    }
  }

  /** The context named by the request, resolved to its backing session; members only. */
  private static Future<Context> resolve(SqlClient client, JsonObject body, String caller) {
    String id = body.getString(A2aFields.CONTEXT_ID);
    if (CONTEXT_PIPELINE.equals(body.getString(A2aFields.CONTEXT_TYPE))) {
      return Pipelines.loadAsMember(client, id, caller)
          .map(
              pipeline -> new Context(CONTEXT_PIPELINE, id, pipeline.sessionId, null, null, false));
    }
    return Future.succeededFuture(new Context(CONTEXT_SESSION, id, id, null, null, false));
  }

  /**
   * Under the session lock, who may post, and who may post {@code orchestrate} (the result). A
   * session: its joined participants, the orchestrator. A pipeline (re-read under the lock): its
   * creator and assignees while they are joined to its session, else it is not found; a completed
   * or failed one is {@code pipeline_closed}; the creator orchestrates.
   */
  private static Future<String> admitPost(
      SqlConnection conn, Context context, A2aSession session, Roles roles, String caller) {
    if (!CONTEXT_PIPELINE.equals(context.type())) {
      requireMember(session);
      session.requireOpen();
      return Future.succeededFuture(roles.orchestrator());
    }
    return Pipelines.loadAsMember(conn, context.id(), caller)
        .map(
            pipeline -> {
              if (session.callerStatus() != ParticipantStatus.JOINED) {
                throw Pipelines.notFound();
              }
              if (pipeline.closed()) {
                throw new AspException(
                    A2aError.PIPELINE_CLOSED, "the pipeline is " + pipeline.status());
              }
              return pipeline.createdBy;
            });
  }

  private static EventLog log(A2aSession session) {
    return new EventLog(
        session.id(), session.nextSequence(), System.currentTimeMillis(), EventOrigin.A2A);
  }

  /**
   * A post in a deliberation (§12), under its session's lock: a passed deadline ends its phase
   * first, the type and round must suit the phase, a diverge post is hidden (audience the author
   * alone), and the contribution may end the phase in the same transaction.
   */
  private Future<Committed> postInDeliberation(SqlConnection conn, JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    String type = body.getString(A2aFields.DIALOG_TYPE);
    String to = body.getString(A2aFields.TO);
    String reference = body.getString(A2aFields.REFERENCE_ID);
    Integer round = body.getInteger(A2aFields.ROUND);
    return deliberations
        .lockForPost(conn, body.getString(A2aFields.CONTEXT_ID), caller)
        .compose(
            locked -> {
              EventLog log = log(locked.session());
              String sessionId = locked.session().id();
              return deliberations
                  .settleForPost(conn, log, locked.deliberation(), type, round)
                  .compose(
                      d -> {
                        if ("vote".equals(type)) {
                          Deliberations.vote(caller, body.getValue(A2aFields.CONTENT));
                        }
                        if (to != null
                            && !to.equals(d.initiator())
                            && !d.participants().contains(to)) {
                          throw new AspException(
                              A2aError.VALIDATION_ERROR,
                              A2aFields.TO_NODE_ID,
                              "to_node_id must name a member of the deliberation");
                        }
                        Future<Void> visible =
                            reference == null
                                ? Future.succeededFuture()
                                : requireVisible(conn, sessionId, reference, caller);
                        boolean hidden = DeliberationRules.DIVERGING.equals(d.status());
                        Context context =
                            new Context(
                                Deliberations.CONTEXT,
                                d.id(),
                                sessionId,
                                d.round(),
                                d.status(),
                                hidden);
                        return visible.compose(
                            v ->
                                append(
                                    conn,
                                    log,
                                    caller,
                                    body,
                                    context,
                                    sequence ->
                                        deliberations.recorded(
                                            conn,
                                            log,
                                            d,
                                            caller,
                                            type,
                                            body.getValue(A2aFields.CONTENT),
                                            sequence)));
                      });
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
      SqlConnection conn,
      EventLog log,
      String caller,
      JsonObject body,
      Context context,
      java.util.function.Function<Long, Future<Void>> after) {
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
                    .put(A2aFields.TYPE, context.type())
                    .put(A2aFields.ID, context.id()))
            .put(A2aFields.DIALOG_TYPE, type)
            .put(A2aFields.REFERENCE_ID, reference)
            .put(A2aFields.ROUND, context.round())
            .put(A2aFields.PHASE, context.phase());
    long now = log.now();
    // hidden (a diverge post): its author alone until the phase ends; directed: the pair
    List<String> audience =
        context.hidden()
            ? List.of(caller)
            : to == null ? null : List.copyOf(new LinkedHashSet<>(List.of(caller, to)));
    Event event =
        log.appendMessage(
            caller, mapped.content(), new JsonObject().put(A2aFields.A2A, a2a), null, audience);
    String messageId = event.payload().getString(Fields.ID);
    String sessionId = context.sessionId();
    return conn.preparedQuery(A2aQueries.INSERT_DIALOG)
        .execute(Tuple.of(messageId, sessionId, event.sequence(), type, reference))
        .compose(v -> after.apply(event.sequence()))
        .compose(
            v -> conn.preparedQuery(A2aQueries.TOUCH_SESSION).execute(Tuple.of(sessionId, now)))
        .compose(v -> log.write(conn))
        .map(
            announcement ->
                new Committed(
                    new JsonObject()
                        .put(A2aFields.MESSAGE_ID, messageId)
                        .put(A2aFields.DIALOG_ID, messageId)
                        .put(A2aFields.CONTEXT_TYPE, context.type())
                        .put(A2aFields.CONTEXT_ID, context.id())
                        .put(A2aFields.SESSION_ID, sessionId)
                        .put(A2aFields.DIALOG_TYPE, type)
                        .put(A2aFields.ROUND, context.round())
                        .put(A2aFields.PHASE, context.phase())
                        .put(A2aFields.SEQUENCE, event.sequence())
                        .put(
                            A2aFields.VISIBLE_TO,
                            context.hidden() ? "author" : to == null ? "all" : "pair")
                        .put(A2aFields.CREATED_AT, A2aTimes.iso(now)),
                    announcement));
  }

  // --- history

  /** {@code DIALOG_HISTORY}: a page of the posts the caller may see, ascending by sequence. */
  public Future<JsonObject> history(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    int limit = body.getInteger(A2aFields.LIMIT, 50);
    Long cursor = body.getLong(A2aFields.CURSOR);
    String type = body.getString(A2aFields.DIALOG_TYPE);
    // a deliberation's members and a pipeline's are checked by their own module; a session's
    // are its joined participants
    Future<String> sessionId =
        Deliberations.CONTEXT.equals(body.getString(A2aFields.CONTEXT_TYPE))
            ? deliberations.sessionOfMember(body.getString(A2aFields.CONTEXT_ID), caller)
            : resolve(pool, body, caller)
                .compose(
                    context ->
                        CONTEXT_PIPELINE.equals(context.type())
                            ? Future.succeededFuture(context.sessionId())
                            : A2aSession.peek(pool, context.sessionId(), caller)
                                .map(
                                    session -> {
                                      requireMember(session);
                                      return session.id();
                                    }));
    return sessionId
        .compose(
            session ->
                pool.preparedQuery(A2aQueries.DIALOG_PAGE)
                    .execute(
                        Tuple.of(session, cursor == null ? -1L : cursor, type, caller, limit + 1)))
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
