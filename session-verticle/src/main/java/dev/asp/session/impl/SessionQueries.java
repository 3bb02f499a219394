package dev.asp.session.impl;

/**
 * The session verticle's own SQL: reads, reopen, presence, grace and delivery cursors. The append
 * path's statements (locks, events, participant changes, idempotency) are in {@link
 * dev.asp.session.log.LogQueries}, shared with every module that appends. Status, state and
 * event-type literals are bound as parameters from the protocol enums, so their spelling lives in
 * one place.
 */
public final class SessionQueries {
  private SessionQueries() {}

  // --- sessions ---

  public static final String SELECT_SESSION =
      "SELECT id, state, topic, created_at, ended_at FROM sessions WHERE id = $1";

  /** $2 = active state. */
  public static final String REACTIVATE_SESSION =
      "UPDATE sessions SET state = $2, ended_at = NULL WHERE id = $1";

  // --- participants ---

  public static final String SELECT_PARTICIPANT =
      "SELECT status, left_sequence FROM participants WHERE session_id = $1 AND handle = $2";

  /**
   * Leaves without an event (prior participants not re-invited at reopen); left_sequence is only
   * set when given, see {@code Reopen}. $3 = left, $4 = left_at, $5 = left_sequence or NULL.
   */
  public static final String MARK_LEFT_SILENTLY =
      "UPDATE participants SET status = $3, left_at = $4,"
          + " left_sequence = COALESCE($5, left_sequence), disconnected = false"
          + " WHERE session_id = $1 AND handle = $2";

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

  /**
   * Sessions where $1 is joined and that are active. $2 = joined, $3 = active. Presence events and
   * grace expiry concern only these: an ended session keeps its joined participants as they were
   * (they may reopen it), and nothing is appended to it.
   */
  public static final String JOINED_ACTIVE_SESSIONS =
      "SELECT p.session_id FROM participants p JOIN sessions s ON s.id = p.session_id"
          + " WHERE p.handle = $1 AND p.status = $2 AND s.state = $3"
          + " ORDER BY p.session_id";

  /**
   * Read under the session row lock: the participant's disconnected mark, and whether the agent is
   * online right now (the latest committed presence).
   */
  public static final String PRESENCE_MARK =
      "SELECT p.disconnected,"
          + " EXISTS (SELECT 1 FROM presence r WHERE r.agent = p.handle) AS online"
          + " FROM participants p WHERE p.session_id = $1 AND p.handle = $2";

  /** $3 = the new mark. */
  public static final String SET_DISCONNECTED =
      "UPDATE participants SET disconnected = $3 WHERE session_id = $1 AND handle = $2";

  // --- presence and grace ---

  /**
   * Now, in epoch milliseconds of the database clock: presence and grace times use it, so nodes
   * with skewed clocks still agree whether a deadline has passed.
   */
  private static final String DB_NOW = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

  /**
   * Serializes the presence bookkeeping of one agent ($1) until commit, so ONLINE and OFFLINE from
   * different nodes cannot interleave their read-then-write.
   */
  public static final String LOCK_AGENT_PRESENCE =
      "SELECT pg_advisory_xact_lock(hashtext('asp.presence'), hashtext($1))";

  public static final String AGENT_PRESENT =
      "SELECT EXISTS (SELECT 1 FROM presence WHERE agent = $1) AS present";

  /**
   * The bookkeeping of a connection coming up, in one statement once the agent's lock is held:
   * whether $1 was online anywhere before (the snapshot precedes the insert), the presence row of
   * node $2, and — only when it was offline everywhere — the cancelled grace window if it had not
   * run out (a due deadline stays for the sweeper: the agent came back too late, and its expiry may
   * already be under way).
   */
  public static final String BOOK_ONLINE =
      "WITH was AS (SELECT EXISTS (SELECT 1 FROM presence WHERE agent = $1) AS online),"
          + " added AS (INSERT INTO presence (agent, node, since) VALUES ($1, $2, "
          + DB_NOW
          + ") ON CONFLICT DO NOTHING),"
          + " cancelled AS (DELETE FROM grace WHERE agent = $1 AND deadline > "
          + DB_NOW
          + " AND NOT (SELECT online FROM was) RETURNING agent)"
          + " SELECT (SELECT online FROM was) AS was_online,"
          + " EXISTS (SELECT 1 FROM cancelled) AS back_in_time";

