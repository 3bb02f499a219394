package dev.asp.trust.impl;

/**
 * Every SQL statement of the trust module ({@code $n} placeholders). Times are epoch milliseconds;
 * tokens appear only as SHA-256 hashes ({@code bytea}).
 */
public final class TrustQueries {
  private TrustQueries() {}

  /** Fails if the schema has not been migrated, so start-up fails instead of every request. */
  public static final String PROBE_SCHEMA =
      "SELECT (SELECT 1 FROM agents LIMIT 1), (SELECT 1 FROM hub_nodes LIMIT 1),"
          + " (SELECT 1 FROM hub_identity LIMIT 1)";

  /**
   * The database clock in epoch milliseconds (the transaction's start): hub-node times are written
   * and compared with it, so cluster nodes with skewed clocks agree on the reissue window.
   */
  private static final String DB_NOW_MS = "floor(extract(epoch FROM now()) * 1000)::bigint";

  // --- authentication

  /**
   * {@code $1} token hash → {@code handle, node_id, secret_version} of the live agent holding that
   * active token ({@code node_id} null unless it is a hub node). In the same round trip, a hub
   * node's secret is marked used (§18.3): the update writes only the first time, and a
   * data-modifying CTE runs whether or not the outer query reads it.
   */
  public static final String TOKEN_HOLDER =
      "WITH holder AS (SELECT a.handle FROM agent_tokens t JOIN agents a ON a.handle = t.handle"
          + " WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND a.deleted_at IS NULL),"
          + " used AS (UPDATE hub_nodes h SET secret_used = true FROM holder"
          + " WHERE h.handle = holder.handle AND NOT h.secret_used)"
          + " SELECT holder.handle, h.node_id, h.secret_version"
          + " FROM holder LEFT JOIN hub_nodes h ON h.handle = holder.handle";

  public static final String OWNER_BY_TOKEN_HASH =
      "SELECT owner FROM owner_tokens WHERE token_hash = $1";

  // --- reachability: agents with their allowlists, then blocks involving the source

  /** {@code $1} handles → existing agents' policy and allowlist. */
  public static final String TRUST_OF_AGENTS =
      "SELECT a.handle, a.inbound_policy,"
          + " ARRAY(SELECT e.entry FROM allowlist_entries e WHERE e.handle = a.handle) AS allowlist"
          + " FROM agents a WHERE a.handle = ANY($1) AND a.deleted_at IS NULL";

  /** {@code $1} source, {@code $2} targets → targets in a block with the source, either way. */
  public static final String BLOCKED_EITHER_WAY =
      "SELECT blocked AS other FROM blocks WHERE blocker = $1 AND blocked = ANY($2)"
          + " UNION SELECT blocker FROM blocks WHERE blocked = $1 AND blocker = ANY($2)";

  /**
   * Targets ($1) that blocked, or were blocked by, anyone of a group ($2): the members of a session
   * a target would join. Returns the target side of each such block.
   */
  public static final String TARGETS_BLOCKED_WITH_GROUP =
      "SELECT blocked AS target FROM blocks WHERE blocked = ANY($1) AND blocker = ANY($2)"
          + " AND blocked <> blocker"
          + " UNION SELECT blocker FROM blocks WHERE blocker = ANY($1) AND blocked = ANY($2)"
          + " AND blocked <> blocker";

  // --- owners

  public static final String INSERT_OWNER = "INSERT INTO owners (name, created_at) VALUES ($1, $2)";

  public static final String ENSURE_OWNER =
      "INSERT INTO owners (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING";

  public static final String LOCK_OWNER = "SELECT name FROM owners WHERE name = $1 FOR UPDATE";

  public static final String DELETE_OWNER_TOKENS = "DELETE FROM owner_tokens WHERE owner = $1";

  public static final String INSERT_OWNER_TOKEN =
      "INSERT INTO owner_tokens (token_hash, owner, created_at) VALUES ($1, $2, $3)";

  // --- agents

