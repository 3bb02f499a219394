package dev.asp.session.impl;

import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.protocol.ParticipantStatus;
import dev.asp.protocol.SessionState;
import dev.asp.session.log.Committed;
import dev.asp.session.log.EventAnnouncer;
import dev.asp.session.log.EventLog;
import dev.asp.session.log.SessionSnapshot;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/**
 * Appends {@code session.disconnected} / {@code session.reconnected} for one agent to the active
 * sessions where it is joined, one transaction per session under its row lock (never two session
 * locks at once), each announced as soon as it commits.
 *
 * <p>An offline and an online pass of the same agent may run concurrently (a connection that drops
 * and returns at once). Each pass therefore decides under the session lock from the agent's
 * presence as committed now and the participant's disconnected mark, and only appends what flips
 * the mark to match presence: a session's presence events alternate, and the last pass to run
 * leaves every mark matching the final presence.
 */
public final class PresenceNotices {
  private final Pool pool;
  private final SessionByTransaction sessions;

  public PresenceNotices(Pool pool, EventAnnouncer announcer) {
    this.pool = pool;
    this.sessions = new SessionByTransaction(pool, announcer);
  }

  /** {@code session.disconnected {agent}} where it is joined; the sessions changed now. */
  public Future<List<String>> disconnected(String agent) {
    return pass(agent, true);
  }

  /** {@code session.reconnected {agent}} where it is marked disconnected; the sessions changed. */
  public Future<List<String>> reconnected(String agent) {
    return pass(agent, false);
  }

  private Future<List<String>> pass(String agent, boolean offline) {
    // Not pre-filtered by the mark: a concurrent pass may be about to commit its flip of a session,
    // and only under that session's lock does this pass see it.
    return pool.preparedQuery(SessionQueries.JOINED_ACTIVE_SESSIONS)
        .execute(Tuple.of(agent, ParticipantStatus.JOINED.wire(), SessionState.ACTIVE.wire()))
        .compose(rows -> sessions.apply(rows, (conn, id) -> markLocked(conn, id, agent, offline)));
  }

  private static Future<Committed> markLocked(
      SqlConnection conn, String id, String agent, boolean offline) {
    Committed nothing = Committed.replay(new JsonObject());
    return SessionSnapshot.lock(conn, id, agent)
        .compose(
            session -> {
              // Re-checked under the lock: it may have left, or the session ended, since listing.
              if (!session.active() || session.callerStatus() != ParticipantStatus.JOINED) {
                return Future.succeededFuture(nothing);
              }
              return conn.preparedQuery(SessionQueries.PRESENCE_MARK)
                  .execute(Tuple.of(id, agent))
                  .compose(
                      rows -> {
                        Row mark = rows.iterator().next();
                        boolean marked = mark.getBoolean("disconnected");
                        boolean online = mark.getBoolean("online");
                        if (marked == offline || online == offline) {
                          return Future.succeededFuture(nothing);
                        }
                        EventLog log = session.log(System.currentTimeMillis());
                        log.append(
                            offline ? EventType.DISCONNECTED : EventType.RECONNECTED,
                            agent,
                            new JsonObject().put(Fields.AGENT, agent));
                        return conn.preparedQuery(SessionQueries.SET_DISCONNECTED)
                            .execute(Tuple.of(id, agent, offline))
                            .compose(v -> Participation.commit(conn, log, new JsonObject()));
                      });
            });
  }
}
