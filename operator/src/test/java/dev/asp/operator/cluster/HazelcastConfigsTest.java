package dev.asp.operator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.SerializerConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.asp.operator.ConfigLoader;
import io.github.bucket4j.grid.hazelcast.HazelcastEntryProcessor;
import io.github.bucket4j.grid.hazelcast.HazelcastOffloadableEntryProcessor;
import io.github.bucket4j.grid.hazelcast.SimpleBackupProcessor;
import io.github.bucket4j.grid.hazelcast.VersionedBackupProcessor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

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
        60,
        null);
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

  @Test
  @DisplayName("rate-limit buckets are kept a minute beyond the longest window, 1 h by default")
  void rateLimitMapExpires() {
    Config byDefault = HazelcastConfigs.build(settings(ClusterSettings.Mode.TCP_IP), "n");
    assertEquals(
        3600 + 60, byDefault.getMapConfig(HazelcastConfigs.RATE_LIMIT_MAP).getTimeToLiveSeconds());
    Config twoHours =
        HazelcastConfigs.build(settings(ClusterSettings.Mode.TCP_IP), "n", 7_200_000 - 1);
    assertEquals(
        7200 + 60, twoHours.getMapConfig(HazelcastConfigs.RATE_LIMIT_MAP).getTimeToLiveSeconds());
    assertEquals(
        0, twoHours.getMapConfig("__vertx.haInfo").getTimeToLiveSeconds(), "no other map expires");
    assertThrows(
        IllegalArgumentException.class,
        () -> HazelcastConfigs.build(settings(ClusterSettings.Mode.TCP_IP), "n", 0));
  }

  @Test
  @DisplayName("Bucket4j's entry processors travel with its own serializers, on fixed type ids")
  void bucket4jSerializers() {
    Map<Class<?>, Integer> ids =
        HazelcastConfigs.build(settings(ClusterSettings.Mode.TCP_IP), "n")
            .getSerializationConfig()
            .getSerializerConfigs()
            .stream()
            .collect(
                Collectors.toMap(
                    SerializerConfig::getTypeClass,
                    config -> config.getImplementation().getTypeId()));
    int base = HazelcastConfigs.BUCKET4J_SERIALIZER_TYPE_ID_BASE;
    assertEquals(
        Map.of(
            HazelcastEntryProcessor.class, base,
            SimpleBackupProcessor.class, base + 1,
            HazelcastOffloadableEntryProcessor.class, base + 2,
            VersionedBackupProcessor.class, base + 3),
        ids);
  }

  @Test
  @DisplayName("with an interface set, Hazelcast listens on that interface only, not on 0.0.0.0")
  void bindsTheInterfaceOnly() {
    Config config = HazelcastConfigs.build(settings(ClusterSettings.Mode.KUBERNETES), "n");
    assertEquals("false", config.getProperty(HazelcastConfigs.SOCKET_BIND_ANY));
    assertTrue(config.getNetworkConfig().getInterfaces().isEnabled());
    ClusterSettings chosenByHazelcast =
        new ClusterSettings(
            ClusterSettings.Mode.MULTICAST,
            "fleet",
            5801,
            List.of(),
            null,
            null,
            2,
            12,
            3,
            40,
            null,
            null,
            0,
            60,
            null);
    Config unset = HazelcastConfigs.build(chosenByHazelcast, "n");
    assertEquals(null, unset.getProperty(HazelcastConfigs.SOCKET_BIND_ANY));
    assertFalse(unset.getNetworkConfig().getInterfaces().isEnabled());
  }

  @Test
  @DisplayName("a started member bound to 127.0.0.1 refuses connections on another local address")
  void startedMemberListensOnTheInterfaceOnly() throws IOException {
    InetAddress other = InetAddress.getByName("127.0.0.2");
    assumeTrue(reachesWildcardListener(other), "127.0.0.2 is not a local address here");
    ClusterSettings loopback =
        new ClusterSettings(
            ClusterSettings.Mode.TCP_IP,
            "bind-" + UUID.randomUUID(),
            0,
            List.of(),
            null,
            "127.0.0.1",
            1,
            10,
            0,
            30,
            null,
            null,
            0,
            60,
            null);
    HazelcastInstance member =
        Hazelcast.newHazelcastInstance(HazelcastConfigs.build(loopback, "node_bind"));
    try {
      int port = member.getCluster().getLocalMember().getAddress().getPort();
      assertTrue(connects(InetAddress.getLoopbackAddress(), port), "reachable on the interface");
      assertFalse(connects(other, port), "not reachable on another address of this host");
    } finally {
      member.shutdown();
    }
  }

  /** Whether this host routes {@code address} to a listener on every address (Linux: 127/8). */
  private static boolean reachesWildcardListener(InetAddress address) throws IOException {
    try (ServerSocket wildcard = new ServerSocket(0)) {
      return connects(address, wildcard.getLocalPort());
    }
  }

  private static boolean connects(InetAddress address, int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), 2000);
      return true;
    } catch (ConnectException refused) {
      return false;
    }
  }

  @Test
  @DisplayName("a clustered node with the default name 'asp' warns once; its own name, no warning")
  void defaultNameWarns() {
    Logger logger = (Logger) LoggerFactory.getLogger(HazelcastConfigs.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      HazelcastConfigs.build(settings(ClusterSettings.Mode.TCP_IP), "n");
      assertEquals(List.of(), appender.list, "the name 'fleet' is this cluster's own");
      ClusterSettings byDefault =
          ConfigLoader.load(Map.of("ASP_CLUSTER_MODE", "multicast")).cluster();
      assertEquals(ClusterSettings.DEFAULT_NAME, byDefault.name());
      Config config = HazelcastConfigs.build(byDefault, "n");
      assertEquals("asp", config.getClusterName(), "the default still works for local use");
      assertEquals(1, appender.list.size());
      assertEquals(Level.WARN, appender.list.get(0).getLevel());
      assertTrue(appender.list.get(0).getFormattedMessage().contains("ASP_CLUSTER_NAME"));
    } finally {
      logger.detachAppender(appender);
    }
  }
}