  public static final String INSERT_AGENT =
      "INSERT INTO agents (handle, owner, inbound_policy, created_at) VALUES ($1, $2, $3, $4)";

  /** Seed: creates the agent unless the handle exists (also when deleted: deletion wins). */
  public static final String ENSURE_AGENT =
      "INSERT INTO agents (handle, owner, inbound_policy, created_at) VALUES ($1, $2, $3, $4)"
          + " ON CONFLICT (handle) DO NOTHING";

  /**
   * Locks a live agent for the rest of the transaction, so a concurrent delete cannot slip between
   * the scope check and the change.
   */
  public static final String LOCK_AGENT =
      "SELECT handle FROM agents WHERE handle = $1 AND deleted_at IS NULL FOR UPDATE";

  /** {@link #LOCK_AGENT}, also telling whether the agent is a hub node ({@code hub_node}). */
  public static final String LOCK_AGENT_KIND =
      "SELECT a.handle, h.handle IS NOT NULL AS hub_node"
          + " FROM agents a LEFT JOIN hub_nodes h ON h.handle = a.handle"
          + " WHERE a.handle = $1 AND a.deleted_at IS NULL FOR UPDATE OF a";

  public static final String SET_POLICY = "UPDATE agents SET inbound_policy = $2 WHERE handle = $1";

  public static final String DELETE_AGENT =
      "UPDATE agents SET deleted_at = $2 WHERE handle = $1 AND deleted_at IS NULL";

  private static final String AGENT_VIEW_SELECT =
      "SELECT a.handle, a.owner, a.inbound_policy, a.created_at,"
          + " ARRAY(SELECT e.entry FROM allowlist_entries e WHERE e.handle = a.handle"
          + " ORDER BY e.entry COLLATE \"C\") AS allowlist,"
          + " ARRAY(SELECT b.blocked FROM blocks b WHERE b.blocker = a.handle"
          + " ORDER BY b.blocked COLLATE \"C\") AS blocks,"
          + " COALESCE((SELECT json_agg(json_build_object('token_id', t.token_id,"
          + " 'created_at', t.created_at) ORDER BY t.created_at, t.token_id)"
          + " FROM agent_tokens t WHERE t.handle = a.handle AND t.revoked_at IS NULL),"
          + " '[]'::json) AS tokens"
          + " FROM agents a WHERE a.deleted_at IS NULL";

  /** {@code $1} handle → the agent view row of a live agent. */
  public static final String AGENT_VIEW = AGENT_VIEW_SELECT + " AND a.handle = $1";

  /**
   * {@code $1} owner, or null for every owner; {@code $2} the handle to start after, or null;
   * {@code $3} how many → agent view rows by handle (byte order, the order of the cursor's
   * comparison).
   */
  public static final String AGENT_VIEWS =
      AGENT_VIEW_SELECT
          + " AND ($1::text IS NULL OR a.owner = $1::text)"
          + " AND ($2::text IS NULL OR a.handle COLLATE \"C\" > $2::text COLLATE \"C\")"
          + " ORDER BY a.handle COLLATE \"C\" LIMIT $3";

  // --- agent tokens

  public static final String INSERT_AGENT_TOKEN =
      "INSERT INTO agent_tokens (token_id, token_hash, handle, created_at) VALUES ($1, $2, $3, $4)";

  /** Seed: a token already known (active or revoked) is left as it is, so re-seeding is a no-op. */
  public static final String ENSURE_AGENT_TOKEN = INSERT_AGENT_TOKEN + " ON CONFLICT DO NOTHING";

  public static final String HANDLE_OF_TOKEN_HASH =
      "SELECT handle FROM agent_tokens WHERE token_hash = $1";

  public static final String REVOKE_AGENT_TOKENS =
      "UPDATE agent_tokens SET revoked_at = $2 WHERE handle = $1 AND revoked_at IS NULL";

