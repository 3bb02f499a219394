-- Subscription notices become an outbox, and discover gets its signals index (hub spec §9).
-- The board change that causes a notice inserts its row; a notice worker on any node delivers it
-- into the subscriber's notice session and marks it delivered. The row stays as the record that
-- the notice went out (at most one per subscriber, task and type), delivered or refused by trust.
ALTER TABLE a2a_notices ADD COLUMN topic        text    NULL;
ALTER TABLE a2a_notices ADD COLUMN session_id   text    NULL;
ALTER TABLE a2a_notices ADD COLUMN created_at   bigint  NOT NULL DEFAULT 0;
ALTER TABLE a2a_notices ADD COLUMN delivered_at bigint  NULL;

-- rows written before this migration were never pending
UPDATE a2a_notices SET delivered_at = 0;

-- the workers' question: what is still to deliver, oldest first
CREATE INDEX a2a_notices_pending ON a2a_notices (created_at) WHERE delivered_at IS NULL;

-- discover's capability overlap (signals && capabilities) on open, unassigned tasks, beside the
-- text index of V4
CREATE INDEX a2a_tasks_open_signals ON a2a_tasks USING gin (signals)
  WHERE status = 'pending' AND assigned_to IS NULL;
