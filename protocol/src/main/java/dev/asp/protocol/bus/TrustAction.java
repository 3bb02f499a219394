package dev.asp.protocol.bus;

/**
 * Actions of the trust verticle at {@link Addresses#TRUST}. Field names are in {@link BusFields}
 * (and, for the hub-node actions, {@link NodeFields}). Admin actions carry a {@code principal}
 * ({@code {role:"admin"}} or {@code {role:"owner", owner}}) obtained from {@link
 * #AUTHENTICATE_ADMIN}; an owner may act only on its own agents, and an agent it does not own is
 * {@code not_found}.
 */
public enum TrustAction {
  /**
   * {@code {token}} → {@code {handle}}; fails {@code unauthenticated}. A hub node's secret counts
   * as used from its first successful authentication on (it ends the unclaimed reissue of {@link
   * #NODE_HELLO}).
   */
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
  /**
   * {@code {agent, with:[handle]}} → {@code {blocked:[handle]}}: the members of {@code with} that
   * have a block either way with {@code agent}. One question for many sessions at once (discover
   * asks it for the members of every candidate session, where {@link #REACHABLE} with {@code with}
   * would answer for all of them together).
   */
  BLOCKED_AMONG,
  /**
   * {@code {principal, owner}} → {@code {owner, token}} (admin only; 409 if it exists or is the
   * owner reserved for hub nodes).
   */
  CREATE_OWNER,
  /**
   * {@code {principal, owner}} → {@code {owner, token}}: replaces the owner's credentials; 409 for
   * the owner reserved for hub nodes, which never holds credentials.
   */
  ROTATE_OWNER_TOKEN,
  /**
   * {@code {principal, handle, inbound_policy?, allowlist?}} → agent view plus {@code {token,
   * token_id}}; 409 if the handle is taken (also by a deleted agent) or belongs to the owner
   * reserved for hub nodes (they come into existence only through {@link #NODE_HELLO}).
   */
  CREATE_AGENT,
  /**
   * {@code {principal, after_handle?, limit?}} → {@code {agents:[agent view], next_cursor?}}: one
   * page of the agents by handle (byte order), those after {@code after_handle}, {@link
   * #DEFAULT_AGENTS_PAGE} without a limit; an owner sees its own. {@code next_cursor} (the page's
   * last handle, passed back as {@code after_handle}) is there only when more follow. {@code
   * invalid_request} for a {@code limit} outside 1..{@link #MAX_AGENTS_PAGE}.
   */
  LIST_AGENTS,
  /** {@code {principal, handle}} → agent view. */
  GET_AGENT,
  /** {@code {principal, handle}} → {@code {ok}}: revokes its tokens; the handle stays reserved. */
  DELETE_AGENT,
  /**
   * {@code {principal, handle}} → {@code {token_id, token}}: one more token (shown once); a hub
   * node's is 64 lowercase hex, like its hello secrets.
   */
  ISSUE_TOKEN,
  /**
   * {@code {principal, handle}} → {@code {token_id, token}}: revokes all others; for a hub node the
   * token is 64 lowercase hex and its secret version goes up by one.
   */
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
   * Start-up seed in the reference operator's shape; idempotent. Not exposed over HTTP. A seed
   * naming an agent of the reserved hub-node owner fails {@code conflict} as a whole.
   */
  SEED,
  /**
   * The identity side of {@code POST /a2a/hello}: {@code {token?, sender_id?, rotate_secret?}} →
   * {@code {node_id, handle, hub_node, node_secret, node_secret_version, hub_node_id, registered}}.
   *
   * <p>{@code token} is the Bearer as presented (absent when none); {@code sender_id} is the id the
   * client sent, in {@code node_x} form or as a handle; {@code rotate_secret} a boolean. A valid
   * token (active, agent not deleted) identifies the caller, and the hello is acknowledged when
   * {@code sender_id} is absent or names the same agent; with {@code rotate_secret} a hub node's
   * tokens are all revoked and one new secret is issued (version + 1). Without a valid token, an
   * absent {@code sender_id} registers a new hub node with an assigned id {@code node_} + 24 hex,
   * and an unknown one matching {@code ^node_[a-z0-9]{8,48}$} is adopted as is (an invalid token is
   * then ignored, and so is {@code rotate_secret}). A hub node whose secret was never presented,
   * hello'd without a token within the unclaimed-reissue window, gets a fresh secret (version + 1,
   * the old one revoked). {@code node_secret} is the secret issued by this call (64 lowercase hex,
   * shown once) or {@code null}; {@code node_secret_version} is {@code null} for agents that are
   * not hub nodes.
   *
   * <p>Failures, all {@code A2aError}s, in the order checked: {@code validation_error} (wrong
   * types, a {@code sender_id} over 200 characters, with a NUL or a lone surrogate, or of neither
   * form); {@code hub_node_id_reserved} (the hub's id or any {@code hub_} id); {@code
   * sender_mismatch} (a valid token and a {@code sender_id} naming any other node, known or not);
   * {@code rotation_not_allowed} (rotation asked by an agent that is not a hub node); {@code
   * node_not_found} (an unknown handle, no valid token); {@code node_id_already_claimed} (a known
   * node and no token, or a concurrent registration of the same id that won); {@code
   * node_secret_invalid} (a known node and a token that is not one of its current secrets, or one
   * revoked by a concurrent rotation). Rotation and reissue are announced on {@link
   * Addresses#CREDENTIALS_CHANGED} like {@link #ROTATE_TOKENS}.
   */
  NODE_HELLO,
  /**
   * {@code {handle}} → {@code {handle, node_id, hub_node, node_secret_version}} of a live agent:
   * {@code node_id} is {@code node_x} for a hub node, the handle otherwise; {@code
   * node_secret_version} is {@code null} for agents that are not hub nodes. Fails {@code
   * invalid_handle} for a malformed handle and {@code not_found} for an unknown or deleted agent.
   */
  NODE_INFO;

  /**
   * The largest {@link #LIST_AGENTS} page the trust verticle serves, whatever asks; the gateway
   * bounds it lower by configuration ({@code ASP_ADMIN_PAGE_LIMIT}).
   */
  public static final int MAX_AGENTS_PAGE = 10_000;

  /** The {@link #LIST_AGENTS} page without a {@code limit}, as {@code GET /events}'. */
  public static final int DEFAULT_AGENTS_PAGE = 100;
}
