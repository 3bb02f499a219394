package dev.asp.protocol.bus;

/**
 * Actions of the trust verticle at {@link Addresses#TRUST}. Field names are in {@link BusFields}.
 * Admin actions carry a {@code principal} ({@code {role:"admin"}} or {@code {role:"owner", owner}})
 * obtained from {@link #AUTHENTICATE_ADMIN}; an owner may act only on its own agents, and an agent
 * it does not own is {@code not_found}.
 */
public enum TrustAction {
  /** {@code {token}} → {@code {handle}}; fails {@code unauthenticated}. */
  AUTHENTICATE,
  /**
   * {@code {token}} → {@code {role:"admin"}} or {@code {role:"owner", owner}}; fails {@code
   * unauthenticated}. Agent tokens are not admin credentials.
   */
  AUTHENTICATE_ADMIN,
  /**
   * {@code {from, to:[handle], with?:[handle]}} → {@code {reachable:[handle]}}: the subset of
   * {@code to} that exists and with which {@code from} may communicate (symmetric allowlists,
   * blocks either way). With {@code with} (whom the targets would share a session with), a target
   * that has a block either way with any of them is left out too.
   */
  REACHABLE,
  /** {@code {principal, owner}} → {@code {owner, token}} (admin only; 409 if it exists). */
  CREATE_OWNER,
  /** {@code {principal, owner}} → {@code {owner, token}}: replaces the owner's credentials. */
  ROTATE_OWNER_TOKEN,
  /**
   * {@code {principal, handle, inbound_policy?, allowlist?}} → agent view plus {@code {token,
   * token_id}}; 409 if the handle is taken (also by a deleted agent).
   */
  CREATE_AGENT,
  /** {@code {principal}} → {@code {agents:[agent view]}} (an owner sees its own agents). */
  LIST_AGENTS,
  /** {@code {principal, handle}} → agent view. */
  GET_AGENT,
  /** {@code {principal, handle}} → {@code {ok}}: revokes its tokens; the handle stays reserved. */
  DELETE_AGENT,
  /** {@code {principal, handle}} → {@code {token_id, token}}: one more token (shown once). */
  ISSUE_TOKEN,
  /** {@code {principal, handle}} → {@code {token_id, token}}: revokes all others. */
  ROTATE_TOKENS,
  /** {@code {principal, handle, token_id}} → {@code {ok}}. */
  REVOKE_TOKEN,
  /** {@code {principal, handle, inbound_policy}} → agent view. */
  SET_POLICY,
  /** {@code {principal, handle, entry}} → agent view. */
  ADD_ALLOWLIST_ENTRY,
  /** {@code {principal, handle, entry}} → agent view. */
  REMOVE_ALLOWLIST_ENTRY,
  /**
   * {@code {principal, handle, blocked}} → {@code {ok, force_left:[session_id]}}: records the
   * block, then force-leaves {@code blocked} from every session shared with {@code handle}.
   */
  BLOCK,
  /** {@code {principal, handle, blocked}} → {@code {ok}}. */
  UNBLOCK,
  /**
   * {@code {agents:{handle: token | {token, inbound_policy?, allowlist?}}}} → {@code {agents:n}}.
   * Start-up seed in the reference operator's shape; idempotent. Not exposed over HTTP.
   */
  SEED
}
