-- Dialog posts (hub spec §11): the post itself is a session.message of the context's backing
-- session (metadata.a2a.dialog_type); this index of it answers history pages and threads without
-- reading the session's whole log. Written in the same transaction as the message.
CREATE TABLE a2a_dialog (
  message_id    text    PRIMARY KEY,
  session_id    text    NOT NULL REFERENCES sessions (id),
  sequence      bigint  NOT NULL,
  dialog_type   text    NOT NULL,
  -- the message it answers (a post or a plain message of the same session), or NULL
  reference_id  text    NULL,
  UNIQUE (session_id, sequence)
);

CREATE INDEX a2a_dialog_replies ON a2a_dialog (reference_id) WHERE reference_id IS NOT NULL;
