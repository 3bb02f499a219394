package dev.asp.protocol.a2a;

import dev.asp.protocol.Handle;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Node ids on the A2A wire (hub spec §1 "Node ids on the wire", §2.1). A hub node {@code node_x} is
 * the ASP agent {@code @<owner>.node_x}, where the owner is the reserved hub-node owner (setting
 * {@code ASP_A2A_NODE_OWNER}, {@code a2a} by default); every other agent's node id is its handle.
 * Input accepts both forms ({@link #handleOf}), output names hub nodes by their bare id ({@link
 * #wireId}), and ASP payloads always carry handles.
 *
 * <p>The {@code nodeOwner} argument of every method must be a valid owner name ({@link
 * Handle#isValidOwner}); anything else is a configuration error and throws {@link
 * IllegalArgumentException}.
 */
public final class NodeIds {
  /** A hub node's own id, as hello assigns or adopts it. At most 53 characters. */
  public static final Pattern NODE_ID = Pattern.compile("^node_[a-z0-9]{8,48}$");

  public static final String NODE_PREFIX = "node_";
  public static final String HUB_PREFIX = "hub_";

  private static final Pattern HUB_ID = Pattern.compile("^hub_[0-9a-f]{32}$");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();

  private NodeIds() {}

  /** Whether {@code id} is a hub node's bare id ({@link #NODE_ID}); {@code null} is not. */
  public static boolean isNodeId(String id) {
    // The length check keeps a hostile multi-megabyte id away from the matcher.
    return id != null && id.length() <= 53 && NODE_ID.matcher(id).matches();
  }

  /**
   * The ASP handle a wire node id names: {@code node_x} → {@code @<owner>.node_x}; a valid handle
   * ({@code @o.a}) → itself; anything else (including {@code null}) → {@code null}, which callers
   * answer with their own validation error.
   */
  public static String handleOf(String nodeIdOrHandle, String nodeOwner) {
    requireOwner(nodeOwner);
    if (isNodeId(nodeIdOrHandle)) {
      return "@" + nodeOwner + "." + nodeIdOrHandle;
    }
    return Handle.isValid(nodeIdOrHandle) ? nodeIdOrHandle : null;
  }

  /**
   * How a handle appears on the A2A wire: {@code @<owner>.node_x} → {@code node_x}; any other
   * handle (another owner's agent, or an agent of the node owner whose name is not a node id) →
   * itself, so {@code handleOf(wireId(h))} is {@code h} for every valid handle. {@code null} →
   * {@code null}.
   */
  public static String wireId(String handle, String nodeOwner) {
    requireOwner(nodeOwner);
    if (handle == null) {
      return null;
    }
    String prefix = "@" + nodeOwner + ".";
    if (handle.startsWith(prefix)) {
      String name = handle.substring(prefix.length());
      if (isNodeId(name)) {
        return name;
      }
    }
    return handle;
  }

  /** A fresh assigned node id: {@code node_} + 24 lowercase hex (96 random bits). */
  public static String newNodeId() {
    return NODE_PREFIX + randomHex(12);
  }

  /** A fresh hub id, made once per deployment: {@code hub_} + 32 lowercase hex (128 bits). */
  public static String newHubId() {
    return HUB_PREFIX + randomHex(16);
  }

  /** Whether {@code id} has the form {@link #newHubId} makes; {@code null} has not. */
  public static boolean isHubId(String id) {
    return id != null && id.length() == 36 && HUB_ID.matcher(id).matches();
  }

  /**
   * Whether hello must refuse {@code id} as a node id because the {@code hub_} prefix is reserved
   * (§3: {@code 403 hub_node_id_reserved}), whatever follows the prefix. The deployment's own hub
   * id is compared separately, since a configured one need not have this prefix.
   */
  public static boolean isReservedForHub(String id) {
    return id != null && id.startsWith(HUB_PREFIX);
  }

  private static String randomHex(int bytes) {
    byte[] random = new byte[bytes];
    RANDOM.nextBytes(random);
    return HEX.formatHex(random);
  }

  private static void requireOwner(String nodeOwner) {
    if (!Handle.isValidOwner(nodeOwner)) {
      throw new IllegalArgumentException("the hub-node owner must be a valid owner name");
    }
  }
}
