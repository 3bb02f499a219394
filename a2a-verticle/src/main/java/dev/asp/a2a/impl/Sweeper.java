package dev.asp.a2a.impl;

import dev.asp.protocol.EventOrigin;
import dev.asp.protocol.SessionKind;
import dev.asp.protocol.SessionState;
import dev.asp.session.log.Committed;
import dev.asp.session.log.EventAnnouncer;
import dev.asp.session.log.EventLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes the session deadlines of hub spec §6.1 and §13 on every A2A node, every {@code
 * ASP_A2A_SWEEP_MS}: converge windows that ended ({@code completed}) and sessions idle for {@code
 * ASP_A2A_SESSION_IDLE_MS} since their last event ({@code failed}; for the session of a pipeline,
 * the pipeline fails with it). The deadlines are rows compared with the database clock, so a node
 * that died leaves its sessions to whichever node sweeps next, and a restart changes nothing.
 * Several sweepers may pick the same session: each finishes it in a transaction that takes the
 * session row lock ({@code SKIP LOCKED}: a session another transaction holds waits for the next
 * tick) and re-checks the deadline under it, so the second finds it done and appends nothing.
 */
public final class Sweeper {
  private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);

  /** Sessions finished per question per tick at most; a backlog carries over. */
  static final int BATCH = 50;

  private final Vertx vertx;
  private final Pool pool;
  private final EventAnnouncer announcer;
  private final Convergence convergence;
  private final Pipelines pipelines;
  private final long intervalMs;
  private final long idleMs;
  private final List<java.util.function.Supplier<Future<Void>>> alsoEachTick;
  private long timer = -1;
  private Future<Void> running = Future.succeededFuture();

  public Sweeper(
      Vertx vertx,
      Pool pool,
      EventAnnouncer announcer,
      BoardCommands board,
      Pipelines pipelines,
      long intervalMs,
      long idleMs,
      List<java.util.function.Supplier<Future<Void>>> alsoEachTick) {
    this.vertx = vertx;
    this.pool = pool;
    this.announcer = announcer;
    this.convergence = board.convergence();
    this.pipelines = pipelines;
    this.intervalMs = intervalMs;
    this.idleMs = idleMs;
    this.alsoEachTick = List.copyOf(alsoEachTick);
  }

  public void start() {
    timer = vertx.setPeriodic(intervalMs, tick -> tick());
  }

  /** Cancels the timer; completes when a sweep under way has finished. */
  public Future<Void> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    return running.otherwiseEmpty();
  }

  private void tick() {
    if (running.isComplete()) {
      running = sweepOnce();
    }
  }

  /**
   * One sweep: ended windows first, then idle sessions, then the other durable deadlines of the
   * layer ({@code alsoEachTick}: deliberation phases, undelivered notices), each on its own so one
   * failing does not hold back the others.
   */
  Future<Void> sweepOnce() {
    Future<Void> sessions =
        pool.preparedQuery(A2aQueries.DUE_CONVERGED)
            .execute(Tuple.of(BATCH))
            .compose(rows -> each(ids(rows)))
            .compose(
                v ->
                    pool.preparedQuery(A2aQueries.IDLE_CANDIDATES).execute(Tuple.of(idleMs, BATCH)))
            .compose(rows -> each(ids(rows)))
            .onFailure(
                failure -> LOG.warn("session deadline sweep failed; retrying next tick", failure))
            .otherwiseEmpty();
    Future<Void> done = sessions;
    for (java.util.function.Supplier<Future<Void>> job : alsoEachTick) {
      done = done.compose(v -> job.get().otherwiseEmpty());
    }
    return done;
  }

  private Future<Void> each(List<String> ids) {
    Future<Void> done = Future.succeededFuture();
    for (String id : ids) {
      done =
          done.compose(
              v ->
                  pool.withTransaction(conn -> finish(conn, id))
                      .map(
                          committed -> {
                            announcer.announce(committed);
                            return (Void) null;
                          }));
    }
    return done;
  }

  /**
   * Under the session lock: whatever deadline passed is finished, else nothing (also when another
   * transaction holds the lock: the next tick looks again).
   */
  private Future<Committed> finish(SqlConnection conn, String id) {
    return A2aSession.tryLock(conn, id)
        .compose(
            session ->
                session == null
                    ? Future.succeededFuture(Committed.replay(new JsonObject()))
                    : conn.preparedQuery(A2aQueries.DEADLINES)
                        .execute(Tuple.of(id))
                        .compose(rows -> finish(conn, session, rows.iterator().next())));
  }

  private Future<Committed> finish(SqlConnection conn, A2aSession session, Row deadlines) {
    Committed nothing = Committed.replay(new JsonObject());
    if (session.state() != SessionState.ACTIVE) {
      return Future.succeededFuture(nothing);
    }
    String status = deadlines.getString("status");
    long dbNow = deadlines.getLong("db_now");
    Long completesAt = deadlines.getLong("completes_at");
    EventLog log =
        new EventLog(
            id(session), session.nextSequence(), System.currentTimeMillis(), EventOrigin.HUB);
    if (A2aSession.CONVERGING.equals(status) && completesAt != null && completesAt <= dbNow) {
      boolean forced = deadlines.getBoolean("forced");
      return Tasks.read(conn, session.id())
          .compose(tasks -> convergence.complete(conn, log, session, tasks, forced))
          .compose(v -> write(conn, log));
    }
    Long lastEvent = deadlines.getLong("last_event_at");
    long lastActivity =
        Math.max(deadlines.getLong("updated_at"), lastEvent == null ? 0 : lastEvent);
    boolean open = A2aSession.ACTIVE.equals(status) || A2aSession.CONVERGING.equals(status);
    if (!open) {
      return Future.succeededFuture(nothing);
    }
    if (dbNow - lastActivity >= idleMs) {
      Future<Void> failed =
          session.kind() == SessionKind.PIPELINE
              ? pipelines.failIdle(conn, log, session)
              : convergence.fail(conn, log, session, status);
      return failed.compose(v -> write(conn, log));
    }
    // an event the A2A side did not see (an ASP message) kept it alive: remember it, so the
    // session is not a candidate again before it is idle
    return conn.preparedQuery(A2aQueries.TOUCH_SESSION)
        .execute(Tuple.of(session.id(), lastActivity))
        .map(nothing);
  }

  private static Future<Committed> write(SqlConnection conn, EventLog log) {
    return log.write(conn).map(announcement -> new Committed(new JsonObject(), announcement));
  }

  private static String id(A2aSession session) {
    return session.id();
  }

  private static List<String> ids(RowSet<Row> rows) {
    List<String> ids = new ArrayList<>();
    rows.forEach(row -> ids.add(row.getString("session_id")));
    return ids;
  }
}
