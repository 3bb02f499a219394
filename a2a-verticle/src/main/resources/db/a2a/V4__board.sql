-- The task board, convergence, subscriptions and notices (hub spec §6.1, §8, §9). Every change
-- here commits with the log event that records it (a2a.task_board_update, a2a.session_status,
-- a2a.session_converged, notices), under the session row lock. Times are epoch milliseconds.

CREATE TABLE a2a_tasks (
  task_id             text              PRIMARY KEY,
  session_id          text              NOT NULL REFERENCES sessions (id),
  -- creation order within the session (the board lists tasks in it)
  position            int               NOT NULL,
  title               text              NOT NULL,
  description         text              NULL,
  -- trimmed, lower-cased, at most 10
  signals             text[]            NOT NULL DEFAULT '{}',
  -- resolved task ids of the same session
  depends_on          text[]            NOT NULL DEFAULT '{}',
  contribution_weight double precision  NULL CHECK (contribution_weight BETWEEN 0 AND 1),
  role                text              NULL,
  status              text              NOT NULL
                        CHECK (status IN ('pending', 'blocked', 'in_progress', 'completed')),
  assigned_to         text              NULL,
  result_asset_id     text              NULL,
  summary             text              NULL,
  created_by          text              NOT NULL,
  created_at          bigint            NOT NULL,
  updated_at          bigint            NOT NULL,
  completed_at        bigint            NULL,
  -- discover's lexical ranking: title and signals weight A, description weight B ('simple')
  search              tsvector          NOT NULL,
  UNIQUE (session_id, position)
);

-- discover: open, unassigned tasks only, by text and newest first
CREATE INDEX a2a_tasks_open_search ON a2a_tasks USING gin (search)
  WHERE status = 'pending' AND assigned_to IS NULL;
CREATE INDEX a2a_tasks_open_recent ON a2a_tasks (created_at DESC)
  WHERE status = 'pending' AND assigned_to IS NULL;

-- a leaver's open tasks, found without reading the whole board
CREATE INDEX a2a_tasks_by_assignee ON a2a_tasks (session_id, assigned_to)
  WHERE assigned_to IS NOT NULL AND status <> 'completed';

-- The converge window's end (database clock) while converging, and whether it was forced.
ALTER TABLE a2a_sessions ADD COLUMN completes_at bigint NULL;
ALTER TABLE a2a_sessions ADD COLUMN forced boolean NOT NULL DEFAULT false;

-- the sweeper's two questions: whose converge window ended, who was idle too long
CREATE INDEX a2a_sessions_due ON a2a_sessions (completes_at) WHERE status = 'converging';
CREATE INDEX a2a_sessions_open ON a2a_sessions (updated_at)
  WHERE status IN ('active', 'converging');

-- Topics per node (normalised: trimmed, whitespace collapsed, lower-cased).
CREATE TABLE a2a_subscriptions (
  node        text    NOT NULL,
  topic       text    NOT NULL,
  created_at  bigint  NOT NULL,
  PRIMARY KEY (node, topic)
);

CREATE INDEX a2a_subscriptions_by_topic ON a2a_subscriptions (topic, node);

-- Each node's one session of kind notice, created by its first notice. The primary key decides
-- between two first notices at once: the loser finds the winner's row.
CREATE TABLE a2a_notice_sessions (
  node        text  PRIMARY KEY,
  session_id  text  NOT NULL REFERENCES sessions (id)
);

-- At most one notice per (subscriber, task, type).
CREATE TABLE a2a_notices (
  node     text  NOT NULL,
  task_id  text  NOT NULL,
  type     text  NOT NULL,
  PRIMARY KEY (node, task_id, type)
);
