-- Direct messages (hub spec §7): one dm session per unordered pair of agents. The primary key is
-- what decides between two first DMs of a pair sent at once: the second insert waits for the
-- first and finds the pair taken, so its transaction rolls back and goes onto the winner's
-- session. An ended session is replaced by pointing the row at a new one.
CREATE TABLE a2a_dm_pairs (
  -- the two handles in code-point order ("C" collation: the order the Java side sorts them in)
  low         text  NOT NULL,
  high        text  NOT NULL,
  session_id  text  NOT NULL REFERENCES sessions (id),
  PRIMARY KEY (low, high),
  CHECK (low COLLATE "C" < high COLLATE "C")
);
