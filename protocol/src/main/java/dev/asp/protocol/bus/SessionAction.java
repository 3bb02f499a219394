package dev.asp.protocol.bus;

/**
 * Actions of the session verticle at {@link Addresses#SESSION}. Every request carries the
 * authenticated {@code caller} handle (never taken from an HTTP body). Bodies are already validated
 * by the gateway; replies are the HTTP response bodies of spec §3.
 *
 * <p>Failure codes: {@code not_found} when the session is unknown or the caller is not a
 * participant (also for trust denials on create); {@code forbidden} when the caller's participant
 * status does not allow the operation; {@code session_ended} for operations on an ended session;
 * {@code conflict} for reopening an active session or one of any kind but {@code asp}, and for
 * joining a session whose joined participants number its {@code max_participants} (nothing is
 * written); {@code unavailable} when the database is down.
 */
public enum SessionAction {
  /**
   * {@code {caller, invite:[handle], topic?, initial_message?:{content, metadata?}, end_after_send,
   * idempotency_key?}} → {@code {session_id, sequence?}}.
   */
  CREATE,
  /** {@code {caller, session_id}} → {@code {ok:true}}. */
  JOIN,
  /** {@code {caller, session_id, invite:[handle]}} → {@code {invited:[handle]}}. */
  INVITE,
  /**
   * {@code {caller, session_id, content, metadata?, idempotency_key?}} → {@code {message_id,
   * sequence}}.
   */
  SEND,
  /** {@code {caller, session_id}} → {@code {ok:true}}. */
  LEAVE,
  /** {@code {caller, session_id}} → {@code {ok:true}}. */
  END,
  /** {@code {caller, session_id, invite:[handle], initial_message?}} → {@code {ok:true}}. */
  REOPEN,
  /** {@code {caller, session_id}} → the session view of {@code GET /sessions/{id}}. */
  GET,
  /**
   * {@code {caller, session_id, after_sequence, limit, with_hidden?}} → {@code {events:[event],
   * next_cursor?, hidden?:[seq]}}, filtered by {@link dev.asp.protocol.Eligibility} (the audience
   * included) and without extension ({@code a2a.*}) events. With {@code with_hidden} (live delivery
   * only, never from HTTP), the page also lists the sequences hidden from the caller for good,
   * which count towards {@code limit} and {@code next_cursor}, so a cursor can move past them.
   */
  EVENTS,
  /**
   * {@code {blocker, blocked}} → {@code {sessions:[session_id]}}: moves {@code blocked} to left in
   * every session it shares with {@code blocker} (an ordinary {@code session.left} for the others).
   * Sent by the trust verticle after a block commits.
   */
  FORCE_LEAVE,
  /**
   * {@code {agent, node}} → {@code {reconnected:[session_id]}}: the node now holds at least one
   * live connection of the agent. If the agent was offline everywhere with a grace deadline pending
   * and not yet passed, the deadline is cancelled and {@code session.reconnected {agent}} is
   * appended to every session where it is joined. Sent by delivery, strictly in order per (agent,
   * node).
   */
  AGENT_ONLINE,
  /**
   * {@code {agent, node}} → {@code {disconnected:[session_id]}}: the node's last connection of the
   * agent closed. If no other node holds one, the agent is offline: a durable grace deadline (now +
   * grace window) is recorded and {@code session.disconnected {agent}} appended to every session
   * where it is joined (status stays joined). When the deadline passes without {@link
   * #AGENT_ONLINE}, the agent leaves each of them with {@code session.left {agent,
   * reason:"grace_expired"}}.
   */
  AGENT_OFFLINE,
  /**
   * {@code {live_nodes:[node]}} or {@code {dead_nodes:[node]}} → {@code {offline:[agent]}}: forgets
   * the connections recorded for any node not listed as live (sent at start-up, when the cluster's
   * members are known), or for the nodes listed as dead (sent when the cluster reports a member
   * gone); agents left with none go offline exactly as with {@link #AGENT_OFFLINE}. Safe to send
   * from several nodes at once: only the first request for an agent changes anything.
   */
  PRESENCE_RESET,
  /**
   * {@code {agent}} → {@code {sessions:[{session_id, prefix, extras:[seq], head}]}}: where live
   * delivery to the agent stands, for every session it has a participant row in: the persisted
   * delivery cursor ({@code prefix} = every eligible event up to it was delivered, -1 when none;
   * {@code extras} = sequences beyond the prefix already delivered) and the session's latest
   * sequence ({@code head}, -1 when empty).
   */
  DELIVERY_STATE,
  /**
   * {@code {agent, node, limit, extensions?}} → {@code {reconnected:[session_id], sessions:[{
   * session_id, prefix, extras, head, events?, hidden?, next_cursor?}]}}: a node's first connection
   * of the agent in one round trip — {@link #AGENT_ONLINE}, then (after its commits) {@link
   * #DELIVERY_STATE}, with the first replay page of every session whose log goes beyond the cursor
   * read as by {@link #EVENTS} with {@code with_hidden} from {@code prefix}. The pages share {@code
   * limit} (1..1000): with n sessions to read each holds at most max(1, limit / n) rows, at most
   * {@code limit} sessions get one, and a full page has {@code next_cursor} (read on with {@link
   * #EVENTS}). A session without {@code events} has no page here (up to date, or beyond the bound).
   */
  AGENT_CONNECT,
  /**
   * {@code {agent?, cursors:[{agent?, session_id, prefix, extras:[seq]}]}} → {@code {ok:true}}:
   * persists delivery cursors, each of its own agent or the request's (a node saves all its agents'
   * cursors in one request). A cursor never moves back: a stale save is ignored.
   */
  SAVE_CURSORS
}
