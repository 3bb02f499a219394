-- Presence, grace deadlines and delivery cursors: the durable side of live delivery (spec §6,
-- P5, P6). Times are epoch milliseconds of the database clock for presence and grace, so every
-- node compares deadlines against the same clock.

-- Which nodes hold at least one live connection of an agent. An agent is online while it has a
-- row; rows of a dead node are removed by PRESENCE_RESET.
CREATE TABLE presence (
  agent         text    NOT NULL,
  node          text    NOT NULL,
  since         bigint  NOT NULL,
  PRIMARY KEY (agent, node)
);

-- An agent offline everywhere, and when it leaves its sessions unless it comes back first. Kept
-- across restarts, so any node's sweeper finishes the job of a node that died (P6).
CREATE TABLE grace (
  agent         text    PRIMARY KEY,
  deadline      bigint  NOT NULL
);

CREATE INDEX grace_by_deadline ON grace (deadline);

-- Where live delivery to an agent stands in a session: every eligible event up to prefix was
-- delivered, and so were the sequences in extras (all greater than prefix). Never moves back.
CREATE TABLE delivery_cursors (
  agent         text     NOT NULL,
  session_id    text     NOT NULL REFERENCES sessions (id),
  prefix        bigint   NOT NULL,
  extras        bigint[] NOT NULL DEFAULT '{}',
  updated_at    bigint   NOT NULL,
  PRIMARY KEY (agent, session_id)
);

-- True between a participant's session.disconnected and its session.reconnected (or its leaving),
-- so presence events of one session alternate even when an agent's offline and online passes run
-- concurrently: each pass appends only what changes this mark, under the session row lock.
ALTER TABLE participants ADD COLUMN disconnected boolean NOT NULL DEFAULT false;
