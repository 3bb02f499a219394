package dev.asp.session.impl;

import dev.asp.protocol.Event;
import dev.asp.protocol.Fields;
import dev.asp.protocol.MessageLimits;
import dev.asp.session.log.Committed;
import dev.asp.session.log.EventLog;
import dev.asp.session.log.Idempotency;
import dev.asp.session.log.SessionSnapshot;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;

/**
 * {@code SEND}: appends one {@code session.message} from a joined participant of an active session.
 * The idempotency key is looked up after the row lock is taken, so concurrent retries of one send
 * serialize on the lock and the later ones find the stored result; the key's unique constraint
 * stays the real guard.
 */
public final class SendMessage {
  private final Pool pool;
  private final MessageLimits limits;

  public SendMessage(Pool pool, MessageLimits limits) {
    this.pool = pool;
    this.limits = limits;
  }

  /** A validated {@code SEND}. */
  record Request(
      String caller, String sessionId, Requests.NewMessage message, String idempotencyKey) {}

  /** Validates a {@code SEND} body; throws {@code AspException} for a bad one. */
  Request parse(JsonObject body) {
    return new Request(
        Requests.caller(body),
        Requests.sessionId(body),
        Requests.message(body, limits),
        Requests.idempotencyKey(body));
  }

  public Future<Committed> handle(JsonObject body) {
    return handle(parse(body));
  }

  /** The send alone in its own transaction. */
  Future<Committed> handle(Request request) {
    return pool.withTransaction(
            conn ->
                SessionSnapshot.lock(conn, request.sessionId(), request.caller())
                    .compose(session -> replayOrAppend(conn, session, request)))
        .recover(
            Idempotency.winnerOnLostRace(
                pool, request.caller(), request.sessionId(), request.idempotencyKey()));
  }

  private Future<Committed> replayOrAppend(
      SqlConnection conn, SessionSnapshot session, Request request) {
    // A stored result is returned before the state checks: the first attempt succeeded, so its
    // retry must too, even if the session ended in between.
    return Idempotency.find(conn, request.caller(), request.sessionId(), request.idempotencyKey())
        .compose(
            stored ->
                stored != null
                    ? Future.succeededFuture(Committed.replay(stored))
                    : append(conn, session.requireActive().requireJoined(), request));
  }

  private Future<Committed> append(SqlConnection conn, SessionSnapshot session, Request request) {
    EventLog log = session.log(System.currentTimeMillis());
    JsonObject reply = append(log, request);
    return log.write(conn)
        .compose(
            announcement ->
                Idempotency.remember(
                        conn,
                        request.caller(),
                        request.sessionId(),
                        request.idempotencyKey(),
                        reply,
                        log.now())
                    .map(stored -> new Committed(reply, announcement)));
  }

  /** Appends the request's message to {@code log}; returns the reply {message_id, sequence}. */
  static JsonObject append(EventLog log, Request request) {
    Event message =
        log.appendMessage(
            request.caller(),
            request.message().content(),
            request.message().metadata(),
            request.idempotencyKey());
    return new JsonObject()
        .put(Fields.MESSAGE_ID, message.payload().getString(Fields.ID))
        .put(Fields.SEQUENCE, message.sequence());
  }
}
