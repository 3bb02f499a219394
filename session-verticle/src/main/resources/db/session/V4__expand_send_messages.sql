-- SEND as one statement for a whole group of sends, across sessions (docs/architecture.md, "Group
-- commit"). One call is one transaction, one round trip and one commit for up to a few dozen
-- messages, where a send alone used to be BEGIN, lock, append, COMMIT. Only adds a function, so an
-- operator of the version before runs on this schema unchanged (deploy/README.md §4).
--
-- Input, parallel arrays in arrival order: the session, the caller, the idempotency key (NULL for
-- none), the event id and the message envelope without its sequence (the function adds it), as
-- JSON text. p_created_at is the group's clock reading; p_type, p_origin, p_active and p_joined are
-- the protocol's literals, bound by the caller from its enums.
--
-- Output, one row per input (o_ord = its index from 0, in order), with o_outcome:
--   'appended'   o_seq is the message's sequence, o_result its reply {message_id, sequence};
--   'replayed'   the key was used before (or earlier in this group): o_result is the stored reply;
--   'not_found'  no such session, or the caller has no participant row in it;
--   'ended'      the session has ended;    'forbidden'  the caller is not joined.
-- Then one row per session that had a message appended (o_ord = -1, o_outcome = 'participants'):
-- its participant rows as they stand at commit, ordered by handle, for the announcement.
--
-- Checks in the order of a send alone: existence, then a stored reply (a retry of a send that
-- succeeded succeeds, even if the session ended since), then state, then status. Every session of
-- the group is locked first, in id order, so two groups never wait on each other in a cycle; the
-- key's primary key stays the guard against a concurrent retry (a conflict fails the whole call,
-- which the caller then retries send by send).
CREATE FUNCTION asp_send_messages(
  p_sessions   text[],
  p_callers    text[],
  p_keys       text[],
  p_event_ids  text[],
  p_payloads   text[],
  p_created_at bigint,
  p_type       text,
  p_origin     text,
  p_active     text,
  p_joined     text)
RETURNS TABLE (
  o_ord        int,
  o_outcome    text,
  o_session    text,
  o_seq        bigint,
  o_result     jsonb,
  o_handles    text[],
  o_statuses   text[],
  o_left       bigint[])
LANGUAGE plpgsql AS $$
DECLARE
  v_ids    text[];
  v_states text[];
  v_first  bigint[];
  v_next   bigint[];
  v_status text;
  v_stored jsonb;
  v_body   jsonb;
  i        int;
  j        int;
BEGIN
  SELECT array_agg(l.id ORDER BY l.id), array_agg(l.state ORDER BY l.id),
         array_agg(l.next_sequence ORDER BY l.id)
    INTO v_ids, v_states, v_first
    FROM (SELECT s.id, s.state, s.next_sequence FROM sessions s
           WHERE s.id = ANY (p_sessions) ORDER BY s.id FOR UPDATE) l;
  v_next := v_first;

  FOR i IN 1 .. coalesce(array_length(p_sessions, 1), 0) LOOP
    o_ord := i - 1;
    o_session := p_sessions[i];
    o_seq := NULL;
    o_result := NULL;
    j := array_position(v_ids, p_sessions[i]);
    IF j IS NULL THEN
      o_outcome := 'not_found';
      RETURN NEXT;
      CONTINUE;
    END IF;
    SELECT p.status INTO v_status FROM participants p
     WHERE p.session_id = p_sessions[i] AND p.handle = p_callers[i];
    IF NOT FOUND THEN
      o_outcome := 'not_found';
      RETURN NEXT;
      CONTINUE;
    END IF;
    IF p_keys[i] IS NOT NULL THEN
      SELECT k.result INTO v_stored FROM idempotency_keys k
       WHERE k.agent = p_callers[i] AND k.scope = p_sessions[i] AND k.key = p_keys[i];
      IF FOUND THEN
        o_outcome := 'replayed';
        o_result := v_stored;
        RETURN NEXT;
        CONTINUE;
      END IF;
    END IF;
    IF v_states[j] <> p_active THEN
      o_outcome := 'ended';
    ELSIF v_status <> p_joined THEN
      o_outcome := 'forbidden';
    ELSE
      o_outcome := 'appended';
      o_seq := v_next[j];
      v_next[j] := o_seq + 1;
      v_body := p_payloads[i]::jsonb;
      INSERT INTO events
        (session_id, sequence, event_id, type, subject, created_at, payload, audience, origin)
      VALUES (p_sessions[i], o_seq, p_event_ids[i], p_type, p_callers[i], p_created_at,
              v_body || jsonb_build_object('sequence', o_seq), NULL, p_origin);
      o_result := jsonb_build_object('message_id', v_body ->> 'id', 'sequence', o_seq);
      IF p_keys[i] IS NOT NULL THEN
        INSERT INTO idempotency_keys (agent, scope, key, result, created_at)
        VALUES (p_callers[i], p_sessions[i], p_keys[i], o_result, p_created_at);
      END IF;
    END IF;
    RETURN NEXT;
  END LOOP;

  o_ord := -1;
  o_outcome := 'participants';
  o_seq := NULL;
  o_result := NULL;
  FOR j IN 1 .. coalesce(array_length(v_ids, 1), 0) LOOP
    IF v_next[j] <> v_first[j] THEN
      UPDATE sessions s SET next_sequence = v_next[j] WHERE s.id = v_ids[j];
      o_session := v_ids[j];
      SELECT array_agg(p.handle ORDER BY p.handle), array_agg(p.status ORDER BY p.handle),
             array_agg(p.left_sequence ORDER BY p.handle)
        INTO o_handles, o_statuses, o_left
        FROM participants p WHERE p.session_id = v_ids[j];
      RETURN NEXT;
    END IF;
  END LOOP;
END
$$;
