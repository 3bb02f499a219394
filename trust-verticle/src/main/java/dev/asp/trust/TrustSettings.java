package dev.asp.trust;

import dev.asp.protocol.Handle;
import dev.asp.protocol.InboundPolicy;
import dev.asp.storage.DatabaseSettings;
import java.util.regex.Pattern;

/**
 * Configuration of {@link TrustVerticle}.
 *
 * @param db where the trust tables live
 * @param adminToken the operator admin credential from configuration; {@code null} (or blank)
 *     disables admin authentication, leaving only owner credentials. Never printed.
 * @param busTimeoutMs how long to wait for the session verticle when a block force-leaves sessions
 * @param nodeOwner the owner reserved for hub nodes ({@code ASP_A2A_NODE_OWNER}); {@code null}
 *     means {@value #DEFAULT_NODE_OWNER}
 * @param nodePolicy inbound policy of newly registered hub nodes ({@code ASP_A2A_NODE_POLICY});
 *     {@code null} means {@code open}
 * @param unclaimedReissueMs how long after a hub node's secret was issued a hello without a Bearer
 *     may reissue it while it was never used ({@code ASP_A2A_UNCLAIMED_REISSUE_MS}); 0 turns the
 *     reissue off
 * @param hubNodeId the deployment's hub id ({@code ASP_A2A_HUB_NODE_ID}, {@code hub_} and 32
 *     lowercase hex); {@code null} uses the one generated once and stored in the database
 */
public record TrustSettings(
    DatabaseSettings db,
    String adminToken,
    long busTimeoutMs,
    String nodeOwner,
    InboundPolicy nodePolicy,
    long unclaimedReissueMs,
    String hubNodeId) {

  public static final String DEFAULT_NODE_OWNER = "a2a";
  public static final InboundPolicy DEFAULT_NODE_POLICY = InboundPolicy.OPEN;
  public static final long DEFAULT_UNCLAIMED_REISSUE_MS = 600_000;

  /** The form of a hub id, configured or generated. */
  public static final Pattern HUB_NODE_ID = Pattern.compile("^hub_[0-9a-f]{32}$");

  public TrustSettings {
    if (db == null) {
      throw new IllegalArgumentException("db is required");
    }
    if (busTimeoutMs <= 0) {
      throw new IllegalArgumentException("busTimeoutMs must be positive");
    }
    // An empty admin token would make an empty bearer an admin credential: treat it as disabled.
    if (adminToken != null && adminToken.isBlank()) {
      adminToken = null;
    }
    if (nodeOwner == null) {
      nodeOwner = DEFAULT_NODE_OWNER;
    }
    if (!Handle.isValidOwner(nodeOwner)) {
      throw new IllegalArgumentException("nodeOwner must be an owner name in [a-z0-9_-]");
    }
    if (nodePolicy == null) {
      nodePolicy = DEFAULT_NODE_POLICY;
    }
    if (unclaimedReissueMs < 0) {
      throw new IllegalArgumentException("unclaimedReissueMs must be 0 (off) or positive");
    }
    if (hubNodeId != null && !HUB_NODE_ID.matcher(hubNodeId).matches()) {
      throw new IllegalArgumentException("hubNodeId must match " + HUB_NODE_ID.pattern());
    }
  }

  /** The ASP settings only; hub nodes get their defaults. */
  public TrustSettings(DatabaseSettings db, String adminToken, long busTimeoutMs) {
    this(
        db,
        adminToken,
        busTimeoutMs,
        DEFAULT_NODE_OWNER,
        DEFAULT_NODE_POLICY,
        DEFAULT_UNCLAIMED_REISSUE_MS,
        null);
  }

  /** These settings with the hub-node ones replaced (validated like the constructor's). */
  public TrustSettings withHubNodes(
      String nodeOwner, InboundPolicy nodePolicy, long unclaimedReissueMs, String hubNodeId) {
    return new TrustSettings(
        db, adminToken, busTimeoutMs, nodeOwner, nodePolicy, unclaimedReissueMs, hubNodeId);
  }

  public boolean adminEnabled() {
    return adminToken != null;
  }

  @Override
  public String toString() {
    return "TrustSettings[db="
        + db
        + ", admin="
        + (adminEnabled() ? "enabled" : "disabled")
        + ", busTimeoutMs="
        + busTimeoutMs
        + ", nodeOwner="
        + nodeOwner
        + ", nodePolicy="
        + nodePolicy.wire()
        + ", unclaimedReissueMs="
        + unclaimedReissueMs
        + ", hubNodeId="
        + (hubNodeId == null ? "stored" : hubNodeId)
        + "]";
  }
}
