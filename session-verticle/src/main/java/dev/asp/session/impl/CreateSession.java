package dev.asp.session.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.EventOrigin;
import dev.asp.protocol.Fields;
import dev.asp.protocol.Ids;
import dev.asp.protocol.SessionKind;
import dev.asp.session.SessionSettings;
import dev.asp.session.log.Announcement;
import dev.asp.session.log.Committed;
import dev.asp.session.log.EventLog;
import dev.asp.session.log.Idempotency;
import dev.asp.session.log.Membership;
import dev.asp.session.log.Sessions;
import dev.asp.session.log.TrustGate;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code CREATE}: a new session with its creator joined and its invitees invited. All-or-nothing on
 * trust: one unreachable invitee makes the whole request {@code not_found} (indistinguishable from
 * an unknown handle) and nothing is stored. With an idempotency key, a retry returns the first
 * result, also when racing the first attempt: the key row is inserted last, so the loser rolls its
 * whole session back.
 */
public final class CreateSession {
  private static final Logger LOG = LoggerFactory.getLogger(CreateSession.class);
  private final Pool pool;
  private final TrustGate trust;
  private final SessionSettings settings;

  public CreateSession(Pool pool, TrustGate trust, SessionSettings settings) {
    this.pool = pool;
    this.trust = trust;
    this.settings = settings;
  }

  private record Request(
      String caller,
      List<String> invitees,
      String topic,
      Requests.NewMessage initialMessage,
      boolean endAfterSend,
      String idempotencyKey) {}

  public Future<Committed> handle(JsonObject body) {
    String caller = Requests.caller(body);
    List<String> invitees = Requests.invitees(body, caller);
    if (invitees.size() > settings.maxInvitees()) {
      throw Requests.invalid("at most " + settings.maxInvitees() + " invitees per session");
    }
    Requests.NewMessage initial = Requests.initialMessage(body, settings.limits());
    boolean endAfterSend = Requests.optionalBoolean(body, Fields.END_AFTER_SEND);
    if (endAfterSend && initial == null) {
      throw Requests.invalid(Fields.END_AFTER_SEND + " requires " + Fields.INITIAL_MESSAGE);
    }
    Request request =
        new Request(
            caller,
            invitees,
            Requests.optionalString(body, Fields.TOPIC),
            initial,
            endAfterSend,
            Requests.idempotencyKey(body));
    // A stored result wins even if trust changed since: a retry must see the same 201.
    return Idempotency.find(pool, caller, SessionQueries.CREATE_SCOPE, request.idempotencyKey())
        .compose(
            stored ->
                stored != null
                    ? Future.succeededFuture(Committed.replay(stored))
                    : create(request));
  }

  private Future<Committed> create(Request request) {
    return trust
        .reachable(request.caller(), request.invitees(), request.invitees())
        .compose(
            reachable -> {
              if (reachable.size() != request.invitees().size()) {
                return Future.failedFuture(AspException.notFound());
              }
              return pool.withTransaction(conn -> insert(conn, request))
                  .onSuccess(
                      committed ->
                          LOG.atInfo()
                              .addKeyValue(
                                  "session_id", committed.reply().getString(Fields.SESSION_ID))
                              .addKeyValue("agent", request.caller())
                              .addKeyValue("invitees", request.invitees().size())
                              .log("session created"));
            })
        .recover(
            Idempotency.winnerOnLostRace(
                pool, request.caller(), SessionQueries.CREATE_SCOPE, request.idempotencyKey()));
  }

  private Future<Committed> insert(SqlConnection conn, Request request) {
    String id = Ids.newSessionId();
    long now = System.currentTimeMillis();
    JsonObject reply = new JsonObject().put(Fields.SESSION_ID, id);
    return Sessions.insert(
            conn,
            id,
            SessionKind.ASP,
            Sessions.PRIVATE,
            null,
            request.topic(),
            request.caller(),
            now,
            EventOrigin.ASP)
        .compose(log -> appendFirstEvents(conn, log, request, reply))
        .compose(
            announcement ->
                Idempotency.remember(
                        conn,
                        request.caller(),
                        SessionQueries.CREATE_SCOPE,
                        request.idempotencyKey(),
                        reply,
                        now)
                    .map(stored -> new Committed(reply, announcement)));
  }

  /** The initial message, the invitations (carrying it inline for send-and-end), then the end. */
  private static Future<Announcement> appendFirstEvents(
      SqlConnection conn, EventLog log, Request request, JsonObject reply) {
    JsonObject message = null;
    if (request.initialMessage() != null) {
      message =
          log.appendMessage(
                  request.caller(),
                  request.initialMessage().content(),
                  request.initialMessage().metadata(),
                  null)
              .payload();
      reply.put(Fields.SEQUENCE, message.getLong(Fields.SEQUENCE));
    }
    JsonObject inlined = request.endAfterSend() ? message : null;
    return Membership.invite(
            conn, log, request.invitees(), request.caller(), request.topic(), inlined)
        // ended last: the invitations (carrying the message inline) come before it
        .compose(
            v ->
                request.endAfterSend()
                    ? Membership.end(conn, log, request.caller())
                    : Future.succeededFuture())
        .compose(v -> log.write(conn));
  }
}
