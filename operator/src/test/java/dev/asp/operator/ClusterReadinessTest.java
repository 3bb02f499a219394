package dev.asp.operator;

import static dev.asp.operator.HealthAndMetricsTest.check;
import static dev.asp.operator.HealthAndMetricsTest.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.operator.HealthAndMetricsTest.Reply;
import dev.asp.testkit.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Readiness of clustered nodes, one with a database and one without (split roles). */
@DisplayName("Readiness in a cluster")
class ClusterReadinessTest {

  @Test
  @DisplayName("both nodes ready once the cluster is safe; only the one with a database checks it")
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

  /** Hazelcast may still be placing backups just after the join: wait (bounded) for safety. */
  private static Reply awaitReady(Operator.Running node) {
    long deadline = System.currentTimeMillis() + 20_000;
    Reply last = get(node.managementPort(), "/health/ready");
    while (last.status() != 200 && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      last = get(node.managementPort(), "/health/ready");
    }
    assertEquals(200, last.status(), last.body());
    return last;
  }
}
