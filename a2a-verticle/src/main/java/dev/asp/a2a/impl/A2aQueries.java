package dev.asp.a2a.impl;

/**
 * Every SQL statement of the A2A verticle. Appending to a session's log is not here: it goes
 * through the session module's {@code EventLog} and {@code Membership}, in the same transaction.
 */
public final class A2aQueries {
  private A2aQueries() {}

  /** Now in epoch milliseconds of the database clock, which liveness is measured against. */
  static final String DB_NOW = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

  // --- nodes

  /** $1 handle, $2 keywords or NULL to keep, $3 capabilities or NULL to keep, $4 hello. */
  public static final String NODE_SEEN =
      "INSERT INTO a2a_nodes (handle, keywords, capabilities, last_seen, created_at)"
          + " VALUES ($1, COALESCE($2, '{}'::text[]), $3, "
          + DB_NOW
          + ", "
          + DB_NOW
          + ") ON CONFLICT (handle) DO UPDATE SET last_seen = EXCLUDED.last_seen,"
          + " keywords = CASE WHEN $4 THEN EXCLUDED.keywords ELSE a2a_nodes.keywords END,"
          + " capabilities = CASE WHEN $4 THEN EXCLUDED.capabilities ELSE a2a_nodes.capabilities"
          + " END RETURNING level";

  /**
   * $1 handles, $2 offline window → those alive (§4): a hello or heartbeat within the window, or a
   * live ASP connection somewhere in the cluster (the session module's presence rows).
   */
  public static final String ALIVE_NODES =
      "SELECT h AS handle FROM unnest($1::text[]) AS h WHERE EXISTS (SELECT 1 FROM a2a_nodes n"
          + " WHERE n.handle = h AND n.last_seen > "
          + DB_NOW
          + " - $2) OR EXISTS (SELECT 1 FROM presence r WHERE r.agent = h)";

  /**
   * An open poll or stream keeps its node alive (§4): its last_seen is refreshed, at most once a
   * minute ($2 ms) so a busy poller does not write on every request. No row: not a node yet.
   */
  public static final String POLLED =
      "UPDATE a2a_nodes SET last_seen = "
          + DB_NOW
          + " WHERE handle = $1 AND last_seen < "
          + DB_NOW
          + " - $2";

  /** $1 handle, $2 level: the record is created (dormant) when the agent had none. */
  public static final String SET_LEVEL =
      "INSERT INTO a2a_nodes (handle, level, last_seen, created_at) VALUES ($1, $2, 0, "
          + DB_NOW
          + ") ON CONFLICT (handle) DO UPDATE SET level = EXCLUDED.level";

  public static final String LEVEL = "SELECT level FROM a2a_nodes WHERE handle = $1";

  // --- sessions

  /**
   * Takes the session row lock (every command that appends holds it until commit) and reads the
   * session with its A2A attributes and the caller's participant row ($2), in one round trip. No
   * row: unknown session. A null status: the caller has no participant row.
   */
  public static final String LOCK_SESSION =
      "SELECT s.state, s.kind, s.visibility, s.max_participants, s.topic, s.next_sequence,"
          + " s.created_by, s.created_at, p.status, a.description, a.owner, a.orchestrator,"
          + " a.status AS a2a_status, a.shared_context, a.completes_at FROM sessions s"
          + " LEFT JOIN participants p ON p.session_id = s.id AND p.handle = $2"
          + " LEFT JOIN a2a_sessions a ON a.session_id = s.id"
          + " WHERE s.id = $1 FOR UPDATE OF s";

  /** {@link #LOCK_SESSION} that skips a session whose row another transaction holds. */
  public static final String TRY_LOCK_SESSION = LOCK_SESSION + " SKIP LOCKED";

  /** The same read without the lock, for pre-checks and reads. */
  public static final String PEEK_SESSION =
      "SELECT s.state, s.kind, s.visibility, s.max_participants, s.topic, s.next_sequence,"
          + " s.created_by, s.created_at, p.status, a.description, a.owner, a.orchestrator,"
          + " a.status AS a2a_status, a.shared_context, a.completes_at FROM sessions s"
          + " LEFT JOIN participants p ON p.session_id = s.id AND p.handle = $2"
          + " LEFT JOIN a2a_sessions a ON a.session_id = s.id"
          + " WHERE s.id = $1";

  public static final String INSERT_A2A_SESSION =
      "INSERT INTO a2a_sessions (session_id, description, owner, orchestrator, status,"
          + " updated_at) VALUES ($1, $2, $3, $3, $4, $5)";

  public static final String TOUCH_SESSION =
      "UPDATE a2a_sessions SET updated_at = $2 WHERE session_id = $1";

  public static final String SET_SHARED_CONTEXT =
      "UPDATE a2a_sessions SET shared_context = $2, updated_at = $3 WHERE session_id = $1";

  public static final String SET_ORCHESTRATOR =
      "UPDATE a2a_sessions SET orchestrator = $2 WHERE session_id = $1";

  /** Participants with their join time, for context and the orchestrator hand-over. */
  public static final String PARTICIPANTS =
      "SELECT handle, status, joined_at FROM participants WHERE session_id = $1"
          + " ORDER BY joined_at NULLS LAST, handle";

  /** $1 visibility public, $2 kind a2a, $3 active state, $4 limit. */
  public static final String LIST_SESSIONS =
      "SELECT s.id, s.topic, s.max_participants, s.created_at, a.description, a.owner,"
          + " a.status, a.updated_at,"
          + " (SELECT count(*) FROM participants p WHERE p.session_id = s.id"
          + "  AND p.status = 'joined') AS participant_count,"
          + " (SELECT count(*) FROM a2a_tasks t WHERE t.session_id = s.id"
          + "  AND t.status <> 'completed') AS open_task_count"
          + " FROM a2a_sessions a JOIN sessions s ON s.id = a.session_id"
          + " WHERE s.visibility = $1 AND s.kind = $2 AND s.state = $3"
          + " AND a.status IN ('active', 'converging')"
          + " ORDER BY a.updated_at DESC, s.id DESC LIMIT $4";

  /**
   * The newest messages of session $1 that $2 may see (joined: all, by audience), newest first, at
   * most $3 rows.
   */
  public static final String RECENT_MESSAGES =
      "SELECT e.sequence, e.event_id, e.created_at, e.payload, e.origin FROM events e"
          + " WHERE e.session_id = $1 AND e.type = 'session.message'"
          + " AND (e.audience IS NULL OR $2 = ANY (e.audience))"
          + " ORDER BY e.sequence DESC LIMIT $3";

  // --- task board (§8)

  private static final String TASK_COLUMNS =
      "task_id, session_id, position, title, description, signals, depends_on,"
          + " contribution_weight, role, status, assigned_to, result_asset_id, summary, created_by,"
          + " created_at, updated_at, completed_at";

