package dev.asp.protocol.a2a;

import dev.asp.protocol.bus.Addresses;

/**
 * Actions of the A2A verticle at {@link Addresses#A2A}. Every request carries the authenticated
 * {@code caller} handle (never taken from an HTTP body); node ids in requests are already resolved
 * to handles by the gateway, and replies are the {@code /a2a/*} success bodies (node ids in their
 * wire form). Failures are {@link A2aError}s: {@code session_not_found} (also for trust denials and
 * private sessions the caller is not in), {@code not_session_participant}, {@code session_full},
 * {@code session_closed}, {@code unsupported_session_kind}, {@code validation_error}, {@code
 * node_not_found}; {@code unavailable} when the database is down.
 */
public enum A2aAction {
  /**
   * {@code {caller, hello: boolean, capabilities?}} → {@code {level}}: the node said hello or
   * heartbeat: its liveness is refreshed (and, on hello, its declared capabilities replaced).
   * Creates the node record on an agent's first A2A request.
   */
  NODE_SEEN,
  /**
   * {@code {caller, title?, description?, invitees:[handle], max_participants, visibility}} → the
   * {@code session/create} body (hub spec §6.2), with unreachable invitees in {@code
   * rejected_invites}.
   */
  SESSION_CREATE,
  /** {@code {caller, session_id}} → the {@code session/join} body (§6.3). */
  SESSION_JOIN,
  /** {@code {caller, session_id}} → the {@code session/leave} body (§6.3). */
  SESSION_LEAVE,
  /**
   * {@code {caller, session_id, payload, to?: handle, msg_type, metadata?}} → the {@code
   * session/message} body (§6.4); with {@code to} the message's audience is sender and recipient.
   */
  SESSION_MESSAGE,
  /** {@code {limit}} → {@code {sessions:[…], count}} (§6.5): public a2a sessions, no caller. */
  SESSION_LIST,
  /** {@code {caller, session_id, limit}} → the {@code session/context} body (§6.6). */
  SESSION_CONTEXT,
  /**
   * {@code {caller, view, channel, request_id, cursor?: long, limit, wait_ms, claim?}} → {@code
   * {events, numbers, next_cursor, has_more, superseded}}: one pull of the caller's event stream
   * (§5.3). It takes the channel (unless {@code claim} is false: a stream's follow-up pulls keep it
   * only while nobody took it), acknowledges (up to {@code cursor}, else the channel's written
   * rows), hands out unacknowledged rows first, then numbers new events; with nothing to hand out
   * it waits up to {@code wait_ms}. Answers empty with {@code superseded: true} once another
   * request of the same node and channel took the channel. Without a {@code cursor} it first waits
   * (at most 2 s, and at most half the bus timeout) for the {@code PULL_WRITTEN} of the channel's
   * previous response, so a response the client read in full is never handed out again because its
   * report was slower than the client's next request.
   */
  PULL,
  /**
   * {@code {caller, view, channel, numbers:[long], written?: boolean}} → {@code {ok}}: the response
   * carrying those rows was written in full to the client ({@code written} true, the default: the
   * channel's next request acknowledges them) or could not be ({@code false}: they are handed out
   * again, first). Announced on {@link Addresses#A2A_WRITTEN} once committed.
   */
  PULL_WRITTEN
}
