package dev.asp.protocol.bus;

/**
 * Event-bus field names of the hub-node identity actions ({@link TrustAction#NODE_HELLO}, {@link
 * TrustAction#NODE_INFO}). The presented Bearer travels as {@link BusFields#TOKEN} and the ASP
 * handle as {@code Fields.HANDLE}, as in every other trust action.
 */
public final class NodeFields {
  private NodeFields() {}

  /** The node id the client named itself by: {@code node_x} form or a handle {@code @o.a}. */
  public static final String SENDER_ID = "sender_id";

  public static final String ROTATE_SECRET = "rotate_secret";

  /** {@code node_x} for a hub node, the handle for any other agent. */
  public static final String NODE_ID = "node_id";

  /** Whether the agent was registered by hello (owner reserved for hub nodes). */
  public static final String HUB_NODE = "hub_node";

  /** A secret issued by this call (64 lowercase hex), shown once; {@code null} otherwise. */
  public static final String NODE_SECRET = "node_secret";

  /** The hub node's current secret version (1 at registration); {@code null} for other agents. */
  public static final String NODE_SECRET_VERSION = "node_secret_version";

  /** The deployment's own id, {@code hub_} and 32 lowercase hex. */
  public static final String HUB_NODE_ID = "hub_node_id";

  /** Whether this call created the hub node. */
  public static final String REGISTERED = "registered";
}