  /**
   * Discover's text from the title, signals and description parameters: title and signals weigh A,
   * the description B, with the 'simple' configuration (no stemming, no stop words: task titles are
   * short and in any language).
   */
  private static String searchVector(String title, String signals, String description) {
    return "setweight(to_tsvector('simple', "
        + title
        + " || ' ' || array_to_string("
        + signals
        + "::text[], ' ')), 'A') || setweight(to_tsvector('simple', COALESCE("
        + description
        + ", '')), 'B')";
  }

  /** $1 session → its board in creation order. */
  public static final String BOARD =
      "SELECT " + TASK_COLUMNS + " FROM a2a_tasks WHERE session_id = $1 ORDER BY position";

  /** One row per task, in the order of {@link #TASK_COLUMNS}. */
  public static final String INSERT_TASK =
      "INSERT INTO a2a_tasks ("
          + TASK_COLUMNS
          + ", search) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,"
          + " $16, $17, "
          + searchVector("$4", "$6", "$5")
          + ")";

  /**
   * Every field a command may change: $1 task id, $2 title, $3 description, $4 signals, $5
   * depends_on, $6 weight, $7 role, $8 status, $9 assignee, $10 result asset, $11 summary, $12
   * updated_at, $13 completed_at.
   */
  public static final String UPDATE_TASK =
      "UPDATE a2a_tasks SET title = $2, description = $3, signals = $4, depends_on = $5,"
          + " contribution_weight = $6, role = $7, status = $8, assigned_to = $9,"
          + " result_asset_id = $10, summary = $11, updated_at = $12, completed_at = $13,"
          + " search = "
          + searchVector("$2", "$4", "$3")
          + " WHERE task_id = $1";

  /** $1 session, $2 leaver: does it hold open tasks (the leave effect's cheap first look). */
  public static final String HOLDS_OPEN_TASKS =
      "SELECT 1 FROM a2a_tasks WHERE session_id = $1 AND assigned_to = $2"
          + " AND status <> 'completed' LIMIT 1";

  // --- status machine (§6.1)

  /**
   * $1 session, $2 converge window ms → converging until the database clock passes completes_at; $3
   * forced.
   */
  public static final String START_CONVERGING =
      "UPDATE a2a_sessions SET status = 'converging', completes_at = "
          + DB_NOW
          + " + $2, forced = $3 WHERE session_id = $1 RETURNING completes_at";

  /** $1 session: back to active (a task was added while converging). */
  public static final String STOP_CONVERGING =
      "UPDATE a2a_sessions SET status = 'active', completes_at = NULL, forced = false"
          + " WHERE session_id = $1";

  /** $1 session, $2 final status (completed or failed), $3 updated_at. */
  public static final String FINISH_SESSION =
      "UPDATE a2a_sessions SET status = $2, completes_at = NULL, updated_at = $3"
          + " WHERE session_id = $1";

  /** $1 limit → converging sessions whose window ended, by the database clock. */
  public static final String DUE_CONVERGED =
      "SELECT session_id FROM a2a_sessions WHERE status = 'converging' AND completes_at <= "
          + DB_NOW
          + " ORDER BY completes_at LIMIT $1";

  /**
   * $1 idle ms, $2 limit → open sessions (kinds a2a and pipeline) whose last A2A activity is older
   * than the idle limit (candidates: the sweeper re-checks the log's last event under the lock). A
   * session that ended through ASP is not open, whatever its A2A status row still says, so it never
   * takes a place in the batch for good.
   */
  public static final String IDLE_CANDIDATES =
      "SELECT a.session_id FROM a2a_sessions a JOIN sessions s ON s.id = a.session_id"
          + " AND s.state = 'active' WHERE a.status IN ('active', 'converging')"
          + " AND a.updated_at < "
          + DB_NOW
          + " - $1 ORDER BY a.updated_at LIMIT $2";

  /**
   * $1 session → its converge state and its last event's time (under the lock the sweeper already
   * holds), with the database clock now.
   */
  public static final String DEADLINES =
      "SELECT a.status, a.completes_at, a.forced, a.updated_at,"
          + " (SELECT e.created_at FROM events e WHERE e.session_id = s.id"
          + "  AND e.sequence = s.next_sequence - 1) AS last_event_at, "
          + DB_NOW
          + " AS db_now FROM a2a_sessions a JOIN sessions s ON s.id = a.session_id"
          + " WHERE a.session_id = $1";

  // --- dialog (§11)

  /**
   * $1 session, $2 message id, $3 caller → a row when the message is in the session and the caller
   * may see it: a post through its index, else (a plain message) by the log itself.
   */
  public static final String VISIBLE_MESSAGE =
      "(SELECT 1 FROM a2a_dialog d JOIN events e ON e.session_id = d.session_id"
          + " AND e.sequence = d.sequence WHERE d.session_id = $1 AND d.message_id = $2"
          + " AND (e.audience IS NULL OR $3 = ANY (e.audience)))"
          + " UNION ALL (SELECT 1 FROM events e WHERE e.session_id = $1"
          + " AND e.type = 'session.message' AND e.payload ->> 'id' = $2"
          + " AND (e.audience IS NULL OR $3 = ANY (e.audience))) LIMIT 1";

  /** $1 message id, $2 session, $3 sequence, $4 dialog type, $5 reference or NULL. */
  public static final String INSERT_DIALOG =
      "INSERT INTO a2a_dialog (message_id, session_id, sequence, dialog_type, reference_id)"
          + " VALUES ($1, $2, $3, $4, $5)";

  private static final String POST_COLUMNS =
      "e.session_id, e.sequence, e.event_id, e.created_at, e.payload, e.origin";

  /** $1 session, $2 after this sequence, $3 dialog type or NULL, $4 reader, $5 limit. */
  public static final String DIALOG_PAGE =
      "SELECT "
          + POST_COLUMNS
          + " FROM a2a_dialog d JOIN events e ON e.session_id = d.session_id"
          + " AND e.sequence = d.sequence WHERE d.session_id = $1 AND d.sequence > $2"
          + " AND ($3::text IS NULL OR d.dialog_type = $3)"
          + " AND (e.audience IS NULL OR $4 = ANY (e.audience)) ORDER BY d.sequence LIMIT $5";

  /**
   * $1 message id → its session and the root of its thread: up the reference ids through the posts
   * (a reference always names an earlier message, so the climb ends); the root is the last post's
   * reference when that is a plain message. A plain message that posts answer is a root.
   */
  public static final String DIALOG_ROOT =
      "WITH RECURSIVE up (message_id, reference_id, session_id, depth) AS ("
          + " SELECT message_id, reference_id, session_id, 0 FROM a2a_dialog WHERE message_id = $1"
          + " UNION ALL SELECT d.message_id, d.reference_id, d.session_id, up.depth + 1"
          + " FROM a2a_dialog d JOIN up ON d.message_id = up.reference_id WHERE up.depth < 10000)"
          + " (SELECT session_id, COALESCE(reference_id, message_id) AS root_id FROM up"
          + " ORDER BY depth DESC LIMIT 1)"
          + " UNION ALL (SELECT session_id, $1::text AS root_id FROM a2a_dialog"
          + " WHERE reference_id = $1 AND NOT EXISTS (SELECT 1 FROM up) LIMIT 1)";

