package dev.asp.session.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import dev.asp.protocol.ParticipantStatus;
import dev.asp.session.log.Committed;
import dev.asp.session.log.EventLog;
import dev.asp.session.log.LeaveEffect;
import dev.asp.session.log.Membership;
import dev.asp.session.log.SessionSnapshot;
import dev.asp.session.log.TrustGate;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;
import java.util.Map;

/**
 * {@code JOIN}, {@code INVITE}, {@code LEAVE} and {@code END}: the commands that change who takes
 * part in an active session. Each runs in one transaction under the session row lock.
 */
public final class Participation {
  private static final JsonObject OK = new JsonObject().put(Fields.OK, true);

  private final Pool pool;
  private final TrustGate trust;
  private final LeaveEffect effect;

  public Participation(Pool pool, TrustGate trust, LeaveEffect effect) {
    this.effect = effect;
    this.pool = pool;
    this.trust = trust;
  }

  /** What a command does once it holds the lock of the caller's session. */
  @FunctionalInterface
  private interface LockedCommand {
    Future<Committed> run(SqlConnection conn, SessionSnapshot session, String caller);
  }

  /**
   * Invited → joined. Joining twice is a no-op; a left participant needs a fresh invitation; a
   * session whose joined participants already number its {@code max_participants} refuses with
   * {@code conflict}, writing nothing.
   */
  public Future<Committed> join(JsonObject body) {
    return locked(
        body,
        (conn, session, caller) -> {
          session.requireActive();
          if (session.callerStatus() == ParticipantStatus.JOINED) {
            return Future.succeededFuture(Committed.replay(OK));
          }
          if (session.callerStatus() == ParticipantStatus.LEFT) {
            throw new AspException(ErrorCode.FORBIDDEN, "return is only by a fresh invitation");
          }
          return notFull(conn, session)
              .compose(
                  v -> {
                    EventLog log = session.log(System.currentTimeMillis());
                    return Membership.join(conn, log, caller).compose(w -> commit(conn, log, OK));
                  });
        });
  }

  /** Counted under the row lock, so two joins cannot both take the last place. */
  private static Future<Void> notFull(SqlConnection conn, SessionSnapshot session) {
    if (session.maxParticipants() == null) {
      return Future.succeededFuture();
    }
    return Membership.countJoined(conn, session.id())
        .map(
            joined -> {
              if (session.full(joined)) {
                throw new AspException(ErrorCode.CONFLICT, "session is full");
              }
              return null;
            });
  }

  /**
   * Invites the requested handles that are not invited or joined yet and that trust lets the caller
   * reach; the others are silently omitted (no enumeration). The trust call happens between a
   * pre-check and the transaction, so no lock is held while waiting on the bus.
   */
  public Future<Committed> invite(JsonObject body) {
    String caller = Requests.caller(body);
    String id = Requests.sessionId(body);
    if (!(body.getValue(Fields.INVITE) instanceof JsonArray raw) || raw.isEmpty()) {
      throw Requests.invalid(Fields.INVITE + " must name at least one handle");
    }
    List<String> requested = Requests.invitees(body, caller);
    return SessionSnapshot.peek(pool, id, caller)
        .map(session -> session.requireActive().requireJoined())
        .compose(session -> Membership.statuses(pool, id))
        .compose(
            statuses ->
                trust.reachable(caller, notInvitedOrJoined(requested, statuses), members(statuses)))
        .compose(
            reachable ->
                locked(body, (conn, session, by) -> inviteLocked(conn, session, reachable)));
  }

  private Future<Committed> inviteLocked(
      SqlConnection conn, SessionSnapshot session, List<String> reachable) {
    session.requireActive().requireJoined();
    EventLog log = session.log(System.currentTimeMillis());
    return Membership.statuses(conn, session.id())
        // re-filtered under the lock: someone may have invited them since the pre-check
        .map(statuses -> notInvitedOrJoined(reachable, statuses))
        .compose(
            fresh ->
                Membership.invite(conn, log, fresh, session.caller(), session.topic(), null)
                    .map(v -> new JsonObject().put(Fields.INVITED, new JsonArray(fresh))))
        .compose(reply -> commit(conn, log, reply));
  }

  /** Joined → left; the last joined participant to leave also ends the session. */
  public Future<Committed> leave(JsonObject body) {
    return locked(
        body,
        (conn, session, caller) -> {
          session.requireActive().requireJoined();
          EventLog log = session.log(System.currentTimeMillis());
          return Membership.leave(conn, log, caller, true, ParticipantStatus.JOINED, effect)
              .compose(v -> commit(conn, log, OK));
        });
  }

  public Future<Committed> end(JsonObject body) {
    return locked(
        body,
        (conn, session, caller) -> {
          session.requireActive().requireJoined();
          EventLog log = session.log(System.currentTimeMillis());
          return Membership.end(conn, log, caller).compose(v -> commit(conn, log, OK));
        });
  }

  private Future<Committed> locked(JsonObject body, LockedCommand command) {
    String caller = Requests.caller(body);
    String id = Requests.sessionId(body);
    return pool.withTransaction(
        conn ->
            SessionSnapshot.lock(conn, id, caller)
                .compose(session -> command.run(conn, session, caller)));
  }

  static Future<Committed> commit(SqlConnection conn, EventLog log, JsonObject reply) {
    return log.write(conn).map(announcement -> new Committed(reply, announcement));
  }

  /** Those currently in the session (invited or joined). */
  private static List<String> members(Map<String, ParticipantStatus> statuses) {
    return statuses.entrySet().stream()
        .filter(entry -> entry.getValue() != ParticipantStatus.LEFT)
        .map(Map.Entry::getKey)
        .toList();
  }

  private static List<String> notInvitedOrJoined(
      List<String> handles, Map<String, ParticipantStatus> statuses) {
    return handles.stream()
        .filter(
            handle -> {
              ParticipantStatus status = statuses.get(handle);
              return status == null || status == ParticipantStatus.LEFT;
            })
        .toList();
  }
}
