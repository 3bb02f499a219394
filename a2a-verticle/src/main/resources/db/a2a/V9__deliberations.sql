-- Deliberations (hub spec §12). Each runs in its own session of kind deliberation; this row holds
-- its configuration and where it stands. Phase deadlines are on the database clock (epoch ms),
-- finished by any node's sweeper; every change commits with the log event that records it.
CREATE TABLE a2a_deliberations (
  deliberation_id    text              PRIMARY KEY,
  session_id         text              NOT NULL UNIQUE REFERENCES sessions (id),
  linked_session_id  text              NULL REFERENCES sessions (id),
  task_id            text              NULL,
  title              text              NOT NULL,
  body               text              NOT NULL,
  mode               text              NOT NULL CHECK (mode IN ('standard', 'debate', 'consensus')),
  max_rounds         int               NOT NULL CHECK (max_rounds BETWEEN 1 AND 10),
  min_agents         int               NOT NULL,
  max_agents         int               NOT NULL,
  timeout_ms         bigint            NOT NULL,
  threshold          double precision  NOT NULL CHECK (threshold BETWEEN 0 AND 1),
  initiator          text              NOT NULL,
  -- the picked nodes, in picking order
  participants       text[]            NOT NULL,
  status             text              NOT NULL
                       CHECK (status IN ('diverging', 'challenging', 'converging', 'completed',
                                         'failed')),
  round              int               NOT NULL,
  phase_deadline     bigint            NULL,
  convergence_score  double precision  NULL,
  decision           text              NULL,
  dissent            jsonb             NULL,
  created_at         bigint            NOT NULL,
  completed_at       bigint            NULL
);

-- the sweeper's question: whose phase deadline passed
CREATE INDEX a2a_deliberations_due ON a2a_deliberations (phase_deadline)
  WHERE status IN ('diverging', 'challenging', 'converging');

-- Every post of a participant in a phase: who contributed (a phase ends when all have), and which
-- diverge posts are still hidden (revealed = their events' audience cleared at the phase end).
CREATE TABLE a2a_deliberation_posts (
  deliberation_id  text    NOT NULL REFERENCES a2a_deliberations (deliberation_id),
  sequence         bigint  NOT NULL,
  round            int     NOT NULL,
  phase            text    NOT NULL,
  node             text    NOT NULL,
  dialog_type      text    NOT NULL,
  PRIMARY KEY (deliberation_id, sequence)
);

CREATE INDEX a2a_deliberation_posts_by_phase
  ON a2a_deliberation_posts (deliberation_id, round, phase);

-- The latest vote of each participant in a round.
CREATE TABLE a2a_deliberation_votes (
  deliberation_id  text              NOT NULL REFERENCES a2a_deliberations (deliberation_id),
  round            int               NOT NULL,
  node             text              NOT NULL,
  vote             text              NOT NULL CHECK (vote IN ('approve', 'reject', 'revise')),
  confidence       double precision  NOT NULL CHECK (confidence BETWEEN 0 AND 1),
  reasoning        text              NULL,
  sequence         bigint            NOT NULL,
  PRIMARY KEY (deliberation_id, round, node)
);