  /** $1 session, $2 root id, $3 reader, $4 limit → the thread's visible posts, ascending. */
  public static final String DIALOG_THREAD =
      "WITH RECURSIVE down (message_id, sequence) AS ("
          + " SELECT message_id, sequence FROM a2a_dialog WHERE session_id = $1"
          + " AND (message_id = $2 OR reference_id = $2)"
          + " UNION SELECT d.message_id, d.sequence FROM a2a_dialog d"
          + " JOIN down ON d.reference_id = down.message_id)"
          + " SELECT "
          + POST_COLUMNS
          + " FROM down JOIN events e ON e.session_id = $1 AND e.sequence = down.sequence"
          + " WHERE (e.audience IS NULL OR $3 = ANY (e.audience)) ORDER BY e.sequence LIMIT $4";

  // --- pull views

  /** The (node, view) lock every pull takes, cluster-wide; returns the next delivery number. */
  public static final String LOCK_VIEW =
      "SELECT next_no FROM a2a_views WHERE node = $1 AND view = $2 FOR UPDATE";

  /** Hands rows $4 (numbers) to channel $3, to be written again. */
  public static final String REASSIGN =
      "UPDATE a2a_deliveries SET channel = $3, written = false"
          + " WHERE node = $1 AND view = $2 AND no = ANY ($4::bigint[])";

  public static final String MARK_WRITTEN =
      "UPDATE a2a_deliveries SET written = true"
          + " WHERE node = $1 AND view = $2 AND channel = $3 AND no = ANY ($4::bigint[])";

  /**
   * Events of $1's sessions beyond its view's ($2) positions that it is eligible for under ASP (the
   * SQL form of {@code Eligibility}'s status rule; the audience is applied by the caller, so an
   * event hidden from it still moves the position), with the session facts its payload is built
   * from; at most $3 rows, in (session, sequence) order. $4: the only session kind the view reads
   * (the inbox: {@code dm}), or NULL for every kind.
   */
  public static final String NEW_EVENTS =
      "SELECT e.session_id, e.sequence, e.event_id, e.type, e.subject, e.created_at, e.payload,"
          + " e.audience, e.origin, s.kind, s.topic, s.visibility, s.max_participants,"
          + " s.created_by, s.created_at AS session_created_at, a.description, a.owner,"
          + " a.status AS a2a_status, pos.prefix AS pos_prefix, pos.extras AS pos_extras"
          + " FROM participants p JOIN sessions s ON s.id = p.session_id"
          + " LEFT JOIN a2a_sessions a ON a.session_id = p.session_id"
          + " LEFT JOIN a2a_positions pos ON pos.node = p.handle AND pos.view = $2"
          + "   AND pos.session_id = p.session_id"
          // per session an index range from its position on: a pull costs what it reads, never
          // the session's history (a plain join lets the planner merge over every event)
          + " CROSS JOIN LATERAL (SELECT e.session_id, e.sequence, e.event_id, e.type, e.subject,"
          + "   e.created_at, e.payload, e.audience, e.origin FROM events e"
          + "   WHERE e.session_id = p.session_id AND e.sequence > COALESCE(pos.prefix, -1)"
          + "   AND NOT (e.sequence = ANY (COALESCE(pos.extras, '{}'::bigint[])))"
          + "   AND (p.status = 'joined'"
          + "     OR (p.status = 'invited' AND (e.type = 'session.ended'"
          + "       OR (e.type = 'session.invited' AND e.subject = p.handle)))"
          + "     OR (p.status = 'left' AND e.sequence <= p.left_sequence))"
          + "   ORDER BY e.sequence LIMIT $3) e"
          + " WHERE p.handle = $1 AND ($4::text IS NULL OR s.kind = $4::text)"
          + " ORDER BY e.session_id, e.sequence LIMIT $3";

  /** The events of rows handed out before, by (session, sequence) pairs $1/$2. */
  public static final String EVENTS_BY_KEY =
      "SELECT e.session_id, e.sequence, e.event_id, e.type, e.subject, e.created_at, e.payload,"
          + " e.audience, e.origin, s.kind, s.topic, s.visibility, s.max_participants,"
          + " s.created_by, s.created_at AS session_created_at, a.description, a.owner,"
          + " a.status AS a2a_status"
          + " FROM unnest($1::text[], $2::bigint[]) AS k(session_id, sequence)"
          + " JOIN events e ON e.session_id = k.session_id AND e.sequence = k.sequence"
          + " JOIN sessions s ON s.id = e.session_id"
          + " LEFT JOIN a2a_sessions a ON a.session_id = e.session_id";

  public static final String SAVE_POSITION =
      "INSERT INTO a2a_positions (node, view, session_id, prefix, extras)"
          + " VALUES ($1, $2, $3, $4, $5::bigint[])"
          + " ON CONFLICT (node, view, session_id) DO UPDATE"
          + " SET prefix = EXCLUDED.prefix, extras = EXCLUDED.extras";

  /** Whether anything is beyond what was handed out: more new events or unacknowledged rows. */
  public static final String ANY_OUTSTANDING =
      "SELECT EXISTS (SELECT 1 FROM a2a_deliveries WHERE node = $1 AND view = $2"
          + " AND NOT (written AND channel = $3) AND no <> ALL ($4::bigint[])) AS more";

  // --- direct messages

  /**
   * Locks the row of the pair ($1, $2: the two handles in code-point order), so the DMs of one pair
   * are appended one at a time; no row: the pair never exchanged a DM.
   */
  public static final String LOCK_DM_PAIR =
      "SELECT session_id FROM a2a_dm_pairs WHERE low = $1 AND high = $2 FOR UPDATE";

  /**
   * Records session $3 as the pair's. No row returned: a concurrent first DM of the pair committed
   * its session first (the insert waited for it), so this transaction must go onto that one.
   */
  public static final String INSERT_DM_PAIR =
      "INSERT INTO a2a_dm_pairs (low, high, session_id) VALUES ($1, $2, $3)"
          + " ON CONFLICT (low, high) DO NOTHING RETURNING session_id";

  /** The pair's session ended: $3 replaces it (the row is locked by {@link #LOCK_DM_PAIR}). */
  public static final String REPLACE_DM_SESSION =
      "UPDATE a2a_dm_pairs SET session_id = $3 WHERE low = $1 AND high = $2";

