-- Trust module: owners, agents, tokens, inbound policies, allowlists, blocks.
-- Times are epoch milliseconds. Tokens are never stored: only their SHA-256, so a leaked
-- database does not leak credentials (tokens are 256-bit random, a slow hash adds nothing).

CREATE TABLE owners (
  name       text PRIMARY KEY,
  created_at bigint NOT NULL
);

CREATE TABLE owner_tokens (
  token_hash bytea PRIMARY KEY,
  owner      text NOT NULL REFERENCES owners (name),
  created_at bigint NOT NULL
);

CREATE INDEX owner_tokens_owner ON owner_tokens (owner);

-- A deleted agent keeps its row (deleted_at set) so its handle is never handed to someone else:
-- allowlists and blocks naming it must not silently start to apply to a newcomer.
CREATE TABLE agents (
  handle         text PRIMARY KEY,
  owner          text NOT NULL REFERENCES owners (name),
  inbound_policy text NOT NULL DEFAULT 'allowlist' CHECK (inbound_policy IN ('allowlist', 'open')),
  created_at     bigint NOT NULL,
  deleted_at     bigint NULL
);

CREATE INDEX agents_owner ON agents (owner);

CREATE TABLE agent_tokens (
  token_id   text PRIMARY KEY,
  token_hash bytea NOT NULL UNIQUE,
  handle     text NOT NULL REFERENCES agents (handle),
  created_at bigint NOT NULL,
  revoked_at bigint NULL
);

CREATE INDEX agent_tokens_active ON agent_tokens (handle) WHERE revoked_at IS NULL;

CREATE TABLE allowlist_entries (
  handle     text NOT NULL REFERENCES agents (handle),
  entry      text NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (handle, entry)
);

-- The blocked side may be a handle that does not exist (yet): blocking is allowed pre-emptively.
CREATE TABLE blocks (
  blocker    text NOT NULL REFERENCES agents (handle),
  blocked    text NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (blocker, blocked)
);

CREATE INDEX blocks_blocked ON blocks (blocked);
