package dev.asp.session.impl;

/**
 * Every SQL statement of the session verticle. Status, state and event-type literals are bound as
 * parameters from the protocol enums, so their spelling lives in one place.
 */
public final class SessionQueries {
  private SessionQueries() {}

  // --- sessions ---

  public static final String INSERT_SESSION =
      "INSERT INTO sessions (id, state, topic, created_by, created_at, ended_at, next_sequence)"
          + " VALUES ($1, $2, $3, $4, $5, NULL, 0)";

  /**
   * Takes the session row lock: every command that appends events holds it until commit, which is
   * what makes next_sequence a gap-free per-session counter.
   */
  public static final String LOCK_SESSION =
      "SELECT state, topic, next_sequence FROM sessions WHERE id = $1 FOR UPDATE";

  /** The same columns without the lock, for pre-checks repeated under the lock. */
  public static final String PEEK_SESSION =
      "SELECT state, topic, next_sequence FROM sessions WHERE id = $1";

  public static final String SELECT_SESSION =
      "SELECT id, state, topic, created_at, ended_at FROM sessions WHERE id = $1";

  public static final String ADVANCE_SEQUENCE =
      "UPDATE sessions SET next_sequence = $2 WHERE id = $1";

  /** $2 = ended state, $3 = ended_at. */
  public static final String END_SESSION =
      "UPDATE sessions SET state = $2, ended_at = $3 WHERE id = $1";

  /** $2 = active state. */
  public static final String REACTIVATE_SESSION =
      "UPDATE sessions SET state = $2, ended_at = NULL WHERE id = $1";

  // --- participants ---

  public static final String SELECT_PARTICIPANT =
      "SELECT status, left_sequence FROM participants WHERE session_id = $1 AND handle = $2";

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
   */
  public static final String UPSERT_INVITED =
      "INSERT INTO participants (session_id, handle, status) VALUES ($1, $2, $3)"
          + " ON CONFLICT (session_id, handle) DO UPDATE"
          + " SET status = EXCLUDED.status, joined_at = NULL, left_at = NULL";

  /** $3 = joined, $4 = joined_at. */
  public static final String MARK_JOINED =
      "UPDATE participants SET status = $3, joined_at = $4 WHERE session_id = $1 AND handle = $2";

  /**
   * $3 = left, $4 = left_at, $5 = left_sequence (the sequence of its session.left), or NULL to keep
   * the previous one: an agent that was only invited gains no transcript by being made to leave.
   */
  public static final String MARK_LEFT =
      "UPDATE participants SET status = $3, left_at = $4,"
          + " left_sequence = COALESCE($5, left_sequence)"
          + " WHERE session_id = $1 AND handle = $2";

  /**
   * Leaves without an event (prior participants not re-invited at reopen); left_sequence is only
   * set when given, see {@code Reopen}. $3 = left, $4 = left_at, $5 = left_sequence or NULL.
   */
  public static final String MARK_LEFT_SILENTLY =
      "UPDATE participants SET status = $3, left_at = $4,"
          + " left_sequence = COALESCE($5, left_sequence)"
          + " WHERE session_id = $1 AND handle = $2";

  /** $2 = joined. */
  public static final String COUNT_WITH_STATUS =
      "SELECT count(*) AS n FROM participants WHERE session_id = $1 AND status = $2";

  /**
   * Sessions where $1 (blocker) is not left and $2 (blocked) is invited or joined. $3 = left, $4 =
   * invited, $5 = joined.
   */
  public static final String SHARED_SESSIONS =
      "SELECT b.session_id FROM participants a"
          + " JOIN participants b ON b.session_id = a.session_id"
          + " WHERE a.handle = $1 AND a.status <> $3"
          + " AND b.handle = $2 AND b.status IN ($4, $5)"
          + " ORDER BY b.session_id";

  // --- events ---

  public static final String INSERT_EVENT =
      "INSERT INTO events (session_id, sequence, event_id, type, subject, created_at, payload)"
          + " VALUES ($1, $2, $3, $4, $5, $6, $7)";

  /**
   * The events $2 may see after sequence $3, at most $4 rows: the SQL form of {@code
   * Eligibility.eligible}, evaluated against the caller's current participant row in the same
   * snapshot. A caller without a row gets no rows (the access check happens before). $5 = joined,
   * $6 = invited, $7 = left, $8 = session.ended, $9 = session.invited.
   */
  public static final String SELECT_ELIGIBLE_EVENTS =
      "SELECT e.type, e.event_id, e.sequence, e.created_at, e.payload FROM events e"
          + " JOIN participants p ON p.session_id = e.session_id AND p.handle = $2"
          + " WHERE e.session_id = $1 AND e.sequence > $3"
          + " AND (p.status = $5"
          + "   OR (p.status = $6 AND (e.type = $8 OR (e.type = $9 AND e.subject = p.handle)))"
          + "   OR (p.status = $7 AND e.sequence <= p.left_sequence))"
          + " ORDER BY e.sequence LIMIT $4";

  // --- idempotency ---

  public static final String SELECT_IDEMPOTENT_RESULT =
      "SELECT result FROM idempotency_keys WHERE agent = $1 AND scope = $2 AND key = $3";

  /** Returns no row when another request stored this key first (the constraint decides). */
  public static final String INSERT_IDEMPOTENT_RESULT =
      "INSERT INTO idempotency_keys (agent, scope, key, result, created_at)"
          + " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING agent";

  /** The scope of session-create keys; message keys are scoped by their session id. */
  public static final String CREATE_SCOPE = "create";
}
