package dev.asp.protocol;

/**
 * WebSocket close codes the operator uses on {@code WS /connect}. Clients should reconnect after
 * any of them; events missed meanwhile are replayed from their cursors.
 */
public final class CloseCodes {
  private CloseCodes() {}

  /** The operator is shutting down (standard "going away"). */
  public static final short GOING_AWAY = 1001;

  /** No pong (or any frame) within the idle timeout: the peer is presumed dead. */
  public static final short IDLE_TIMEOUT = 4000;

  /** The connection could not keep up: its bounded write queue filled. Reconnect and replay. */
  public static final short SLOW_CONSUMER = 4001;

  /**
   * The agent's credentials changed (token revoked, rotated, agent deleted): reconnect with a valid
   * token.
   */
  public static final short CREDENTIALS_CHANGED = 4003;

  /** Delivery failed on the operator's side (a dependency was down); reconnect and replay. */
  public static final short UNAVAILABLE = 4013;
}
