-- The mailbox (hub spec §10). Its inbound side is the `mailbox` view of a2a_views/a2a_positions/
-- a2a_deliveries (rows are deleted when acknowledged; `written` there means "handed out by an
-- inbound"); these tables hold what it needs beside them. Times are epoch milliseconds of the
-- database clock.

-- The outbound idempotency keys: one row per (node, message id), inserted in the same transaction
-- as the message's effect, so a retried id returns the stored result and applies nothing. A NULL
-- result is a claim: a direct message of that id is being sent right now.
CREATE TABLE a2a_mailbox_results (
  node        text    NOT NULL,
  id          text    NOT NULL,
  result      jsonb   NULL,
  created_at  bigint  NOT NULL,
  PRIMARY KEY (node, id)
);

-- the retention sweep deletes the oldest first
CREATE INDEX a2a_mailbox_results_by_age ON a2a_mailbox_results (created_at);

-- Per node that read its mailbox: when it last did (it is then a mailbox client for the offline
-- window, §5.6) and the highest cursor an inbound handed out.
CREATE TABLE a2a_mailbox_clients (
  node          text    PRIMARY KEY,
  last_pull_at  bigint  NOT NULL,
  last_cursor   bigint  NULL
);
