package dev.asp.protocol.bus;

/**
 * Actions of the session verticle at {@link Addresses#SESSION}. Every request carries the
 * authenticated {@code caller} handle (never taken from an HTTP body). Bodies are already validated
 * by the gateway; replies are the HTTP response bodies of spec §3.
 *
 * <p>Failure codes: {@code not_found} when the session is unknown or the caller is not a
 * participant (also for trust denials on create); {@code forbidden} when the caller's participant
 * status does not allow the operation; {@code session_ended} for operations on an ended session;
 * {@code conflict} for reopening an active session; {@code unavailable} when the database is down.
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
   * {@code {caller, session_id, after_sequence, limit}} → {@code {events:[event], next_cursor?}},
   * filtered by {@link dev.asp.protocol.Eligibility}.
   */
  EVENTS,
  /**
   * {@code {blocker, blocked}} → {@code {sessions:[session_id]}}: moves {@code blocked} to left in
   * every session it shares with {@code blocker} (an ordinary {@code session.left} for the others).
   * Sent by the trust verticle after a block commits.
   */
  FORCE_LEAVE
}
