-- Sessions, their participants and the per-session event log (spec §3, §5).
-- Times are epoch milliseconds. Sequences are per session, assigned under the session row lock
-- from sessions.next_sequence, so they start at 0 and have no gaps (P2).

CREATE TABLE sessions (
  id            text    PRIMARY KEY,
  state         text    NOT NULL CHECK (state IN ('active', 'ended')),
  topic         text    NULL,
  created_by    text    NOT NULL,
  created_at    bigint  NOT NULL,
  ended_at      bigint  NULL,
  -- the sequence the next event of this session gets; only written while holding the row lock
  next_sequence bigint  NOT NULL DEFAULT 0
);

CREATE TABLE participants (
  session_id    text    NOT NULL REFERENCES sessions (id),
  handle        text    NOT NULL,
  status        text    NOT NULL CHECK (status IN ('invited', 'joined', 'left')),
  joined_at     bigint  NULL,
  left_at       bigint  NULL,
  -- sequence of the participant's latest session.left: a left participant sees events up to it
  left_sequence bigint  NULL,
  PRIMARY KEY (session_id, handle)
);

-- "every session of this agent" (force-leave after a block, delivery on connect)
CREATE INDEX participants_by_handle ON participants (handle, session_id);

CREATE TABLE events (
  session_id    text    NOT NULL REFERENCES sessions (id),
  sequence      bigint  NOT NULL,
  event_id      text    NOT NULL UNIQUE,
  type          text    NOT NULL,
  -- the handle the event is about (invitee, joiner, leaver, sender, ender, reopener); the
  -- eligibility filter of an invited participant needs it without parsing the payload
  subject       text    NULL,
  created_at    bigint  NOT NULL,
  payload       jsonb   NOT NULL,
  PRIMARY KEY (session_id, sequence)
);

-- One stored result per (agent, scope, key): scope is 'create' for session creation and the
-- session id for messages. The primary key is what makes retries safe, also across nodes.
CREATE TABLE idempotency_keys (
  agent         text    NOT NULL,
  scope         text    NOT NULL,
  key           text    NOT NULL,
  result        jsonb   NOT NULL,
  created_at    bigint  NOT NULL,
  PRIMARY KEY (agent, scope, key)
);
