package dev.asp.session.impl;

import dev.asp.protocol.Fields;
import dev.asp.protocol.ParticipantStatus;
import dev.asp.protocol.SessionState;
import dev.asp.session.log.Committed;
import dev.asp.session.log.EventAnnouncer;
import dev.asp.session.log.EventLog;
import dev.asp.session.log.LeaveEffect;
import dev.asp.session.log.Membership;
import dev.asp.session.log.SessionSnapshot;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expires grace windows: every agent whose deadline passed leaves each active session where it is
 * still joined with {@code session.left {agent, reason:"grace_expired"}} (ending the session when
 * nobody joined remains), then its deadline is deleted.
 *
 * <p>Deadlines are rows, so a pending expiry survives a restart and any instance finishes the job
 * of one that died (P6). Several sweepers may run at once: each session is expired in its own
 * transaction that first locks the agent's grace row, still due, then the session row (the lock
 * order everywhere), and re-checks that the agent is still joined. A sweeper that finds the row
 * gone or no longer due stops: the agent came back, and gets no {@code grace_expired}. A sweeper
 * that finds the agent already left does nothing, so no session gets two.
 */
public final class GraceSweeper {
  private static final Logger LOG = LoggerFactory.getLogger(GraceSweeper.class);

  /** Agents expired per tick at most; a fuller backlog carries over to the next ticks. */
  static final int BATCH = 100;

  private final Vertx vertx;
  private final Pool pool;
  private final EventAnnouncer announcer;
  private final SessionMeters meters;
  private final long intervalMs;
  private final LeaveEffect effect;
  private long timer = -1;
  private Future<Void> running = Future.succeededFuture();

  public GraceSweeper(
      Vertx vertx,
      Pool pool,
      EventAnnouncer announcer,
      SessionMeters meters,
      long intervalMs,
      LeaveEffect effect) {
    this.effect = effect;
    this.vertx = vertx;
    this.pool = pool;
    this.announcer = announcer;
    this.meters = meters;
    this.intervalMs = intervalMs;
  }

  /** Starts the periodic sweep (on the caller's context). */
  public void start() {
    timer = vertx.setPeriodic(intervalMs, tick -> sweep());
  }

  /** Cancels the timer; completes when a sweep under way has finished (before the pool closes). */
  public Future<Void> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    return running.otherwiseEmpty();
  }

  /** One tick; skipped while the previous one still runs, so ticks never pile up. */
  private void sweep() {
    if (!running.isComplete()) {
      return;
    }
    running = sweepOnce();
  }

  private Future<Void> sweepOnce() {
    return pool.preparedQuery(SessionQueries.DUE_GRACE)
        .execute(Tuple.of(BATCH))
        .compose(
            rows -> {
              Future<Void> done = Future.succeededFuture();
              for (Row row : rows) {
                String agent = row.getString("agent");
                done = done.compose(v -> expire(agent));
              }
              return done;
            })
        .onFailure(failure -> LOG.warn("grace sweep failed; retrying next tick", failure));
  }

  private Future<Void> expire(String agent) {
    return pool.preparedQuery(SessionQueries.JOINED_ACTIVE_SESSIONS)
        .execute(Tuple.of(agent, ParticipantStatus.JOINED.wire(), SessionState.ACTIVE.wire()))
        .compose(
            rows -> {
              Future<Boolean> stillDue = Future.succeededFuture(true);
              for (Row row : rows) {
                String id = row.getString("session_id");
                stillDue =
                    stillDue.compose(
                        due -> due ? leaveOne(agent, id) : Future.succeededFuture(false));
              }
              return stillDue;
            })
        .compose(
            due ->
                !due
                    ? Future.succeededFuture()
                    : pool.preparedQuery(SessionQueries.END_GRACE)
                        .execute(Tuple.of(agent))
                        .onSuccess(
                            ended -> {
                              if (ended.rowCount() > 0) {
                                meters.graceExpired();
                                LOG.atInfo()
                                    .addKeyValue("agent", agent)
                                    .log("grace window expired: the agent left its sessions");
                              }
                            })
                        .mapEmpty());
  }

  /** False when the agent's deadline is gone or moved: it came back, stop expiring it. */
  private Future<Boolean> leaveOne(String agent, String id) {
    return pool.withTransaction(conn -> leaveLocked(conn, agent, id))
        .map(
            committed -> {
              if (committed == null) {
                return false;
              }
              announcer.announce(committed);
              return true;
            });
  }

  /** Null when the grace row is no longer due; else what was committed (maybe nothing). */
  private Future<Committed> leaveLocked(SqlConnection conn, String agent, String id) {
    return conn.preparedQuery(SessionQueries.LOCK_DUE_GRACE)
        .execute(Tuple.of(agent))
        .compose(
            grace ->
                grace.size() == 0
                    ? Future.succeededFuture(null)
                    : SessionSnapshot.lock(conn, id, agent)
                        .compose(session -> leaveIfJoined(conn, session, agent)));
  }

  private Future<Committed> leaveIfJoined(
      SqlConnection conn, SessionSnapshot session, String agent) {
    if (!session.active() || session.callerStatus() != ParticipantStatus.JOINED) {
      return Future.succeededFuture(Committed.replay(new JsonObject()));
    }
    EventLog log = session.log(System.currentTimeMillis());
    return Membership.leave(
            conn, log, agent, true, ParticipantStatus.JOINED, Fields.REASON_GRACE_EXPIRED, effect)
        .compose(v -> Participation.commit(conn, log, new JsonObject()));
  }
}
