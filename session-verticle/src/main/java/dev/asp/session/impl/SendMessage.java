package dev.asp.session.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Event;
import dev.asp.protocol.EventOrigin;
import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.protocol.Ids;
import dev.asp.protocol.MessageLimits;
import dev.asp.protocol.ParticipantStatus;
import dev.asp.protocol.SessionState;
import dev.asp.session.log.Announcement;
import dev.asp.session.log.EventLog;
import dev.asp.session.log.Idempotency;
import dev.asp.session.log.LogQueries;
import dev.asp.storage.SqlStates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code SEND}: appends {@code session.message}s from joined participants of active sessions. A
 * group of sends, to one session or many, is one call of {@code asp_send_messages} (one statement,
 * one transaction, one commit), each send with the checks, idempotency and reply it would have
 * alone; {@link SendBatcher} forms the groups. The idempotency key is looked up after the row lock
 * is taken, so concurrent retries of one send serialize on the lock and the later ones find the
 * stored result; the key's primary key stays the guard.
 */
public final class SendMessage {
  private static final String MESSAGE = EventType.MESSAGE.wire();

  private final Pool pool;
  private final MessageLimits limits;

  public SendMessage(Pool pool, MessageLimits limits) {
    this.pool = pool;
    this.limits = limits;
  }

  /** A validated {@code SEND}. */
  record Request(
      String caller, String sessionId, Requests.NewMessage message, String idempotencyKey) {}

  /** One send of a group: its reply, or the error for that send alone. */
  record Outcome(JsonObject reply, AspException error) {}

  /** What a group committed: one outcome per send, in order, and one announcement per session. */
  record Group(List<Outcome> outcomes, List<Announcement> announcements) {}

  /** Validates a {@code SEND} body; throws {@code AspException} for a bad one. */
  Request parse(JsonObject body) {
    return new Request(
        Requests.caller(body),
        Requests.sessionId(body),
        Requests.message(body, limits),
        Requests.idempotencyKey(body));
  }

  /**
   * The sends in one transaction. Fails as a whole only when nothing was committed: the database
   * failed, or a concurrent request took one of the keys (see {@link #alone}).
   */
  Future<Group> together(List<Request> requests) {
    int n = requests.size();
    long now = System.currentTimeMillis();
    String[] sessions = new String[n];
    String[] callers = new String[n];
    String[] keys = new String[n];
    String[] eventIds = new String[n];
    String[] payloads = new String[n];
    List<JsonObject> envelopes = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Request request = requests.get(i);
      sessions[i] = request.sessionId();
      callers[i] = request.caller();
      keys[i] = request.idempotencyKey();
      eventIds[i] = Ids.newEventId();
      // the sequence is the database's to assign: a placeholder here, replaced there and below
      JsonObject envelope =
          EventLog.messageEnvelope(
              Ids.newMessageId(),
              request.sessionId(),
              request.caller(),
              0L,
              request.message().content(),
              now,
              request.idempotencyKey(),
              request.message().metadata());
      envelopes.add(envelope);
      payloads[i] = envelope.encode();
    }
    Tuple params =
        Tuple.tuple()
            .addArrayOfString(sessions)
            .addArrayOfString(callers)
            .addArrayOfString(keys)
            .addArrayOfString(eventIds)
            .addArrayOfString(payloads)
            .addLong(now)
            .addString(MESSAGE)
            .addString(EventOrigin.ASP.wire())
            .addString(SessionState.ACTIVE.wire())
            .addString(ParticipantStatus.JOINED.wire());
    return pool.preparedQuery(LogQueries.SEND_MESSAGES)
        .execute(params)
        .map(rows -> group(rows, eventIds, envelopes, now));
  }

  /**
   * One send in its own transaction, for a group that failed as a whole: a lost race for its key
   * becomes the winner's stored reply, read after the rollback.
   */
  Future<Group> alone(Request request) {
    return together(List.of(request))
        .recover(
            failure -> {
              if (request.idempotencyKey() != null
                  && failure instanceof PgException pg
                  && SqlStates.UNIQUE_VIOLATION.equals(pg.getSqlState())) {
                return Idempotency.find(
                        pool, request.caller(), request.sessionId(), request.idempotencyKey())
                    .compose(
                        stored ->
                            stored == null
                                ? Future.failedFuture(failure)
                                : Future.succeededFuture(
                                    new Group(List.of(new Outcome(stored, null)), List.of())));
              }
              return Future.failedFuture(failure);
            });
  }

  private static Group group(
      RowSet<Row> rows, String[] eventIds, List<JsonObject> envelopes, long now) {
    Outcome[] outcomes = new Outcome[envelopes.size()];
    Map<String, List<Event>> appended = new HashMap<>();
    List<Announcement> announcements = new ArrayList<>();
    Map<String, Announcement> bySession = new LinkedHashMap<>();
    for (Row row : rows) {
      int ord = row.getInteger("o_ord");
      String sessionId = row.getString("o_session");
      String outcome = row.getString("o_outcome");
      if (ord < 0) { // participants of a session that was appended to: after every send's row
        bySession.put(
            sessionId,
            new Announcement(
                sessionId,
                appended.get(sessionId),
                EventLog.participantsJson(
                    row.getArrayOfStrings("o_handles"),
                    row.getArrayOfStrings("o_statuses"),
                    row.getArrayOfLongs("o_left"))));
        continue;
      }
      outcomes[ord] =
          switch (outcome) {
            case "appended" -> {
              long sequence = row.getLong("o_seq");
              JsonObject envelope = envelopes.get(ord).put(Fields.SEQUENCE, sequence);
              appended
                  .computeIfAbsent(sessionId, id -> new ArrayList<>())
                  .add(new Event(MESSAGE, sessionId, eventIds[ord], sequence, now, envelope));
              yield new Outcome(
                  new JsonObject()
                      .put(Fields.MESSAGE_ID, envelope.getString(Fields.ID))
                      .put(Fields.SEQUENCE, sequence),
                  null);
            }
            case "replayed" -> new Outcome(row.getJsonObject("o_result"), null);
            case "not_found" -> new Outcome(null, AspException.notFound());
            case "ended" ->
                new Outcome(
                    null, new AspException(ErrorCode.SESSION_ENDED, "the session has ended"));
            case "forbidden" ->
                new Outcome(
                    null,
                    new AspException(ErrorCode.FORBIDDEN, "only joined participants may do this"));
            default -> throw new IllegalStateException("unknown send outcome " + outcome);
          };
    }
    announcements.addAll(bySession.values());
    return new Group(List.of(outcomes), announcements);
  }
}