  public static final String DELETE_PRESENCE =
      "DELETE FROM presence WHERE agent = $1 AND node = $2 RETURNING node";

  /** Agents with a connection recorded on a node not in $1 (text[] of live nodes). */
  public static final String AGENTS_ON_DEAD_NODES =
      "SELECT DISTINCT agent FROM presence WHERE node <> ALL ($1) AND since <= "
          + DB_NOW
          + " - $2 ORDER BY agent";

  /** $2 = text[] of live nodes, $3 = minimum age of the rows in ms. */
  public static final String DELETE_PRESENCE_ON_DEAD_NODES =
      "DELETE FROM presence WHERE agent = $1 AND node <> ALL ($2) AND since <= "
          + DB_NOW
          + " - $3 RETURNING node";

  /** $1 = text[] of dead nodes, $2 = minimum age of the rows in ms. */
  public static final String AGENTS_ON_NODES =
      "SELECT DISTINCT agent FROM presence WHERE node = ANY ($1) AND since <= "
          + DB_NOW
          + " - $2 ORDER BY agent";

  /** $2 = text[] of dead nodes, $3 = minimum age of the rows in ms. */
  public static final String DELETE_PRESENCE_ON_NODES =
      "DELETE FROM presence WHERE agent = $1 AND node = ANY ($2) AND since <= "
          + DB_NOW
          + " - $3 RETURNING node";

  /**
   * Opens a grace window of $2 ms. A due deadline is kept rather than pushed back: its expiry may
   * be half done, and finishing it is what the agent's absence called for.
   */
  public static final String START_GRACE =
      "INSERT INTO grace (agent, deadline) VALUES ($1, "
          + DB_NOW
          + " + $2)"
          + " ON CONFLICT (agent) DO UPDATE SET deadline = EXCLUDED.deadline"
          + " WHERE grace.deadline > "
          + DB_NOW;

  /**
   * Up to $1 agents whose deadline passed, skipping those another sweeper is expiring right now.
   */
  public static final String DUE_GRACE =
      "SELECT agent FROM grace WHERE deadline <= "
          + DB_NOW
          + " ORDER BY deadline LIMIT $1 FOR UPDATE SKIP LOCKED";

  /**
   * Locks $1's grace row if it is still due; no row means the agent came back (or another sweeper
   * finished). Taken before the session row lock, everywhere.
   */
  public static final String LOCK_DUE_GRACE =
      "SELECT deadline FROM grace WHERE agent = $1 AND deadline <= " + DB_NOW + " FOR UPDATE";

  public static final String END_GRACE =
      "DELETE FROM grace WHERE agent = $1 AND deadline <= " + DB_NOW;

  // --- delivery cursors ---

  /**
   * Every session $1 has a participant row in, with its latest sequence and $1's cursor if saved.
   */
  public static final String DELIVERY_STATE =
      "SELECT p.session_id, s.next_sequence, c.prefix, c.extras FROM participants p"
          + " JOIN sessions s ON s.id = p.session_id"
          + " LEFT JOIN delivery_cursors c ON c.agent = p.handle AND c.session_id = p.session_id"
          + " WHERE p.handle = $1 ORDER BY p.session_id";

  /**
   * Saves many cursors in one statement: parallel arrays of agents $1, session ids $2, prefixes $3
   * and extras $4 (each an array literal such as {@code {7,9}}: distinct, sorted, all greater than
   * its prefix), at $5. No (agent, session) may appear twice. Unknown sessions insert nothing. A
   * cursor never moves back: a smaller prefix changes nothing, an equal one adds its extras, a
   * greater one replaces prefix and extras. Rows are written in (agent, session) order, the one
   * every batch locks them in, so two concurrent batches cannot deadlock.
   */
  public static final String SAVE_CURSORS =
      "INSERT INTO delivery_cursors (agent, session_id, prefix, extras, updated_at)"
          + " SELECT c.agent, c.session_id, c.prefix, c.extras::bigint[], $5::bigint"
          + " FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[])"
          + " AS c(agent, session_id, prefix, extras)"
          + " WHERE EXISTS (SELECT 1 FROM sessions s WHERE s.id = c.session_id)"
          + " ORDER BY c.agent, c.session_id"
          + " ON CONFLICT (agent, session_id) DO UPDATE SET"
          + " extras = CASE WHEN EXCLUDED.prefix > delivery_cursors.prefix THEN EXCLUDED.extras"
          + "   ELSE ARRAY(SELECT DISTINCT x FROM unnest(delivery_cursors.extras || EXCLUDED.extras)"
          + "     AS u(x) ORDER BY x) END,"
          + " prefix = EXCLUDED.prefix, updated_at = EXCLUDED.updated_at"
          + " WHERE EXCLUDED.prefix >= delivery_cursors.prefix";

