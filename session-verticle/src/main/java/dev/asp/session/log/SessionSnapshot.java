package dev.asp.session.log;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.EventOrigin;
import dev.asp.protocol.ParticipantStatus;
import dev.asp.protocol.SessionKind;
import dev.asp.protocol.SessionState;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * A session as seen by one caller: its state, its kind and the caller's participant status. Taken
 * with {@link #lock} inside a transaction, it holds the session row lock until commit, so no other
 * command can change the state or append to the log and the checks below stay true. Taken with
 * {@link #peek}, it is only a pre-check (before a trust call) that is repeated under the lock.
 *
 * <p>Check order, shared by all commands: unknown session or no participant row → {@code
 * not_found}; then the session state ({@code session_ended} / {@code conflict}); then the caller's
 * status ({@code forbidden}).
 *
 * @param nextSequence the sequence of the session's next event (meaningful only under the lock)
 * @param caller the handle the checks are about
 * @param callerStatus the caller's participant status; never null from {@link #lock} and {@link
 *     #peek} (they fail instead), null from {@link #lockAny} and {@link #peekAny} for a caller
 *     without a participant row
 * @param kind what the session backs
 * @param visibility {@code public} or {@code private} ({@link Sessions#PUBLIC}, {@link
 *     Sessions#PRIVATE})
 * @param maxParticipants the most joined participants the session admits, or null for no limit
 */
public record SessionSnapshot(
    String id,
    SessionState state,
    String topic,
    long nextSequence,
    String caller,
    ParticipantStatus callerStatus,
    SessionKind kind,
    String visibility,
    Integer maxParticipants) {

  /**
   * Locks {@code sessionId} and reads {@code caller}'s participant row; fails {@code not_found}
   * when either is missing.
   */
  public static Future<SessionSnapshot> lock(SqlConnection conn, String sessionId, String caller) {
    return read(conn, LogQueries.LOCK_SESSION, sessionId, caller, false);
  }

  /** Like {@link #lock} without the lock, for checks made before a transaction. */
  public static Future<SessionSnapshot> peek(SqlClient client, String sessionId, String caller) {
    return read(client, LogQueries.PEEK_SESSION, sessionId, caller, false);
  }

  /**
   * Like {@link #lock}, but a caller without a participant row gets a snapshot whose {@link
   * #callerStatus()} is null instead of {@code not_found} (joining a public session); fails {@code
   * not_found} only for an unknown session.
   */
  public static Future<SessionSnapshot> lockAny(
      SqlConnection conn, String sessionId, String caller) {
    return read(conn, LogQueries.LOCK_SESSION, sessionId, caller, true);
  }

  /** Like {@link #lockAny} without the lock. */
  public static Future<SessionSnapshot> peekAny(SqlClient client, String sessionId, String caller) {
    return read(client, LogQueries.PEEK_SESSION, sessionId, caller, true);
  }

  private static Future<SessionSnapshot> read(
      SqlClient conn, String sessionQuery, String sessionId, String caller, boolean strangers) {
    // One round trip: the session row (locked or not) with the caller's participant row, if any.
    return conn.preparedQuery(sessionQuery)
        .execute(Tuple.of(sessionId, caller))
        .map(
            rows -> {
              Row session = single(rows);
              String status = session.getString("status");
              if (status == null && !strangers) {
                throw AspException.notFound();
              }
              return new SessionSnapshot(
                  sessionId,
                  SessionState.fromWire(session.getString("state")),
                  session.getString("topic"),
                  session.getLong("next_sequence"),
                  caller,
                  status == null ? null : ParticipantStatus.fromWire(status),
                  SessionKind.fromWire(session.getString("kind")),
                  session.getString("visibility"),
                  session.getInteger("max_participants"));
            });
  }

  /** The only row, or {@code not_found}: an absent session and an absent participant look alike. */
  public static Row single(RowSet<Row> rows) {
    if (rows.size() == 0) {
      throw AspException.notFound();
    }
    return rows.iterator().next();
  }

  public boolean active() {
    return state == SessionState.ACTIVE;
  }

  /** Whether the caller has a participant row (any status). */
  public boolean participant() {
    return callerStatus != null;
  }

  /** Fails {@code session_ended} unless the session is active. */
  public SessionSnapshot requireActive() {
    if (!active()) {
      throw new AspException(ErrorCode.SESSION_ENDED, "the session has ended");
    }
    return this;
  }

  /**
   * Fails {@code conflict} if the session is not of kind {@code asp} (the other kinds have their
   * own lifecycles, hub spec §2.2) or is active, {@code forbidden} unless the caller was joined
   * when it ended (its status then stays joined).
   */
  public SessionSnapshot requireReopenable() {
    if (kind != SessionKind.ASP) {
      throw new AspException(ErrorCode.CONFLICT, "only an ASP session can be reopened");
    }
    if (active()) {
      throw new AspException(ErrorCode.CONFLICT, "the session is active");
    }
    return requireJoined();
  }

  /** Fails {@code forbidden} unless the caller is joined. */
  public SessionSnapshot requireJoined() {
    if (callerStatus != ParticipantStatus.JOINED) {
      throw new AspException(ErrorCode.FORBIDDEN, "only joined participants may do this");
    }
    return this;
  }

  /** Whether joining would exceed {@link #maxParticipants()}, given the joined count now. */
  public boolean full(long joined) {
    return maxParticipants != null && joined >= maxParticipants;
  }

  /**
   * A log of an ASP command that continues this session's sequence; only for a snapshot taken with
   * the lock.
   */
  public EventLog log(long now) {
    return log(now, EventOrigin.ASP);
  }

  /** A log for a command of {@code origin}; only for a snapshot taken with the lock. */
  public EventLog log(long now, EventOrigin origin) {
    return new EventLog(id, nextSequence, now, origin);
  }
}
