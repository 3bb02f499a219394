package dev.asp.operator;

import static dev.asp.operator.HealthAndMetricsTest.check;
import static dev.asp.operator.HealthAndMetricsTest.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.operator.HealthAndMetricsTest.Reply;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Readiness of clustered nodes: one with a database and one without (split roles); and survivors of
 * a crashed member, which serve again within seconds and so must be ready again within seconds.
 */
@DisplayName("Readiness in a cluster")
class ClusterReadinessTest {

  @Test
  @DisplayName("both nodes ready once joined; only the one with a database checks it")
  void splitRoles() {
    try (ClusterHarness cluster = new ClusterHarness(TestDatabase.fresh(), 2)) {
      Operator.Running core = cluster.start(0, "session,trust", Map.of());
      Operator.Running edge = cluster.start(1, "gateway,delivery", Map.of());
      Reply coreReady = awaitReady(core);
      assertEquals("UP", check(coreReady.json(), "database").getString("status"));
      assertEquals("UP", check(coreReady.json(), "cluster").getString("status"));
      assertEquals(2, check(coreReady.json(), "cluster").getInteger("members"));

      Reply edgeReady = awaitReady(edge);
      assertNull(check(edgeReady.json(), "database"), "no database role, no database check");
      assertEquals(2, check(edgeReady.json(), "cluster").getInteger("members"));
      String metrics = get(edge.managementPort(), "/metrics").body();
      assertTrue(metrics.contains("asp_websockets_open"), "delivery's meters on the edge");
    }
  }

  /**
   * Readiness means "this node can serve", not "Hazelcast has re-replicated every partition": after
   * a kill -9 of a non-oldest member of three, Hazelcast takes minutes to report the cluster safe
   * again while the survivors serve after seconds.
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  @DisplayName("after kill -9 of a member of three, both survivors are ready within seconds")
  void readyAgainAfterACrash() throws Exception {
    int[] management = {
      LoopbackCluster.freePort(), LoopbackCluster.freePort(), LoopbackCluster.freePort()
    };
    try (OperatorProcesses nodes = new OperatorProcesses(TestDatabase.fresh(), 3, Map.of())) {
      // node 0 first, so that it is the oldest member; the victim (2) is not
      nodes.launch(0, Map.of("ASP_MANAGEMENT_PORT", "" + management[0]));
      nodes.awaitServing(0);
      for (int i = 1; i < 3; i++) {
        nodes.launch(i, Map.of("ASP_MANAGEMENT_PORT", "" + management[i]));
      }
      for (int i = 0; i < 3; i++) {
        nodes.awaitServing(i);
        awaitReady(management[i], 3, 60_000);
      }

      nodes.kill(2);

      long killed = System.nanoTime();
      for (int survivor = 0; survivor < 2; survivor++) {
        Reply ready = awaitReady(management[survivor], 2, 15_000);
        assertEquals("UP", check(ready.json(), "cluster").getString("status"), ready.body());
      }
      System.out.printf(
          "survivors ready %d ms after the kill%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
    }
  }

  /** Hazelcast may still be joining just after the start: wait (bounded) for readiness. */
  private static Reply awaitReady(Operator.Running node) {
    return awaitReady(node.managementPort(), 2, 20_000);
  }

  /** Polls until the node is ready and sees {@code members} members, at most {@code withinMs}. */
  private static Reply awaitReady(int managementPort, int members, long withinMs) {
    long deadline = System.currentTimeMillis() + withinMs;
    Reply last = get(managementPort, "/health/ready");
    while (!readyWith(last, members) && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      last = get(managementPort, "/health/ready");
    }
    assertTrue(readyWith(last, members), "ready with " + members + " members: " + last.body());
    return last;
  }

  private static boolean readyWith(Reply reply, int members) {
    JsonObject cluster = check(reply.json(), "cluster");
    return reply.status() == 200 && cluster != null && cluster.getInteger("members", -1) == members;
  }
}