  // --- events ---

  /**
   * The status part of {@code Eligibility.eligible}, evaluated against the caller's current
   * participant row p in the same snapshot. $5 = joined, $6 = invited, $7 = left, $8 =
   * session.ended, $9 = session.invited.
   */
  private static final String BY_STATUS =
      " (p.status = $5"
          + "   OR (p.status = $6 AND (e.type = $8 OR (e.type = $9 AND e.subject = p.handle)))"
          + "   OR (p.status = $7 AND e.sequence <= p.left_sequence))";

  /**
   * What an ASP view shows of an event the status admits: an ASP type ($10 = text[] of every {@code
   * EventType} wire name), or an extension type {@code a2a.*} when the view opted in ($11), and an
   * audience that lists the caller $2 or none (the audience part of {@code Eligibility.eligible}).
   * Never null.
   */
  private static final String SHOWN =
      " ((e.type = ANY ($10::text[]) OR ($11::boolean AND e.type LIKE 'a2a.%'))"
          + " AND (e.audience IS NULL OR $2 = ANY (e.audience)))";

  /** The rows of session $1 after sequence $3, each with the caller $2's participant row p. */
  private static final String AFTER_CURSOR =
      " FROM events e"
          + " JOIN participants p ON p.session_id = e.session_id AND p.handle = $2"
          + " WHERE e.session_id = $1 AND e.sequence > $3 AND";

  /**
   * The events $2 may see after sequence $3, at most $4 rows: the SQL form of {@code
   * Eligibility.eligible} (status and audience) restricted to ASP types, evaluated against the
   * caller's current participant row in the same snapshot. A caller without a row gets no rows (the
   * access check happens before). Parameters as in {@link #BY_STATUS} and {@link #SHOWN}.
   */
  public static final String SELECT_ELIGIBLE_EVENTS =
      "SELECT e.type, e.event_id, e.sequence, e.created_at, e.payload"
          + AFTER_CURSOR
          + BY_STATUS
          + " AND"
          + SHOWN
          + " ORDER BY e.sequence LIMIT $4";

  /**
   * {@link #SELECT_ELIGIBLE_EVENTS} for live delivery: also the rows the status admits but the view
   * never shows, marked {@code hidden} (without their payload), so the delivery cursor can move
   * past them instead of waiting for them for ever. They count towards the limit $4.
   */
  public static final String SELECT_EVENTS_WITH_HIDDEN =
      "SELECT e.type, e.event_id, e.sequence, e.created_at,"
          + " CASE WHEN"
          + SHOWN
          + " THEN e.payload END AS payload, NOT"
          + SHOWN
          + " AS hidden"
          + AFTER_CURSOR
          + BY_STATUS
          + " ORDER BY e.sequence LIMIT $4";

  /**
   * The first replay page of several sessions of caller $2 at once ({@code AGENT_CONNECT}): for
   * each session of $1 (text[]) the rows after its sequence in $3 (bigint[], parallel), at most $4
   * per session, as {@link #SELECT_EVENTS_WITH_HIDDEN} gives them, read per session as an index
   * range ({@code LATERAL}) rather than one join the planner might turn into a scan of every log.
   */
  public static final String FIRST_PAGES =
      "SELECT r.session_id, e.type, e.event_id, e.sequence, e.created_at,"
          + " CASE WHEN"
          + SHOWN
          + " THEN e.payload END AS payload, NOT"
          + SHOWN
          + " AS hidden"
          + " FROM unnest($1::text[], $3::bigint[]) AS r(session_id, after)"
          + " JOIN participants p ON p.session_id = r.session_id AND p.handle = $2"
          + " CROSS JOIN LATERAL (SELECT e.type, e.event_id, e.sequence, e.created_at, e.payload,"
          + " e.audience FROM events e WHERE e.session_id = r.session_id AND e.sequence > r.after"
          + " AND"
          + BY_STATUS
          + " ORDER BY e.sequence LIMIT $4) e"
          + " ORDER BY r.session_id, e.sequence";

  /** The scope of session-create keys; message keys are scoped by their session id. */
  public static final String CREATE_SCOPE = "create";
}