  /** The direct messages to $1 in its dm sessions that it may read (ASP eligibility, audience). */
  private static final String DMS_TO =
      " FROM participants p JOIN sessions s ON s.id = p.session_id AND s.kind = 'dm'"
          + " LEFT JOIN a2a_sessions a ON a.session_id = p.session_id"
          + " LEFT JOIN a2a_positions pos ON pos.node = p.handle AND pos.view = $2"
          + "   AND pos.session_id = p.session_id"
          + " JOIN events e ON e.session_id = p.session_id"
          + " WHERE p.handle = $1 AND e.type = 'session.message' AND e.subject <> $1"
          + " AND (e.audience IS NULL OR $1 = ANY (e.audience))"
          + " AND (p.status = 'joined' OR (p.status = 'left' AND e.sequence <= p.left_sequence))";

  /**
   * The newest $3 DMs to $1, newest first, whatever its view $2 delivered; {@code read}: the view
   * numbered it and did not lose its delivery (a row handed out and never written comes again).
   */
  public static final String DMS_READ =
      "SELECT e.session_id, e.sequence, e.event_id, e.type, e.subject, e.created_at, e.payload,"
          + " e.audience, e.origin, s.kind, s.topic, s.visibility, s.max_participants,"
          + " s.created_by, s.created_at AS session_created_at, a.description, a.owner,"
          + " a.status AS a2a_status,"
          + " (COALESCE(e.sequence <= pos.prefix OR e.sequence = ANY (pos.extras), false)"
          + "   AND NOT EXISTS (SELECT 1 FROM a2a_deliveries d WHERE d.node = p.handle"
          + "     AND d.view = $2 AND d.session_id = e.session_id AND d.sequence = e.sequence"
          + "     AND NOT d.written)) AS read"
          + DMS_TO
          + " ORDER BY e.created_at DESC, e.session_id DESC, e.sequence DESC LIMIT $3";

  /**
   * How many DMs to $1 its view $2 has still to deliver, beyond the rows numbered $3 (this
   * response's): rows handed out and never written, and DMs not numbered yet.
   */
  public static final String DMS_UNREAD =
      "SELECT (SELECT count(*) FROM a2a_deliveries WHERE node = $1 AND view = $2"
          + "   AND NOT written AND no <> ALL ($3::bigint[]))"
          + " + (SELECT count(*)"
          + DMS_TO
          + "   AND e.sequence > COALESCE(pos.prefix, -1)"
          + "   AND NOT (e.sequence = ANY (COALESCE(pos.extras, '{}'::bigint[])))) AS unread";

  /**
   * The latest events of session $1 that $2 may see by audience, newest first, at most $3, from
   * sequence $4 on, for reminders. With the session's statistics behind its growth the planner read
   * every event of the session by bitmap and sorted them (1.5 ms at 2,000 events, growing, under
   * the session lock) instead of walking the key backwards: the order is now the whole key's, which
   * the backward walk gives as it is, and the lower bound caps what any plan reads.
   */
  public static final String RECENT_EVENTS =
      "SELECT type, subject, payload FROM events WHERE session_id = $1 AND sequence >= $4"
          + " AND (audience IS NULL OR $2 = ANY (audience))"
          + " ORDER BY session_id DESC, sequence DESC LIMIT $3";

  // --- mailbox (§10)

  /**
   * $1 node, $2 message id → the stored result (NULL: a direct message of that id is in flight).
   */
  public static final String MAILBOX_RESULT =
      "SELECT result FROM a2a_mailbox_results WHERE node = $1 AND id = $2";

  /**
   * Stores result $3 (NULL: a claim) under ($1, $2) unless the key is taken; a row back means this
   * request took it. Inserted last in the effect's transaction: a concurrent holder of the key
   * makes it wait for that one's commit and then return nothing.
   */
  public static final String MAILBOX_REMEMBER =
      "INSERT INTO a2a_mailbox_results (node, id, result, created_at) VALUES ($1, $2, $3, "
          + DB_NOW
          + ") ON CONFLICT (node, id) DO NOTHING RETURNING created_at";

  /** Takes over a claim older than $3 ms: its holder died between claiming and settling. */
  public static final String MAILBOX_TAKE_OVER =
      "UPDATE a2a_mailbox_results SET created_at = "
          + DB_NOW
          + " WHERE node = $1 AND id = $2 AND result IS NULL AND created_at < "
          + DB_NOW
          + " - $3 RETURNING created_at";

  /** The claimed message's outcome $3; no row: another request settled it first. */
  public static final String MAILBOX_SETTLE =
      "UPDATE a2a_mailbox_results SET result = $3 WHERE node = $1 AND id = $2 AND result IS NULL";

  /** Gives a claim up after a transient failure: a retry may send the message. */
  public static final String MAILBOX_RELEASE =
      "DELETE FROM a2a_mailbox_results WHERE node = $1 AND id = $2 AND result IS NULL";

  /** Deletes at most $2 results (and abandoned claims) older than $1 ms, oldest first. */
  public static final String MAILBOX_SWEEP =
      "DELETE FROM a2a_mailbox_results WHERE (node, id) IN (SELECT node, id FROM"
          + " a2a_mailbox_results WHERE created_at < "
          + DB_NOW
          + " - $1 ORDER BY created_at LIMIT $2)";

  /**
   * Drops $1's rows of view $2 whose event was created before $3: expired, they stay in the log.
   */
  public static final String MAILBOX_DROP_EXPIRED =
      "DELETE FROM a2a_deliveries d USING events e WHERE d.node = $1 AND d.view = $2"
          + " AND e.session_id = d.session_id AND e.sequence = d.sequence AND e.created_at < $3";

  /** Unacknowledged rows numbered above $3, in number order, at most $4. */
  public static final String MAILBOX_OUTSTANDING =
      "SELECT no, session_id, sequence FROM a2a_deliveries WHERE node = $1 AND view = $2"
          + " AND no > $3 ORDER BY no LIMIT $4";

  /** Acknowledges $1's rows of view $2 that carry the events $3 (event ids); the count is news. */
  public static final String MAILBOX_ACK =
      "DELETE FROM a2a_deliveries d USING events e WHERE d.node = $1 AND d.view = $2"
          + " AND e.event_id = ANY ($3::text[]) AND d.session_id = e.session_id"
          + " AND d.sequence = e.sequence";

  /** What $1's view $2 holds unacknowledged: not yet handed out, handed out, the oldest event. */
  public static final String MAILBOX_COUNTS =
      "SELECT count(*) FILTER (WHERE NOT d.written) AS pending,"
          + " count(*) FILTER (WHERE d.written) AS delivered, min(e.created_at) AS oldest"
          + " FROM a2a_deliveries d JOIN events e ON e.session_id = d.session_id"
          + " AND e.sequence = d.sequence WHERE d.node = $1 AND d.view = $2";

