package dev.asp.session.impl;

import dev.asp.protocol.ParticipantStatus;
import dev.asp.protocol.bus.BusFields;
import dev.asp.session.log.Committed;
import dev.asp.session.log.EventAnnouncer;
import dev.asp.session.log.EventLog;
import dev.asp.session.log.LeaveEffect;
import dev.asp.session.log.Membership;
import dev.asp.session.log.SessionSnapshot;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * {@code FORCE_LEAVE}, sent by trust after a block: the blocked agent leaves every session it
 * shares with the blocker, with an ordinary {@code session.left} (the others never learn why). Each
 * session changes in its own transaction under its own lock, and its events are announced as soon
 * as it commits, so a failure half-way loses nothing already done; a retry is idempotent.
 */
public final class ForceLeave {
  private final Pool pool;
  private final SessionByTransaction sessions;
  private final LeaveEffect effect;

  public ForceLeave(Pool pool, EventAnnouncer announcer, LeaveEffect effect) {
    this.effect = effect;
    this.pool = pool;
    this.sessions = new SessionByTransaction(pool, announcer);
  }

  /** {@code {blocker, blocked}} → {@code {sessions:[session_id]}} (the sessions changed now). */
  public Future<JsonObject> handle(JsonObject body) {
    String blocker = Requests.handle(body, BusFields.BLOCKER);
    String blocked = Requests.handle(body, BusFields.BLOCKED);
    return pool.preparedQuery(SessionQueries.SHARED_SESSIONS)
        .execute(sharedArgs(blocker, blocked))
        .compose(
            rows -> sessions.apply(rows, (conn, id) -> leaveLocked(conn, id, blocker, blocked)))
        .map(changed -> new JsonObject().put(BusFields.SESSIONS, new JsonArray(changed)));
  }

  private Future<Committed> leaveLocked(
      SqlConnection conn, String id, String blocker, String blocked) {
    return SessionSnapshot.lock(conn, id, blocked)
        .compose(
            session ->
                // Re-checked under the lock: a concurrent leave or retry may have done it already.
                blockerStillThere(conn, id, blocker)
                    .compose(
                        shared -> {
                          if (!shared || session.callerStatus() == ParticipantStatus.LEFT) {
                            return Future.succeededFuture(Committed.replay(new JsonObject()));
                          }
                          EventLog log = session.log(System.currentTimeMillis());
                          return Membership.leave(
                                  conn,
                                  log,
                                  blocked,
                                  session.active(),
                                  session.callerStatus(),
                                  effect)
                              .compose(v -> Participation.commit(conn, log, new JsonObject()));
                        }));
  }

  private static Future<Boolean> blockerStillThere(SqlConnection conn, String id, String blocker) {
    return conn.preparedQuery(SessionQueries.SELECT_PARTICIPANT)
        .execute(Tuple.of(id, blocker))
        .map(
            rows ->
                rows.size() == 1
                    && ParticipantStatus.fromWire(rows.iterator().next().getString("status"))
                        != ParticipantStatus.LEFT);
  }

  private static Tuple sharedArgs(String blocker, String blocked) {
    return Tuple.of(
        blocker,
        blocked,
        ParticipantStatus.LEFT.wire(),
        ParticipantStatus.INVITED.wire(),
        ParticipantStatus.JOINED.wire());
  }
}
