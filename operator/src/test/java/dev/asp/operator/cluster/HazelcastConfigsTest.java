package dev.asp.operator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Hazelcast configuration from ASP settings")
class HazelcastConfigsTest {
  private static ClusterSettings settings(ClusterSettings.Mode mode) {
    return new ClusterSettings(
        mode,
        "fleet",
        5801,
        List.of("10.0.0.1:5801", "10.0.0.2"),
        "asp-cluster.prod.svc.cluster.local",
        "10.0.0.9",
        2,
        12,
        3,
        40,
        null,
        null,
        0,
        60);
  }

  @Test
  @DisplayName("kubernetes mode: DNS discovery only, phone-home off, node id on the member")
  void kubernetes() {
    Config config = HazelcastConfigs.build(settings(ClusterSettings.Mode.KUBERNETES), "node_X");
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertTrue(join.getKubernetesConfig().isEnabled());
    assertEquals(
        "asp-cluster.prod.svc.cluster.local",
        join.getKubernetesConfig().getProperty("service-dns"));
    assertFalse(join.getTcpIpConfig().isEnabled());
    assertFalse(join.getMulticastConfig().isEnabled());
    assertFalse(join.getAutoDetectionConfig().isEnabled());
    assertEquals("false", config.getProperty("hazelcast.phone.home.enabled"));
    assertEquals("fleet", config.getClusterName());
    assertEquals(5801, config.getNetworkConfig().getPort());
    assertEquals(
        "node_X", config.getMemberAttributeConfig().getAttribute(HazelcastConfigs.NODE_ATTRIBUTE));
    assertEquals("12", config.getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertTrue(config.getNetworkConfig().getInterfaces().getInterfaces().contains("10.0.0.9"));
  }

  @Test
  @DisplayName("tcp-ip mode: the listed members only; multicast only when chosen")
  void tcpIpAndMulticast() {
    JoinConfig tcp =
        HazelcastConfigs.build(settings(ClusterSettings.Mode.TCP_IP), "n")
            .getNetworkConfig()
            .getJoin();
    assertTrue(tcp.getTcpIpConfig().isEnabled());
    assertEquals(List.of("10.0.0.1:5801", "10.0.0.2"), tcp.getTcpIpConfig().getMembers());
    assertFalse(tcp.getMulticastConfig().isEnabled());
    assertFalse(tcp.getKubernetesConfig().isEnabled());
    JoinConfig multicast =
        HazelcastConfigs.build(settings(ClusterSettings.Mode.MULTICAST), "n")
            .getNetworkConfig()
            .getJoin();
    assertTrue(multicast.getMulticastConfig().isEnabled());
    assertFalse(multicast.getTcpIpConfig().isEnabled());
  }
}