  /** $1 read its mailbox now; $2 the highest cursor handed out (NULL: none this time). */
  public static final String MAILBOX_PULLED =
      "INSERT INTO a2a_mailbox_clients (node, last_pull_at, last_cursor) VALUES ($1, "
          + DB_NOW
          + ", $2) ON CONFLICT (node) DO UPDATE SET last_pull_at = EXCLUDED.last_pull_at,"
          + " last_cursor = GREATEST(a2a_mailbox_clients.last_cursor, EXCLUDED.last_cursor)";

  /** $1's last mailbox read and whether it is within the offline window $2. */
  public static final String MAILBOX_CLIENT =
      "SELECT last_pull_at, last_cursor, last_pull_at > "
          + DB_NOW
          + " - $2 AS recent FROM a2a_mailbox_clients WHERE node = $1";

  // --- subscriptions (hub spec §9)

  /**
   * Serialises one node's subscribes: the limit is a count of its rows, which a row lock cannot
   * guard before the rows exist, so a transaction-scoped advisory lock on the node stands in.
   */
  static final String LOCK_SUBSCRIBER =
      "SELECT pg_advisory_xact_lock(hashtextextended('a2a_subscriptions:' || $1, 0))";

  /** $1 node, $2 topic, $3 now, $4 the limit: inserted only below it; no row when not inserted. */
  static final String SUBSCRIBE =
      "INSERT INTO a2a_subscriptions (node, topic, created_at)"
          + " SELECT $1, $2, $3 WHERE (SELECT count(*) FROM a2a_subscriptions WHERE node = $1) < $4"
          + " ON CONFLICT (node, topic) DO NOTHING RETURNING topic";

  static final String IS_SUBSCRIBED =
      "SELECT 1 FROM a2a_subscriptions WHERE node = $1 AND topic = $2";

  static final String UNSUBSCRIBE = "DELETE FROM a2a_subscriptions WHERE node = $1 AND topic = $2";

  static final String COUNT_SUBSCRIPTIONS =
      "SELECT count(*) AS n FROM a2a_subscriptions WHERE node = $1";

  static final String SUBSCRIPTIONS =
      "SELECT topic, created_at FROM a2a_subscriptions WHERE node = $1"
          + " ORDER BY created_at, topic";

  // --- notices (an outbox: written by the board change, delivered by a notice worker)

  /**
   * Queues one notice of type $3 per subscriber whose topic is a signal of one of the tasks $1
   * (session $2), except the actor $4, at $5: the topic is the task's first matching signal. The
   * primary key keeps it to one per (subscriber, task, type), ever.
   */
  static final String QUEUE_NOTICES =
      "INSERT INTO a2a_notices (node, task_id, type, topic, session_id, created_at)"
          + " SELECT DISTINCT ON (s.node, t.task_id) s.node, t.task_id, $3, s.topic, t.session_id,"
          + " $5 FROM a2a_tasks t CROSS JOIN LATERAL unnest(t.signals) WITH ORDINALITY"
          + " AS sig(signal, ord) JOIN a2a_subscriptions s ON s.topic = sig.signal"
          + " WHERE t.task_id = ANY($1) AND t.session_id = $2 AND s.node <> $4"
          + " ORDER BY s.node, t.task_id, sig.ord"
          + " ON CONFLICT DO NOTHING";

  /**
   * Up to $1 pending notices, oldest first, with the owner of the task's session (whom the
   * subscriber must reach under trust). Read without a lock: the claim decides.
   */
  static final String PENDING_NOTICES =
      "SELECT n.node, n.task_id, n.type, a.owner FROM a2a_notices n"
          + " JOIN a2a_sessions a ON a.session_id = n.session_id"
          + " WHERE n.delivered_at IS NULL ORDER BY n.created_at, n.node LIMIT $1";

  /** Serialises one node's notice deliveries, and the creation of its notice session. */
  static final String LOCK_NOTICE_NODE =
      "SELECT pg_advisory_xact_lock(hashtextextended('a2a_notices:' || $1, 0))";

  /**
   * Claims $1's pending notices among the tasks $2, at the database clock, with what each notice
   * says of its task; no row for one that another worker delivered first.
   */
  static final String CLAIM_NOTICES =
      "UPDATE a2a_notices n SET delivered_at = "
          + DB_NOW
          + " FROM a2a_tasks t WHERE n.node = $1 AND n.task_id = ANY($2)"
          + " AND n.delivered_at IS NULL AND t.task_id = n.task_id"
          + " RETURNING n.task_id, n.type, n.topic, n.created_at, t.session_id, t.title,"
          + " t.description, t.signals, t.contribution_weight, t.result_asset_id, t.summary,"
          + " t.assigned_to";

  /** $1's notice session. */
  static final String NOTICE_SESSION = "SELECT session_id FROM a2a_notice_sessions WHERE node = $1";

  static final String INSERT_NOTICE_SESSION =
      "INSERT INTO a2a_notice_sessions (node, session_id) VALUES ($1, $2)";

  /** The node's notice session ended (through ASP): $2 replaces it. */
  static final String REPLACE_NOTICE_SESSION =
      "UPDATE a2a_notice_sessions SET session_id = $2 WHERE node = $1";

  // --- discover (hub spec §9): lexical, over open unassigned tasks of joinable public sessions

  /**
   * The sessions among {@code m}'s that a caller ($5) could take a task in: public, active, of kind
   * a2a, and not full unless it is joined already. Checked once per session, not per task.
   */
  private static final String DISCOVER_JOINABLE =
      " ok AS (SELECT s.id, s.topic, a.owner FROM (SELECT DISTINCT session_id FROM m) d"
          + " JOIN sessions s ON s.id = d.session_id JOIN a2a_sessions a ON a.session_id = s.id"
          + " WHERE s.kind = 'a2a' AND s.visibility = 'public' AND s.state = 'active'"
          + " AND a.status = 'active' AND (s.max_participants IS NULL"
          + " OR EXISTS (SELECT 1 FROM participants p WHERE p.session_id = s.id"
          + " AND p.handle = $5 AND p.status = 'joined')"
          + " OR (SELECT count(*) FROM participants p WHERE p.session_id = s.id"
          + " AND p.status = 'joined') < s.max_participants))"
          + " SELECT m.*, ok.topic AS session_title, ok.owner FROM m JOIN ok ON ok.id = m.session_id";

  /**
   * The most matches discover ranks: beyond it, the newest this many of the matches are ranked, so
   * a query matching most of the board (a word like "fix") costs the same on 10,000 tasks as on a
   * million, and a selective one is found through the text index whatever its age.
   */
  static final int DISCOVER_MATCHES = 1000;

  /** What discover reads of a candidate task. */
  private static final String DISCOVER_TASK =
      "t.task_id, t.session_id, t.title, t.description, t.signals, t.contribution_weight,"
          + " t.created_at";