  /** Revoking twice keeps the first revocation time; zero rows means no such token. */
  public static final String REVOKE_AGENT_TOKEN =
      "UPDATE agent_tokens SET revoked_at = COALESCE(revoked_at, $3)"
          + " WHERE handle = $1 AND token_id = $2";

  // --- allowlists

  public static final String ADD_ENTRIES =
      "INSERT INTO allowlist_entries (handle, entry, created_at)"
          + " SELECT $1, e, $3 FROM unnest($2::text[]) AS e ON CONFLICT DO NOTHING";

  public static final String REMOVE_ENTRY =
      "DELETE FROM allowlist_entries WHERE handle = $1 AND entry = $2";

  /** Removes the entries not in {@code $2}: with {@link #ADD_ENTRIES}, replaces a list in place. */
  public static final String RETAIN_ENTRIES =
      "DELETE FROM allowlist_entries WHERE handle = $1 AND NOT (entry = ANY($2::text[]))";

  // --- blocks

  public static final String INSERT_BLOCK =
      "INSERT INTO blocks (blocker, blocked, created_at) VALUES ($1, $2, $3)"
          + " ON CONFLICT DO NOTHING";

  public static final String DELETE_BLOCK =
      "DELETE FROM blocks WHERE blocker = $1 AND blocked = $2";

  // --- hub nodes

  /** {@code $1} hub id generated by this node: kept only if no node stored one before. */
  public static final String ENSURE_HUB_IDENTITY =
      "INSERT INTO hub_identity (id, hub_node_id) VALUES (1, $1) ON CONFLICT (id) DO NOTHING";

  public static final String HUB_IDENTITY = "SELECT hub_node_id FROM hub_identity WHERE id = 1";

  /**
   * {@code $1} handle → {@code deleted, node_id} of any agent ever registered with it ({@code
   * node_id} null unless it is a hub node); no row for a handle never used.
   */
  public static final String SENDER_STATE =
      "SELECT a.deleted_at IS NOT NULL AS deleted, h.node_id"
          + " FROM agents a LEFT JOIN hub_nodes h ON h.handle = a.handle WHERE a.handle = $1";

  /** {@code $1} handle → {@code node_id, secret_version} of a live agent (null unless hub node). */
  public static final String NODE_INFO =
      "SELECT h.node_id, h.secret_version"
          + " FROM agents a LEFT JOIN hub_nodes h ON h.handle = a.handle"
          + " WHERE a.handle = $1 AND a.deleted_at IS NULL";

  /** {@code $1} handle, {@code $2} node id: the node's row at registration, secret version 1. */
  public static final String INSERT_HUB_NODE =
      "INSERT INTO hub_nodes (handle, node_id, secret_version, registered_at, secret_issued_at)"
          + " SELECT $1, $2, 1, t.now, t.now FROM (SELECT "
          + DB_NOW_MS
          + " AS now) t";

  /**
   * {@code $1} handle, {@code $2} window in ms → {@code node_id, secret_version}, only when the
   * node's secret was never used and was issued within the window: the conditions are re-checked
   * under the row lock, so a secret used meanwhile can no longer be replaced.
   */
  public static final String REISSUE_UNCLAIMED =
      "UPDATE hub_nodes SET secret_version = secret_version + 1, secret_issued_at = "
          + DB_NOW_MS
          + " WHERE handle = $1 AND NOT secret_used AND secret_issued_at >= "
          + DB_NOW_MS
          + " - $2::bigint RETURNING node_id, secret_version";

  /** {@code $1} handle → {@code node_id, secret_version} after a rotation; no row if not a node. */
  public static final String BUMP_SECRET_VERSION =
      "UPDATE hub_nodes SET secret_version = secret_version + 1 WHERE handle = $1"
          + " RETURNING node_id, secret_version";

  /**
   * {@code $1} handle, {@code $2} token hash: whether that token is still one of its active ones.
   */
  public static final String ACTIVE_TOKEN_OF =
      "SELECT 1 FROM agent_tokens WHERE handle = $1 AND token_hash = $2 AND revoked_at IS NULL";
}
