package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asp.operator.cluster.ClusterSettings;
import dev.asp.operator.cluster.EventBusConfigs;
import dev.asp.operator.cluster.HazelcastConfigs;
import dev.asp.testkit.TestCertificates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four clustered Vert.x nodes on loopback, built from the operator's own settings exactly as {@link
 * Operator#launch} builds them: two hold certificates of the cluster's CA, one a certificate of
 * another CA (while trusting the cluster's, so only client authentication can refuse it), one has
 * no TLS at all. All four are Hazelcast members: the member protocol authenticates nothing, so only
 * the event bus's mutual TLS keeps the last two from delivering.
 */
@DisplayName("Event-bus mutual TLS between nodes")
class EventBusTlsTest {
  private static final String ADDRESS = "asp.test.tls.echo";
  private static final long BOUND_MS = 30_000;

  @TempDir static Path certificates;

  private static final List<Vertx> nodes = new ArrayList<>();

  /** The body of every message any test consumer received. */
  private static final Set<String> receivedFrom = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void startNodes() {
    TestCertificates cluster = TestCertificates.authority(certificates, "cluster");
    TestCertificates other = TestCertificates.authority(certificates, "other");
    TestCertificates.Member member = cluster.member("node");
    TestCertificates.Member stranger = other.member("stranger");
    LoopbackCluster loopback = new LoopbackCluster("asp-tls-", 4);
    nodes.add(start(loopback, 0, tls(member, cluster.caPem)));
    nodes.add(start(loopback, 1, tls(member, cluster.caPem)));
    nodes.add(start(loopback, 2, tls(stranger, cluster.caPem)));
    nodes.add(start(loopback, 3, Map.of()));
    nodes
        .get(0)
        .eventBus()
        .<String>consumer(
            ADDRESS,
            message -> {
              receivedFrom.add(message.body());
              message.reply("echo:" + message.body());
            })
        .completion()
        .await();
    for (int i = 2; i < 4; i++) {
      nodes
          .get(i)
          .eventBus()
          .<String>consumer(
              ADDRESS + ".untrusted." + i,
              message -> {
                receivedFrom.add(message.body());
                message.reply("echo:" + message.body());
              })
          .completion()
          .await();
    }
  }

  @AfterAll
  static void stopNodes() {
    List<Future<Void>> closing = new ArrayList<>();
    for (int i = nodes.size() - 1; i >= 0; i--) {
      closing.add(nodes.get(i).close());
    }
    Future.join(closing).await();
  }

  @Test
  @DisplayName("a node with a certificate of the cluster's CA exchanges requests over the bus")
  void sameCaDelivers() {
    assertEquals("echo:trusted", firstAnswer(nodes.get(1), "trusted"));
    assertTrue(receivedFrom.contains("trusted"));
  }

  @Test
  @DisplayName("a member whose certificate another CA signed cannot deliver, though it trusts ours")
  void untrustedClientCertificateCannotDeliver() {
    assertNotDelivered(nodes.get(2), ADDRESS, "stranger");
  }

  @Test
  @DisplayName("a member without TLS cannot deliver to a node that requires it")
  void plainNodeCannotDeliver() {
    assertNotDelivered(nodes.get(3), ADDRESS, "plain");
  }

  @Test
  @DisplayName("a node with TLS does not deliver to a member without a certificate of its CA")
  void trustedNodeDoesNotDeliverToUntrusted() {
    assertNotDelivered(nodes.get(0), ADDRESS + ".untrusted.2", "to-stranger");
    assertNotDelivered(nodes.get(0), ADDRESS + ".untrusted.3", "to-plain");
  }

  private static Map<String, String> tls(TestCertificates.Member member, Path ca) {
    return Map.of(
        "ASP_CLUSTER_TLS_CERT", member.certPem().toString(),
        "ASP_CLUSTER_TLS_KEY", member.keyPem().toString(),
        "ASP_CLUSTER_TLS_CA", ca.toString());
  }

  private static Vertx start(LoopbackCluster loopback, int index, Map<String, String> tls) {
    Map<String, String> env = new HashMap<>(loopback.settings(index));
    env.putAll(tls);
    ClusterSettings settings = ConfigLoader.load(env).cluster();
    assertEquals(!tls.isEmpty(), settings.eventBusTls() != null);
    HazelcastClusterManager manager =
        new HazelcastClusterManager(HazelcastConfigs.build(settings, "node_tls_" + index));
    VertxOptions options = new VertxOptions().setEventBusOptions(EventBusConfigs.build(settings));
    return Vertx.builder().with(options).withClusterManager(manager).buildClustered().await();
  }

  /**
   * The answer to {@code body} sent from {@code from} to node 0's consumer, retrying (bounded)
   * while the sender does not yet see the consumer's registration.
   */
  private static String firstAnswer(Vertx from, String body) {
    long deadline = System.currentTimeMillis() + BOUND_MS;
    while (true) {
      try {
        return from.eventBus()
            .<String>request(ADDRESS, body, new DeliveryOptions().setSendTimeout(5_000))
            .await()
            .body();
      } catch (ReplyException e) {
        if (e.failureType() != ReplyFailure.NO_HANDLERS || System.currentTimeMillis() > deadline) {
          throw e;
        }
      }
    }
  }

  /**
   * Sending from {@code from} to {@code address} fails although the sender sees the consumer (not
   * {@code NO_HANDLERS}), and no consumer ever received the message.
   */
  private static void assertNotDelivered(Vertx from, String address, String body) {
    long deadline = System.currentTimeMillis() + BOUND_MS;
    ReplyException failure = null;
    while (failure == null) {
      try {
        String answer =
            from.eventBus()
                .<String>request(address, body, new DeliveryOptions().setSendTimeout(2_000))
                .await()
                .body();
        fail("delivered without a trusted certificate: " + answer);
      } catch (ReplyException e) {
        if (e.failureType() != ReplyFailure.NO_HANDLERS) {
          failure = e;
        } else if (System.currentTimeMillis() > deadline) {
          fail("the sender never saw the consumer's registration", e);
        }
      }
    }
    assertNotNull(failure);
    assertNotEquals(ReplyFailure.NO_HANDLERS, failure.failureType());
    assertTrue(!receivedFrom.contains(body), address + " received " + body);
  }
}