  /**
   * Ranked candidates: open, unassigned tasks matching the query $1 (websearch syntax, 'simple') or
   * carrying a capability $2, in one scan that can OR the two partial GIN indexes; score = r/(r+1)
   * for the text rank r, plus |caps ∩ signals| / |caps|; signals $3 filter; at most $4.
   */
  static final String DISCOVER_RANKED =
      "WITH q AS (SELECT websearch_to_tsquery('simple', COALESCE($1::text, '')) AS query),"
          + " m AS (SELECT "
          + DISCOVER_TASK
          + ", (CASE WHEN $1::text IS NULL THEN 0"
          + " ELSE ts_rank_cd(t.search, q.query) / (ts_rank_cd(t.search, q.query) + 1) END"
          + " + CASE WHEN cardinality($2::text[]) = 0 THEN 0 ELSE (SELECT count(*)"
          + " FROM unnest(t.signals) x WHERE x = ANY($2))::float8 / cardinality($2::text[])"
          + " END) AS score FROM a2a_tasks t, q"
          + " WHERE t.status = 'pending' AND t.assigned_to IS NULL"
          + " AND (t.search @@ q.query OR t.signals && $2)"
          + " AND (cardinality($3::text[]) = 0 OR t.signals && $3)"
          + " ORDER BY t.created_at DESC LIMIT "
          + DISCOVER_MATCHES
          + "),"
          + DISCOVER_JOINABLE
          + " ORDER BY m.score DESC, m.created_at DESC, m.task_id LIMIT $4";

  /**
   * Neither a query $1 nor capabilities $2: the newest open tasks (through the recency index),
   * score 0, at most $4 after the joinable filter — bounded by reading at most 20 × $4 of them.
   */
  static final String DISCOVER_NEWEST =
      "WITH m AS (SELECT "
          + DISCOVER_TASK
          + ", 0::float8 AS score FROM a2a_tasks t"
          + " WHERE t.status = 'pending' AND t.assigned_to IS NULL"
          + " AND $1::text IS NULL AND cardinality($2::text[]) = 0"
          + " AND (cardinality($3::text[]) = 0 OR t.signals && $3)"
          + " ORDER BY t.created_at DESC, t.task_id LIMIT 20 * $4),"
          + DISCOVER_JOINABLE
          + " ORDER BY m.created_at DESC, m.task_id LIMIT $4";

  /** The joined participants of sessions $1, for the trust question of discover. */
  static final String JOINED_OF_SESSIONS =
      "SELECT session_id, handle FROM participants WHERE session_id = ANY($1)"
          + " AND status = 'joined'";

  /** Open (not completed) task counts of sessions $1. */
  static final String OPEN_TASKS_OF_SESSIONS =
      "SELECT session_id, count(*) AS n FROM a2a_tasks WHERE session_id = ANY($1)"
          + " AND status <> 'completed' GROUP BY session_id";

  // --- deliberations (hub spec §12)

  /**
   * Candidates to pick ($1 the initiator, $2 the keywords of title and body, $3 the offline window,
   * $4 the only handles allowed or NULL, $5 at most): alive node records, best keyword overlap
   * first, then least recently picked (never first), then handle.
   */
  static final String DELIBERATION_CANDIDATES =
      "SELECT n.handle, (SELECT count(DISTINCT k) FROM unnest(n.keywords) k WHERE k = ANY($2))"
          + " AS shared FROM a2a_nodes n WHERE n.handle <> $1"
          + " AND ($4::text[] IS NULL OR n.handle = ANY($4))"
          + " AND (n.last_seen > "
          + DB_NOW
          + " - $3 OR EXISTS (SELECT 1 FROM presence r WHERE r.agent = n.handle))"
          + " ORDER BY shared DESC, n.last_picked ASC NULLS FIRST, n.handle LIMIT $5";

  /**
   * Marks the nodes $1 picked at $2. Their rows are locked in handle order first, so two starts
   * picking the same nodes wait on each other instead of deadlocking.
   */
  static final String PICKED_ALL =
      "UPDATE a2a_nodes SET last_picked = $2 WHERE handle IN (SELECT handle FROM a2a_nodes"
          + " WHERE handle = ANY($1) ORDER BY handle FOR UPDATE)";

  private static final String DELIBERATION_COLUMNS =
      "d.deliberation_id, d.session_id, d.linked_session_id, d.task_id, d.title, d.body, d.mode,"
          + " d.max_rounds, d.min_agents, d.max_agents, d.timeout_ms, d.threshold, d.initiator,"
          + " d.participants, d.status, d.round, d.phase_deadline, d.convergence_score,"
          + " d.decision, d.dissent, d.created_at, d.completed_at, s.state AS session_state, "
          + DB_NOW
          + " AS db_now";

  /** A deliberation with its backing session's state and the database clock. */
  static final String DELIBERATION =
      "SELECT "
          + DELIBERATION_COLUMNS
          + " FROM a2a_deliberations d JOIN sessions s ON s.id = d.session_id"
          + " WHERE d.deliberation_id = $1";

  static final String INSERT_DELIBERATION =
      "INSERT INTO a2a_deliberations (deliberation_id, session_id, linked_session_id, task_id,"
          + " title, body, mode, max_rounds, min_agents, max_agents, timeout_ms, threshold,"
          + " initiator, participants, status, round, phase_deadline, created_at)"
          + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'diverging', 1, "
          + DB_NOW
          + " + $11, $15) RETURNING phase_deadline";

  /** $1 id, $2 status, $3 round, $4 score: the next phase starts now, on the database clock. */
  static final String DELIBERATION_NEXT_PHASE =
      "UPDATE a2a_deliberations SET status = $2, round = $3, convergence_score = $4,"
          + " phase_deadline = "
          + DB_NOW
          + " + timeout_ms WHERE deliberation_id = $1 RETURNING phase_deadline";

  /** $1 id, $2 score, $3 decision, $4 dissent, $5 now. */
  static final String DELIBERATION_COMPLETE =
      "UPDATE a2a_deliberations SET status = 'completed', convergence_score = $2, decision = $3,"
          + " dissent = $4, completed_at = $5, phase_deadline = NULL WHERE deliberation_id = $1";

  static final String DELIBERATION_FAIL =
      "UPDATE a2a_deliberations SET status = 'failed', phase_deadline = NULL,"
          + " completed_at = $2 WHERE deliberation_id = $1";

  static final String INSERT_DELIBERATION_POST =
      "INSERT INTO a2a_deliberation_posts (deliberation_id, sequence, round, phase, node,"
          + " dialog_type) VALUES ($1, $2, $3, $4, $5, $6)";

  /** Who contributed to ($1, round $2, phase $3). */
  static final String DELIBERATION_CONTRIBUTORS =
      "SELECT DISTINCT node FROM a2a_deliberation_posts WHERE deliberation_id = $1"
          + " AND round = $2 AND phase = $3";

