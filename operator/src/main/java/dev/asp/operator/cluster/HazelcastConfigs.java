package dev.asp.operator.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import io.github.bucket4j.grid.hazelcast.HazelcastProxyManager;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns {@link ClusterSettings} into a Hazelcast configuration: Vert.x's own cluster maps (from
 * {@code default-cluster.xml}), exactly one discovery mechanism enabled, phone-home off whatever
 * the environment says, and this node's id attached to its member so that every other node can
 * tell, when the member disappears, whose connections died with it. It also holds the map of
 * cluster-wide rate-limit buckets ({@link HazelcastRateLimiter}).
 */
public final class HazelcastConfigs {
  /** Member attribute carrying the operator node id (presence rows are keyed by it). */
  public static final String NODE_ATTRIBUTE = "asp.node";

  /** The map of rate-limit buckets: {@code limitName:key} to Bucket4j's serialized state. */
  public static final String RATE_LIMIT_MAP = "asp.ratelimits";

  /**
   * The longest rate-limit window the bucket map is sized for when the caller names none: the hub
   * spec's default hello window, the longest of its defaults.
   */
  public static final long DEFAULT_LONGEST_RATE_WINDOW_MS = 3_600_000;

  /** How much longer than the longest window an untouched bucket is kept. */
  static final int RATE_LIMIT_TTL_MARGIN_SECONDS = 60;

  /**
   * First of the four serializer type ids Bucket4j's Hazelcast serializers take (base + 0..3).
   * Every member must register the same ids; nothing else in the cluster uses custom serializers.
   */
  public static final int BUCKET4J_SERIALIZER_TYPE_ID_BASE = 10_000;

  /**
   * Hazelcast property: listen on every local address ({@code true}, Hazelcast's default) or only
   * on the chosen interface ({@code false}, set whenever {@code ASP_CLUSTER_INTERFACE} is).
   */
  static final String SOCKET_BIND_ANY = "hazelcast.socket.bind.any";

  private static final Logger LOG = LoggerFactory.getLogger(HazelcastConfigs.class);

  private HazelcastConfigs() {}

  /** {@link #build(ClusterSettings, String, long)} for the default longest window (1 h). */
  public static Config build(ClusterSettings settings, String nodeId) {
    return build(settings, nodeId, DEFAULT_LONGEST_RATE_WINDOW_MS);
  }

  /**
   * @param longestRateWindowMs the longest window of any rate limit the node applies: a bucket
   *     untouched for longer than this (plus a minute) is removed from the cluster, which is safe
   *     because by then it would be full again anyway
   * @throws IllegalArgumentException if {@code longestRateWindowMs} is not positive or above a year
   */
  public static Config build(ClusterSettings settings, String nodeId, long longestRateWindowMs) {
    Config config = ConfigUtil.loadConfig();
    if (ClusterSettings.DEFAULT_NAME.equals(settings.name())) {
      LOG.warn(
          "clustered with the default ASP_CLUSTER_NAME '{}': any Hazelcast member that reaches the"
              + " member port with that name joins this cluster. The name is not a secret: set a"
              + " name of this cluster's own, and keep the member port reachable only from"
              + " operator nodes (docs/cluster.md, trust boundary)",
          settings.name());
    }
    config.setClusterName(settings.name());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    // the operator leaves the cluster itself, after delivery has saved its cursors
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.heartbeat.interval.seconds", "" + settings.heartbeatSeconds());
    config.setProperty("hazelcast.max.no.heartbeat.seconds", "" + settings.memberTimeoutSeconds());
    config.setProperty("hazelcast.wait.seconds.before.join", "" + settings.joinWaitSeconds());
    config.setProperty(
        "hazelcast.max.wait.seconds.before.join", "" + Math.max(settings.joinWaitSeconds(), 1) * 4);
    config.setProperty(
        "hazelcast.merge.first.run.delay.seconds", "" + settings.mergeDelaySeconds());
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "" + settings.mergeDelaySeconds());
    config.getMemberAttributeConfig().setAttribute(NODE_ATTRIBUTE, nodeId);

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(settings.port()).setPortAutoIncrement(false);
    if (settings.interfaceAddress() != null) {
      network.getInterfaces().setEnabled(true).addInterface(settings.interfaceAddress());
      // by default Hazelcast advertises the interface but listens on every address (0.0.0.0):
      // the member protocol has no authentication, so it must be reachable on this one only
      config.setProperty(SOCKET_BIND_ANY, "false");
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(settings.mode() == ClusterSettings.Mode.MULTICAST);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(settings.mode() == ClusterSettings.Mode.TCP_IP);
    if (settings.mode() == ClusterSettings.Mode.TCP_IP) {
      settings.members().forEach(join.getTcpIpConfig()::addMember);
    }
    join.getKubernetesConfig().setEnabled(settings.mode() == ClusterSettings.Mode.KUBERNETES);
    if (settings.mode() == ClusterSettings.Mode.KUBERNETES) {
      join.getKubernetesConfig().setProperty("service-dns", settings.kubernetesServiceDns());
    }
    rateLimits(config, longestRateWindowMs);
    return config;
  }

  /**
   * The bucket map forgets a key some time after its last write (Hazelcast's TTL counts from the
   * last update, and every consumption updates): without it the map would grow with every client
   * address ever seen. Bucket4j's own serializers keep its entry processors compact on the wire.
   */
  private static void rateLimits(Config config, long longestWindowMs) {
    if (longestWindowMs < 1 || longestWindowMs > 366L * 24 * 3600 * 1000) {
      throw new IllegalArgumentException("the longest rate-limit window must be 1 ms .. 1 year");
    }
    long ttlSeconds = (longestWindowMs + 999) / 1000 + RATE_LIMIT_TTL_MARGIN_SECONDS;
    config.addMapConfig(new MapConfig(RATE_LIMIT_MAP).setTimeToLiveSeconds((int) ttlSeconds));
    HazelcastProxyManager.addCustomSerializers(
        config.getSerializationConfig(), BUCKET4J_SERIALIZER_TYPE_ID_BASE);
  }
}
