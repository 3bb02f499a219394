package dev.asp.session.impl;

import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.protocol.MessageLimits;
import dev.asp.protocol.ParticipantStatus;
import dev.asp.protocol.SessionState;
import dev.asp.session.log.Committed;
import dev.asp.session.log.EventLog;
import dev.asp.session.log.Membership;
import dev.asp.session.log.SessionSnapshot;
import dev.asp.session.log.TrustGate;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code REOPEN}: an ended session becomes active again, same id and transcript. Only an agent that
 * was joined when it ended may reopen it; every other prior participant and every new invitee is
 * invited afresh, subject to the trust policy of now (checked before the transaction, so no lock is
 * held while waiting on the bus).
 *
 * <p>Event order: {@code session.reopened}, one {@code session.invited} per re-invitee (prior
 * participants in handle order, then new invitees in request order), then the optional initial
 * message. Prior participants that trust no longer admits and that were still joined or invited
 * become left without an event, so they cannot act in the reopened session.
 */
public final class Reopen {
  private static final JsonObject OK = new JsonObject().put(Fields.OK, true);

  private final Pool pool;
  private final TrustGate trust;
  private final MessageLimits limits;

  public Reopen(Pool pool, TrustGate trust, MessageLimits limits) {
    this.pool = pool;
    this.trust = trust;
    this.limits = limits;
  }

  private record Request(
      String caller, String sessionId, List<String> invitees, Requests.NewMessage message) {}

  public Future<Committed> handle(JsonObject body) {
    String caller = Requests.caller(body);
    Request request =
        new Request(
            caller,
            Requests.sessionId(body),
            Requests.invitees(body, caller),
            Requests.initialMessage(body, limits));
    return SessionSnapshot.peek(pool, request.sessionId(), caller)
        .map(SessionSnapshot::requireReopenable)
        .compose(session -> Membership.statuses(pool, request.sessionId()))
        .compose(
            statuses -> {
              List<String> targets = targets(request, statuses);
              return trust.reachable(caller, targets, targets);
            })
        .compose(
            reachable ->
                pool.withTransaction(
                    conn ->
                        SessionSnapshot.lock(conn, request.sessionId(), caller)
                            // a concurrent reopen may have won meanwhile: conflict then
                            .map(SessionSnapshot::requireReopenable)
                            .compose(session -> reopen(conn, session, request, reachable))));
  }

  private Future<Committed> reopen(
      SqlConnection conn, SessionSnapshot session, Request request, List<String> reachable) {
    EventLog log = session.log(System.currentTimeMillis());
    // What a prior participant cut off now may still read: everything up to the end.
    long lastBeforeReopen = session.nextSequence() - 1;
    log.append(
        EventType.REOPENED,
        request.caller(),
        new JsonObject().put(Fields.REOPENED_BY, request.caller()));
    return conn.preparedQuery(SessionQueries.REACTIVATE_SESSION)
        .execute(Tuple.of(session.id(), SessionState.ACTIVE.wire()))
        .compose(v -> Membership.statuses(conn, session.id()))
        // no event for the cut-off, so doing it first does not change the order of the log
        .compose(
            statuses -> cutOff(conn, log, statuses, request.caller(), reachable, lastBeforeReopen))
        .compose(
            v -> Membership.invite(conn, log, reachable, request.caller(), session.topic(), null))
        .compose(
            v -> {
              if (request.message() != null) {
                log.appendMessage(
                    request.caller(),
                    request.message().content(),
                    request.message().metadata(),
                    null);
              }
              return Participation.commit(conn, log, OK);
            });
  }

  /**
   * Prior participants not re-invited leave silently. A joined one keeps read access up to the end
   * (it saw all of it); an invited one keeps whatever it could read before, since it never had the
   * transcript.
   */
  private static Future<Void> cutOff(
      SqlConnection conn,
      EventLog log,
      Map<String, ParticipantStatus> statuses,
      String caller,
      List<String> reinvited,
      long lastBeforeReopen) {
    List<Tuple> rows = new ArrayList<>();
    statuses.forEach(
        (handle, status) -> {
          if (!handle.equals(caller)
              && !reinvited.contains(handle)
              && status != ParticipantStatus.LEFT) {
            Long readsUpTo = status == ParticipantStatus.JOINED ? lastBeforeReopen : null;
            rows.add(
                Tuple.of(
                    log.sessionId(), handle, ParticipantStatus.LEFT.wire(), log.now(), readsUpTo));
          }
        });
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(SessionQueries.MARK_LEFT_SILENTLY).executeBatch(rows).mapEmpty();
  }

  /** Every other prior participant (any status), then the new invitees; no duplicates. */
  private static List<String> targets(Request request, Map<String, ParticipantStatus> statuses) {
    Set<String> targets = new LinkedHashSet<>(statuses.keySet());
    targets.addAll(request.invitees());
    targets.remove(request.caller());
    return List.copyOf(targets);
  }
}