  static final String UPSERT_VOTE =
      "INSERT INTO a2a_deliberation_votes (deliberation_id, round, node, vote, confidence,"
          + " reasoning, sequence) VALUES ($1, $2, $3, $4, $5, $6, $7)"
          + " ON CONFLICT (deliberation_id, round, node) DO UPDATE SET vote = EXCLUDED.vote,"
          + " confidence = EXCLUDED.confidence, reasoning = EXCLUDED.reasoning,"
          + " sequence = EXCLUDED.sequence";

  static final String VOTES_OF_ROUND =
      "SELECT node, vote, confidence, reasoning FROM a2a_deliberation_votes"
          + " WHERE deliberation_id = $1 AND round = $2 ORDER BY sequence";

  /** The diverge posts of ($1, round $3) in session $2, as events, in sequence order. */
  static final String DIVERGE_POSTS =
      "SELECT "
          + POST_COLUMNS
          + " FROM a2a_deliberation_posts p JOIN events e ON e.session_id = $2"
          + " AND e.sequence = p.sequence WHERE p.deliberation_id = $1 AND p.round = $3"
          + " AND p.phase = 'diverging' ORDER BY p.sequence";

  /** The synthesize posts of round $2 in session $1. */
  static final String SYNTHESIS_POSTS =
      "SELECT "
          + POST_COLUMNS
          + " FROM a2a_dialog d JOIN events e ON e.session_id = d.session_id"
          + " AND e.sequence = d.sequence WHERE d.session_id = $1 AND d.dialog_type = 'synthesize'"
          + " AND e.payload -> 'metadata' -> 'a2a' ->> 'round' = $2::text ORDER BY d.sequence";

  /** Deliberations whose phase deadline passed, oldest first, at most $1. */
  static final String DUE_DELIBERATIONS =
      "SELECT deliberation_id FROM a2a_deliberations"
          + " WHERE status IN ('diverging', 'challenging', 'converging') AND phase_deadline <= "
          + DB_NOW
          + " ORDER BY phase_deadline LIMIT $1";

  /** Counts of posts per participant in the current (round $2, phase $3) of $1. */
  static final String SUBMITTED_COUNT =
      "SELECT count(DISTINCT node) AS n FROM a2a_deliberation_posts WHERE deliberation_id = $1"
          + " AND round = $2 AND phase = $3";

  /** Task $1's title and description, if $2 is joined in its session. */
  static final String TASK_FOR_DELIBERATION =
      "SELECT t.title, t.description FROM a2a_tasks t JOIN participants p"
          + " ON p.session_id = t.session_id AND p.handle = $2 AND p.status = 'joined'"
          + " WHERE t.task_id = $1";

  /** The sequences of the diverge posts of ($1, round $2), stored or not. */
  static final String DIVERGE_SEQUENCES =
      "SELECT sequence FROM a2a_deliberation_posts WHERE deliberation_id = $1 AND round = $2"
          + " AND phase = 'diverging' ORDER BY sequence";

  // --- pipelines (§13)

  private static final String PIPELINE_COLUMNS =
      "p.pipeline_id, p.session_id, p.name, p.description, p.status, p.template_id, p.created_by,"
          + " p.input_data, p.current_step, p.stalled_since, p.created_at, p.completed_at,"
          + " s.state AS session_state";

  /** $1 pipeline id → the pipeline with its backing session's state (NULL for a template). */
  static final String PIPELINE =
      "SELECT "
          + PIPELINE_COLUMNS
          + " FROM a2a_pipelines p LEFT JOIN sessions s ON s.id = p.session_id"
          + " WHERE p.pipeline_id = $1";

  /** $1 pipeline id → its steps in order. */
  static final String PIPELINE_STEPS =
      "SELECT position, role, capabilities, keywords, name, description, status, assignee, input,"
          + " output, result_asset_id, started_at, completed_at FROM a2a_pipeline_steps"
          + " WHERE pipeline_id = $1 ORDER BY position";

  /** $1 limit → templates, newest first. */
  static final String PIPELINE_TEMPLATES =
      "SELECT "
          + PIPELINE_COLUMNS
          + " FROM a2a_pipelines p LEFT JOIN sessions s ON s.id = p.session_id"
          + " WHERE p.status = 'template' ORDER BY p.created_at DESC, p.pipeline_id DESC LIMIT $1";

  /** $1 pipeline ids → the steps of all of them, in order. */
  static final String PIPELINES_STEPS =
      "SELECT pipeline_id, position, role, capabilities, keywords, name, description, status,"
          + " assignee, input, output, result_asset_id, started_at, completed_at"
          + " FROM a2a_pipeline_steps WHERE pipeline_id = ANY ($1::text[])"
          + " ORDER BY pipeline_id, position";

  /**
   * $1 id, $2 session or NULL, $3 name, $4 description, $5 status, $6 template id, $7 creator, $8
   * input data (JSON text), $9 current step, $10 step count, $11 stalled since, $12 created at.
   */
  static final String INSERT_PIPELINE =
      "INSERT INTO a2a_pipelines (pipeline_id, session_id, name, description, status,"
          + " template_id, created_by, input_data, current_step, step_count, stalled_since,"
          + " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

  /** $1 pipeline, $2 position, $3 role, $4 capabilities, $5 keywords, $6 name, $7 description. */
  static final String INSERT_PIPELINE_STEP =
      "INSERT INTO a2a_pipeline_steps (pipeline_id, position, role, capabilities, keywords, name,"
          + " description, status) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending')";

  /** $1 pipeline, $2 status, $3 current step, $4 stalled since, $5 completed at. */
  static final String UPDATE_PIPELINE =
      "UPDATE a2a_pipelines SET status = $2, current_step = $3, stalled_since = $4,"
          + " completed_at = $5 WHERE pipeline_id = $1";

  /**
   * $1 pipeline, $2 position, $3 status, $4 assignee, $5 input, $6 output, $7 result asset, $8
   * started at, $9 completed at.
   */
  static final String UPDATE_PIPELINE_STEP =
      "UPDATE a2a_pipeline_steps SET status = $3, assignee = $4, input = $5, output = $6,"
          + " result_asset_id = $7, started_at = $8, completed_at = $9"
          + " WHERE pipeline_id = $1 AND position = $2";

  /** The liveness rule of {@code ALIVE_NODES} for a2a_nodes row {@code n}; $k the offline ms. */
  private static String alive(String offlineParam) {
    return "(n.last_seen > "
        + DB_NOW
        + " - "
        + offlineParam
        + " OR EXISTS (SELECT 1 FROM presence r WHERE r.agent = n.handle))";
  }

