-- The A2A layer's own state (hub spec §2.5, §5.3). Everything that is an event lives in the
-- session module's log; these tables hold what the A2A surface needs beside it. Times are epoch
-- milliseconds; liveness uses the database clock so every node agrees who is alive.

-- The node record of every agent that used /a2a/* (hub nodes and ASP agents alike).
CREATE TABLE a2a_nodes (
  handle        text    PRIMARY KEY,
  -- normalised keywords of the declared capabilities, and the declaration as sent
  keywords      text[]  NOT NULL DEFAULT '{}',
  capabilities  jsonb   NULL,
  -- NULL = the configured default level
  level         int     NULL CHECK (level BETWEEN 1 AND 3),
  last_seen     bigint  NOT NULL,
  created_at    bigint  NOT NULL,
  last_picked   bigint  NULL
);

-- What an A2A session has beyond its ASP session row (kind, visibility, topic = title live there).
CREATE TABLE a2a_sessions (
  session_id     text    PRIMARY KEY REFERENCES sessions (id),
  description    text    NULL,
  owner          text    NOT NULL,
  orchestrator   text    NOT NULL,
  -- the A2A status; while the ASP session is ended, active/converging read as closed
  status         text    NOT NULL CHECK (status IN ('active','converging','completed','failed','closed')),
  shared_context jsonb   NOT NULL DEFAULT '{}',
  updated_at     bigint  NOT NULL
);

CREATE INDEX a2a_sessions_listed ON a2a_sessions (updated_at DESC);

-- Pull views (§5.3): per (node, view) a numbering and the lock every pull takes, per channel the
-- request that may hand out events now and the highest number written, per session how far the
-- view has numbered the log, and the rows handed out and not yet acknowledged.
CREATE TABLE a2a_views (
  node          text    NOT NULL,
  view          text    NOT NULL,
  next_no       bigint  NOT NULL DEFAULT 1,
  PRIMARY KEY (node, view)
);

CREATE TABLE a2a_channels (
  node           text   NOT NULL,
  view           text   NOT NULL,
  channel        text   NOT NULL,
  active_request text   NULL,
  last_written   bigint NULL,
  PRIMARY KEY (node, view, channel)
);

-- Like a delivery cursor: every event of the session up to prefix that the node was eligible for
-- is numbered, and so are the sequences in extras (all above prefix). An event the node may not see
-- yet (an invitee, before it joins) keeps the prefix below it, so the transcript comes after a join.
CREATE TABLE a2a_positions (
  node          text     NOT NULL,
  view          text     NOT NULL,
  session_id    text     NOT NULL REFERENCES sessions (id),
  prefix        bigint   NOT NULL,
  extras        bigint[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (node, view, session_id)
);

-- Rows handed out and not acknowledged; acknowledged rows are deleted.
CREATE TABLE a2a_deliveries (
  node          text    NOT NULL,
  view          text    NOT NULL,
  no            bigint  NOT NULL,
  channel       text    NOT NULL,
  session_id    text    NOT NULL,
  sequence      bigint  NOT NULL,
  written       boolean NOT NULL DEFAULT false,
  created_at    bigint  NOT NULL,
  PRIMARY KEY (node, view, no)
);
