package dev.asp.session.log;

/**
 * The SQL of the append path: locking a session, appending its events, the participant changes that
 * come with them, and idempotency keys. Public because every module that appends to a session's log
 * (the session verticle, the A2A verticle) runs these same statements, never a copy. Status, state
 * and event-type literals are bound as parameters from the protocol enums.
 */
public final class LogQueries {
  private LogQueries() {}

  // --- sessions ---

  /** $2 = active state, $6 = kind, $7 = visibility, $8 = max_participants or NULL. */
  public static final String INSERT_SESSION =
      "INSERT INTO sessions (id, state, topic, created_by, created_at, ended_at, next_sequence,"
          + " kind, visibility, max_participants)"
          + " VALUES ($1, $2, $3, $4, $5, NULL, 0, $6, $7, $8)";

  /**
   * Takes the session row lock: every command that appends events holds it until commit, which is
   * what makes next_sequence a gap-free per-session counter.
   */
  public static final String LOCK_SESSION =
      "SELECT s.state, s.topic, s.next_sequence, s.kind, s.visibility, s.max_participants,"
          + " p.status FROM sessions s"
          + " LEFT JOIN participants p ON p.session_id = s.id AND p.handle = $2"
          + " WHERE s.id = $1 FOR UPDATE OF s";

  /** The same columns without the lock, for pre-checks repeated under the lock. */
  public static final String PEEK_SESSION =
      "SELECT s.state, s.topic, s.next_sequence, s.kind, s.visibility, s.max_participants,"
          + " p.status FROM sessions s"
          + " LEFT JOIN participants p ON p.session_id = s.id AND p.handle = $2"
          + " WHERE s.id = $1";

  public static final String ADVANCE_SEQUENCE =
      "UPDATE sessions SET next_sequence = $2 WHERE id = $1";

  /** $2 = ended state, $3 = ended_at. */
  public static final String END_SESSION =
      "UPDATE sessions SET state = $2, ended_at = $3 WHERE id = $1";

  // --- participants ---

  /** The view of GET, and the participant list of invite/reopen; ordered by handle. */
  public static final String SELECT_PARTICIPANTS =
      "SELECT handle, status, joined_at, left_at FROM participants WHERE session_id = $1"
          + " ORDER BY handle";

  /** $3 = status, $4 = joined_at (creator joined at once, invitees NULL). */
  public static final String INSERT_PARTICIPANT =
      "INSERT INTO participants (session_id, handle, status, joined_at) VALUES ($1, $2, $3, $4)";

  /**
   * A (re-)invitation: a new row, or a prior participant back to invited. left_sequence is kept as
   * history; joined_at/left_at describe the current membership, so they are cleared. $3 = invited.
   * Every status change clears the disconnected mark: it belongs to one stretch of being joined.
   */
  public static final String UPSERT_INVITED =
      "INSERT INTO participants (session_id, handle, status) VALUES ($1, $2, $3)"
          + " ON CONFLICT (session_id, handle) DO UPDATE"
          + " SET status = EXCLUDED.status, joined_at = NULL, left_at = NULL, disconnected = false";

  /**
   * A join without an invitation (a public session): a new row, or a prior participant joined
   * again. left_sequence is kept as history, as at a re-invitation. $3 = joined, $4 = joined_at.
   */
  public static final String UPSERT_JOINED =
      "INSERT INTO participants (session_id, handle, status, joined_at) VALUES ($1, $2, $3, $4)"
          + " ON CONFLICT (session_id, handle) DO UPDATE"
          + " SET status = EXCLUDED.status, joined_at = EXCLUDED.joined_at, left_at = NULL,"
          + " disconnected = false";

  /** $3 = joined, $4 = joined_at. */
  public static final String MARK_JOINED =
      "UPDATE participants SET status = $3, joined_at = $4, disconnected = false"
          + " WHERE session_id = $1 AND handle = $2";

  /**
   * $3 = left, $4 = left_at, $5 = left_sequence (the sequence of its session.left), or NULL to keep
   * the previous one: an agent that was only invited gains no transcript by being made to leave.
   */
  public static final String MARK_LEFT =
      "UPDATE participants SET status = $3, left_at = $4,"
          + " left_sequence = COALESCE($5, left_sequence), disconnected = false"
          + " WHERE session_id = $1 AND handle = $2";

  /** $2 = joined. */
  public static final String COUNT_WITH_STATUS =
      "SELECT count(*) AS n FROM participants WHERE session_id = $1 AND status = $2";

  /** Every participant row, for the announcement of a commit; ordered by handle. */
  public static final String SELECT_ANNOUNCED_PARTICIPANTS =
      "SELECT handle, status, left_sequence FROM participants WHERE session_id = $1"
          + " ORDER BY handle";

  // --- events ---

  /**
   * One event appended, the sequence advanced and the participants read for the announcement, in
   * one statement (one round trip instead of three while the session row is locked). The final
   * SELECT does not see the CTEs' changes, and needs none: they touch no participant. The columns
   * are those of {@link #INSERT_EVENT}; $10 = the next sequence.
   */
  public static final String APPEND_ONE_EVENT =
      "WITH appended AS (INSERT INTO events"
          + " (session_id, sequence, event_id, type, subject, created_at, payload, audience, origin)"
          + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)),"
          + " advanced AS (UPDATE sessions SET next_sequence = $10 WHERE id = $1)"
          + " SELECT handle, status, left_sequence FROM participants WHERE session_id = $1"
          + " ORDER BY handle";

  /** $8 = audience (text[]) or NULL for every eligible participant, $9 = origin. */
  public static final String INSERT_EVENT =
      "INSERT INTO events"
          + " (session_id, sequence, event_id, type, subject, created_at, payload, audience, origin)"
          + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

  /**
   * A whole group of sends, across sessions, in one statement and so one transaction: see the
   * function {@code asp_send_messages} (migration {@code V4__expand_send_messages}) for its
   * parameters and result rows.
   */
  public static final String SEND_MESSAGES =
      "SELECT o_ord, o_outcome, o_session, o_seq, o_result, o_handles, o_statuses, o_left"
          + " FROM asp_send_messages($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

  // --- idempotency ---

  public static final String SELECT_IDEMPOTENT_RESULT =
      "SELECT result FROM idempotency_keys WHERE agent = $1 AND scope = $2 AND key = $3";

  /** Returns no row when another request stored this key first (the constraint decides). */
  public static final String INSERT_IDEMPOTENT_RESULT =
      "INSERT INTO idempotency_keys (agent, scope, key, result, created_at)"
          + " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING agent";

  /** Clears the audience of events $2 (sequences) of session $1: see {@link Reveal}. */
  static final String REVEAL =
      "UPDATE events SET audience = NULL WHERE session_id = $1 AND sequence = ANY($2)";
}
