package dev.asp.protocol.bus;

/**
 * Every event-bus address of the operator, and nowhere else (P1). Requests carry their action in
 * the {@link #ACTION_HEADER} header and a JSON object body.
 */
public final class Addresses {
  private Addresses() {}

  /** Header naming the action of a request. */
  public static final String ACTION_HEADER = "action";

  /** Point-to-point: the trust verticle ({@link TrustAction}). */
  public static final String TRUST = "asp.trust";

  /** Point-to-point: the session verticle ({@link SessionAction}). */
  public static final String SESSION = "asp.session";

  /**
   * Publish: the session verticle announces events after they commit, so delivery nodes can wake up
   * (P4). A lost announcement delays delivery, never loses it: the log is the truth (P3). Body:
   * {@code {session_id, events:[event...]}}.
   */
  public static final String EVENTS_COMMITTED = "asp.delivery.committed";

  /**
   * Publish: the trust verticle announces that an agent's credentials changed (a token revoked,
   * tokens rotated, the agent deleted), after commit. Body: {@code {agent}}. Gateways drop their
   * cached token lookups for the agent and delivery closes its open WebSockets ({@code 4003}),
   * which reconnect if their token is still valid.
   */
  public static final String CREDENTIALS_CHANGED = "asp.trust.credentials";

  /**
   * Node-local (registered with {@code localConsumer}): this node rejoined its cluster after a
   * partition, during which the other side took its agents offline. Delivery announces every live
   * connection again and re-reads where each of its agents stands, so missed announcements and
   * presence are repaired. Body: {@code {}}.
   */
  public static final String DELIVERY_RESYNC = "asp.delivery.resync";

  /** Point-to-point: the A2A verticle ({@link dev.asp.protocol.a2a.A2aAction}). */
  public static final String A2A = "asp.a2a";

  /**
   * Publish: a pull request superseded the open one of the same node and channel (hub spec §5.3),
   * wherever that one is held; its holder answers it at once, empty. Body: {@code {agent, channel,
   * request_id}} ({@code request_id} is the new request's: every other one gives way).
   */
  public static final String A2A_SUPERSEDED = "asp.a2a.superseded";

  /**
   * Publish: the write of a pull response was reported ({@code PULL_WRITTEN}, written or not) and
   * committed; a pull of the same node and channel waiting to acknowledge goes on. Body: {@code
   * {agent, channel}}.
   */
  public static final String A2A_WRITTEN = "asp.a2a.written";
}