  /**
   * $1 step keywords, $2 creator, $3 offline ms, $4 limit → the alive node records sharing a
   * keyword with the step, best overlap first (the bound keeps the likeliest; the rule itself is
   * {@code StepAssignment}'s).
   */
  static final String STEP_CANDIDATES =
      "SELECT n.handle FROM a2a_nodes n WHERE n.keywords && $1::text[] AND n.handle <> $2 AND "
          + alive("$3")
          + " ORDER BY cardinality(ARRAY(SELECT unnest(n.keywords) INTERSECT"
          + " SELECT unnest($1::text[]))) DESC, n.handle LIMIT $4";

  /**
   * $1 handles, $2 the pipeline being assigned, $3 offline ms → each still alive candidate's
   * keywords, last pick and the steps it holds now in other running pipelines.
   */
  static final String CANDIDATE_FACTS =
      "SELECT n.handle, n.keywords, n.last_picked, (SELECT count(*) FROM a2a_pipeline_steps st"
          + " JOIN a2a_pipelines p ON p.pipeline_id = st.pipeline_id"
          + " JOIN sessions s ON s.id = p.session_id"
          + " WHERE st.assignee = n.handle AND st.status = 'active' AND p.status = 'active'"
          + " AND s.state = 'active' AND p.pipeline_id <> $2) AS active_steps"
          + " FROM a2a_nodes n WHERE n.handle = ANY ($1::text[]) AND "
          + alive("$3");

  static final String PICKED =
      "UPDATE a2a_nodes SET last_picked = " + DB_NOW + " WHERE handle = $1";

  /**
   * $1 node, $2 limit → stalled pipelines of running sessions whose current step shares a keyword
   * with the node's, not created by it, longest stalled first.
   */
  static final String STALLED_FOR =
      "SELECT p.pipeline_id, p.session_id, p.created_by FROM a2a_pipelines p"
          + " JOIN sessions s ON s.id = p.session_id AND s.state = 'active'"
          + " JOIN a2a_pipeline_steps st ON st.pipeline_id = p.pipeline_id"
          + "   AND st.position = p.current_step"
          + " WHERE p.status = 'stalled' AND p.created_by <> $1"
          + " AND st.keywords && (SELECT keywords FROM a2a_nodes WHERE handle = $1)"
          + " ORDER BY p.stalled_since, p.pipeline_id LIMIT $2";

  /** $1 session → the pipeline it backs. */
  static final String PIPELINE_OF_SESSION =
      "SELECT pipeline_id FROM a2a_pipelines WHERE session_id = $1";

  // --- one pull (PullView): each step one statement, so a pull is a handful of round trips

  /** Creates the (node, view) row if new and takes its row lock, as one statement: next_no. */
  public static final String TAKE_VIEW =
      "INSERT INTO a2a_views (node, view) VALUES ($1, $2)"
          + " ON CONFLICT (node, view) DO UPDATE SET next_no = a2a_views.next_no RETURNING next_no";

  /**
   * Under the view lock: whether the channel has rows whose write report is pending ($5: check it),
   * claims the channel for request $4 unless it must wait ($6: claim), and reads the channel row:
   * {@code pending, claimed, claimed_last} (the row as claimed) and {@code active_request,
   * last_written} (the row as it was; null when there is none).
   */
  public static final String CHANNEL_STATE =
      "WITH p AS (SELECT $5::boolean AND EXISTS (SELECT 1 FROM a2a_deliveries d"
          + "   WHERE d.node = $1 AND d.view = $2 AND d.channel = $3 AND NOT d.written) AS pending),"
          + " c AS (INSERT INTO a2a_channels (node, view, channel, active_request)"
          + "   SELECT $1::text, $2::text, $3::text, $4::text FROM p WHERE $6::boolean AND NOT p.pending"
          + "   ON CONFLICT (node, view, channel) DO UPDATE SET active_request = EXCLUDED.active_request"
          + "   RETURNING last_written)"
          + " SELECT p.pending, EXISTS (SELECT 1 FROM c) AS claimed,"
          + " (SELECT last_written FROM c) AS claimed_last, ch.active_request, ch.last_written"
          + " FROM p LEFT JOIN a2a_channels ch ON ch.node = $1 AND ch.view = $2 AND ch.channel = $3";

  /**
   * Acknowledges ($5: {@code written}, the channel $7's written rows; {@code cursor}, every row up
   * to $6; {@code none}) and reads, in number order, up to $3 rows still handed out that the
   * channel may take ($4: the channel whose written rows it never takes).
   */
  public static final String ACK_AND_OUTSTANDING =
      "WITH acked AS (DELETE FROM a2a_deliveries WHERE node = $1 AND view = $2"
          + "   AND (($5::text = 'written' AND channel = $7::text AND written)"
          + "     OR ($5::text = 'cursor' AND no <= $6::bigint))"
          + "   RETURNING no)"
          + " SELECT no, session_id, sequence FROM a2a_deliveries WHERE node = $1 AND view = $2"
          + " AND NOT (written AND channel = $4) AND no NOT IN (SELECT no FROM acked)"
          + " ORDER BY no LIMIT $3";

  /**
   * The rows a pull handed out on channel $3 (numbers $5, sessions $6, sequences $7, at $4) and the
   * view's next number $8, as one statement.
   */
  public static final String SAVE_DELIVERIES =
      "WITH d AS (INSERT INTO a2a_deliveries"
          + "   (node, view, no, channel, session_id, sequence, created_at)"
          + "   SELECT $1, $2, t.no, $3, t.session_id, t.sequence, $4"
          + "   FROM unnest($5::bigint[], $6::text[], $7::bigint[]) AS t(no, session_id, sequence))"
          + " UPDATE a2a_views SET next_no = $8 WHERE node = $1 AND view = $2";

  /**
   * A response was written in full: its rows $4 of channel $3 count as written and the channel's
   * highest written number moves to $5 — one statement that takes the view lock first (as every
   * pull does, so it never deadlocks against one).
   */
  public static final String REPORT_WRITTEN =
      "WITH v AS MATERIALIZED (SELECT 1 AS locked FROM a2a_views"
          + "   WHERE node = $1 AND view = $2 FOR UPDATE),"
          + " d AS (UPDATE a2a_deliveries SET written = true FROM v"
          + "   WHERE node = $1 AND view = $2 AND channel = $3 AND no = ANY ($4::bigint[]) RETURNING no)"
          + " UPDATE a2a_channels SET last_written = GREATEST(COALESCE(last_written, 0), $5) FROM v"
          + " WHERE node = $1 AND view = $2 AND channel = $3";

  /** A response could not be written: its rows $4 leave channel $3 (under the view lock). */
  public static final String REPORT_UNWRITTEN =
      "WITH v AS MATERIALIZED (SELECT 1 AS locked FROM a2a_views"
          + "   WHERE node = $1 AND view = $2 FOR UPDATE)"
          + " UPDATE a2a_deliveries SET channel = '' FROM v"
          + " WHERE node = $1 AND view = $2 AND channel = $3 AND no = ANY ($4::bigint[])"
          + " AND NOT written";
}
