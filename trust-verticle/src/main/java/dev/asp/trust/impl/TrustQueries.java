package dev.asp.trust.impl;

/**
 * Every SQL statement of the trust module ({@code $n} placeholders). Times are epoch milliseconds;
 * tokens appear only as SHA-256 hashes ({@code bytea}).
 */
public final class TrustQueries {
  private TrustQueries() {}

  /** Fails if the schema has not been migrated, so start-up fails instead of every request. */
  public static final String PROBE_SCHEMA = "SELECT 1 FROM agents LIMIT 1";

  // --- authentication

  public static final String AGENT_BY_TOKEN_HASH =
      "SELECT a.handle FROM agent_tokens t JOIN agents a ON a.handle = t.handle"
          + " WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND a.deleted_at IS NULL";

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

  /** {@code $1} owner, or null for every owner → agent view rows by handle. */
  public static final String AGENT_VIEWS =
      AGENT_VIEW_SELECT
          + " AND ($1::text IS NULL OR a.owner = $1::text) ORDER BY a.handle COLLATE \"C\"";

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
}
