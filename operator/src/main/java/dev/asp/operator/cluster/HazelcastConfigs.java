package dev.asp.operator.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;

/**
 * Turns {@link ClusterSettings} into a Hazelcast configuration: Vert.x's own cluster maps (from
 * {@code default-cluster.xml}), exactly one discovery mechanism enabled, phone-home off whatever
 * the environment says, and this node's id attached to its member so that every other node can
 * tell, when the member disappears, whose connections died with it.
 */
public final class HazelcastConfigs {
  /** Member attribute carrying the operator node id (presence rows are keyed by it). */
  public static final String NODE_ATTRIBUTE = "asp.node";

  private HazelcastConfigs() {}

  public static Config build(ClusterSettings settings, String nodeId) {
    Config config = ConfigUtil.loadConfig();
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
    return config;
  }
}
