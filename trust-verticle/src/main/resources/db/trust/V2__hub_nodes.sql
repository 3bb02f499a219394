-- Hub nodes of the A2A surface: agents of the reserved owner registered by hello. Their secrets are
-- ordinary agent tokens (agent_tokens); this row adds what hello needs beside them. Times are
-- epoch milliseconds of the database clock, so every node of a cluster measures the reissue
-- window against the same clock.
CREATE TABLE hub_nodes (
  handle           text PRIMARY KEY REFERENCES agents (handle),
  -- Unique on its own too: if the reserved owner is renamed, an id registered under the old one
  -- must still not be registered a second time.
  node_id          text NOT NULL UNIQUE,
  secret_version   int NOT NULL,
  registered_at    bigint NOT NULL,
  -- Set once any of the node's secrets is presented as a Bearer; from then on a hello without one
  -- can never reissue a secret.
  secret_used      boolean NOT NULL DEFAULT false,
  secret_issued_at bigint NOT NULL
);

-- The deployment's own hub id, made once: the single row is inserted with ON CONFLICT DO NOTHING
-- and read back, so nodes starting together agree on it.
CREATE TABLE hub_identity (
  id          int PRIMARY KEY CHECK (id = 1),
  hub_node_id text NOT NULL
);
