package dev.asp.operator;

import static dev.asp.operator.HubNodes.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.operator.HubNodes.Node;
import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A deliberation whose phases end by their deadlines while the node that started it is gone and two
 * other nodes' sweepers race for every deadline (issue 13's invariant; hub spec §2.5, §12): each
 * phase ends exactly once, in order, and the hidden post is revealed once, in the first phase
 * event.
 */
@DisplayName("A2A deliberation: phase deadlines raced by two nodes after the starter stopped")
class A2aDeliberationClusterTest {
  private static final int NODES = 3;
  private static ClusterHarness cluster;

  @BeforeAll
  static void start() {
    cluster = new ClusterHarness(TestDatabase.fresh(), NODES);
    for (int i = 0; i < NODES; i++) {
      // a short sweep on every node: the survivors race for each deadline
      cluster.start(i, "gateway,session,trust,delivery", Map.of("ASP_A2A_SWEEP_MS", "20"));
    }
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static Node node(RawHttp http, String capability) {
    JsonObject reply =
        ok(
            http.post(
                "/a2a/hello",
                null,
                new JsonObject().put("capabilities", new JsonArray().add(capability))));
    return new Node(reply.getString("your_node_id"), reply.getString("node_secret"));
  }

  @Test
  @DisplayName(
      "every phase ends once, in order, although two sweepers race and the starter is gone")
  void racingSweepers() {
    Node initiator = node(cluster.http(0), "chairing");
    Node a = node(cluster.http(1), "arbitration");
    Node b = node(cluster.http(2), "arbitration");
    JsonObject started =
        ok(
            cluster
                .http(0)
                .post(
                    "/a2a/deliberation/start",
                    initiator.secret(),
                    new JsonObject()
                        .put("title", "arbitration of the dispute")
                        .put("body", "decide the arbitration")
                        .put("max_rounds", 1)
                        .put(
                            "config",
                            new JsonObject()
                                .put("timeout_per_round_ms", 1000)
                                .put("max_agents", 2))));
    String id = started.getString("deliberation_id");
    String session = started.getString("session_id");
    assertEquals(
        java.util.Set.of(a.id(), b.id()),
        java.util.Set.copyOf(started.getJsonArray("participants").getList()),
        "the two nodes that share a keyword");
    ok(
        cluster
            .http(1)
            .post(
                "/a2a/dialog",
                a.secret(),
                new JsonObject()
                    .put("deliberation_id", id)
                    .put("dialog_type", "respond")
                    .put("content", "only mine so far")));
    cluster.stop(0);

    HubNodes.await(
        "the deliberation completed by the surviving sweepers",
        Duration.ofSeconds(20),
        () ->
            "completed"
                .equals(
                    cluster
                        .sql()
                        .value(
                            "SELECT status FROM a2a_deliberations WHERE deliberation_id = $1",
                            id)));
    List<JsonObject> log =
        cluster
            .sql()
            .rows(
                "SELECT type, payload FROM events WHERE session_id = $1"
                    + " AND type LIKE 'a2a.deliberation%' ORDER BY sequence",
                session);
    assertEquals(
        List.of(
            "a2a.deliberation_started",
            "a2a.deliberation_phase",
            "a2a.deliberation_phase",
            "a2a.deliberation_completed"),
        log.stream().map(r -> r.getString("type")).toList(),
        "no phase ended twice, none skipped: " + log);
    JsonObject first = new JsonObject(log.get(1).getValue("payload").toString());
    JsonObject second = new JsonObject(log.get(2).getValue("payload").toString());
    assertEquals("challenging", first.getString("phase"));
    assertEquals(1, first.getJsonArray("revealed").size(), "the hidden post, revealed once");
    assertEquals("converging", second.getString("phase"));
    assertTrue(second.getJsonArray("revealed").isEmpty());
    JsonObject completed = new JsonObject(log.get(3).getValue("payload").toString());
    assertEquals("no_decision", completed.getString("decision"));
  }
}
