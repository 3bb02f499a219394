-- The A2A hub keeps its collaboration objects in ordinary sessions (hub spec §2.2) and its events
-- in their one log (§2.3). Existing rows are ASP sessions and ASP events, hence the defaults.

-- What the session backs; only 'asp' sessions may be reopened through ASP. 'public' sessions are
-- listed and joinable by id on the A2A surface; ASP itself stays invitation-only. A full session
-- (joined count = max_participants) refuses joins; NULL means no limit.
ALTER TABLE sessions
  ADD COLUMN kind             text NOT NULL DEFAULT 'asp'
    CHECK (kind IN ('asp', 'a2a', 'dm', 'deliberation', 'pipeline', 'notice')),
  ADD COLUMN visibility       text NOT NULL DEFAULT 'private'
    CHECK (visibility IN ('public', 'private')),
  ADD COLUMN max_participants int  NULL CHECK (max_participants > 0);

-- audience: NULL = every participant eligible under ASP; otherwise only the handles listed may see
-- the event, on every view (a directed message is [sender, recipient]). origin: which surface wrote
-- the event, so a hub-written metadata.a2a is never confused with an ASP client's own.
ALTER TABLE events
  ADD COLUMN audience text[] NULL,
  ADD COLUMN origin   text   NOT NULL DEFAULT 'asp' CHECK (origin IN ('asp', 'a2a', 'hub'));
