package dev.asp.operator;

import static dev.asp.operator.HubNodes.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asp.operator.HubNodes.Node;
import dev.asp.storage.DatabaseSettings;
import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pipeline's idle limit across a crash (hub spec §13, §17.6): an operator process starts a
 * running and a stalled pipeline and is killed with SIGKILL; a second process on the same
 * PostgreSQL, started afterwards, fails both once {@code ASP_A2A_SESSION_IDLE_MS} has passed by the
 * database clock, and their sessions end {@code failed}.
 */
@DisplayName("A2A pipelines: SIGKILL, then another node fails the idle pipelines")
class A2aPipelineCrashTest {
  private static final Duration WITHIN = Duration.ofSeconds(30);

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  @DisplayName("pipelines left idle by a killed node are failed by the next one")
  void idleFailedElsewhere() throws Exception {
    DatabaseSettings db = TestDatabase.fresh();
    Vertx vertx = Vertx.vertx();
    Map<String, String> settings =
        Map.of("ASP_A2A_SESSION_IDLE_MS", "5000", "ASP_A2A_SWEEP_MS", "100");
    try (OperatorProcesses nodes = new OperatorProcesses(db, 2, settings)) {
      nodes.launch(0);
      nodes.awaitServing(0);
      RawHttp first = new RawHttp(vertx, "127.0.0.1", nodes.port(0));
      Node creator = HubNodes.hello(first);
      JsonObject hello =
          ok(
              first.post(
                  "/a2a/hello",
                  null,
                  new JsonObject().put("capabilities", new JsonArray().add("summarising"))));
      Node worker = new Node(hello.getString("your_node_id"), hello.getString("node_secret"));
      JsonObject running = ok(create(first, creator, "summarising"));
      assertEquals("active", running.getString("status"));
      JsonObject stalled = ok(create(first, creator, "translating"));
      assertEquals("stalled", stalled.getString("status"));
      nodes.kill(0);

      nodes.launch(1);
      nodes.awaitServing(1);
      RawHttp second = new RawHttp(vertx, "127.0.0.1", nodes.port(1));
      for (JsonObject pipeline : List.of(running, stalled)) {
        String id = pipeline.getString("pipeline_id");
        HubNodes.await(
            "the idle pipeline is failed by the second node",
            WITHIN,
            () ->
                "failed"
                    .equals(
                        ok(second.get("/a2a/pipeline/" + id, creator.secret()))
                            .getString("status")));
        List<JsonObject> log = events(second, creator, pipeline.getString("session_id"));
        JsonObject end = log.get(log.size() - 1);
        assertEquals("session.ended", end.getString("type"), "" + log);
      }
      // the assignee sees its session end as failed
      List<JsonObject> seen = new ArrayList<>();
      HubNodes.await(
          "the worker sees session_ended failed",
          WITHIN,
          () -> {
            seen.addAll(
                HubNodes.events(
                    ok(
                        second.post(
                            "/a2a/events/poll",
                            worker.secret(),
                            new JsonObject().put("timeout_ms", 500)))));
            return seen.stream().anyMatch(e -> "session_ended".equals(e.getString("type")));
          });
      JsonObject ended =
          seen.stream()
              .filter(e -> "session_ended".equals(e.getString("type")))
              .findFirst()
              .orElseThrow();
      assertEquals("failed", ended.getJsonObject("payload").getString("status"));
      assertEquals(running.getString("session_id"), ended.getString("session_id"));
      HubNodes.error(
          second.post(
              "/a2a/pipeline/" + running.getString("pipeline_id") + "/advance",
              worker.secret(),
              new JsonObject()),
          409,
          "pipeline_closed");
      second.close();
      first.close();
    } finally {
      vertx.close().await();
    }
  }

  private static RawHttp.Response create(RawHttp http, Node creator, String role) {
    return http.post(
        "/a2a/pipeline/create",
        creator.secret(),
        new JsonObject()
            .put("name", role)
            .put(
                "steps",
                new JsonArray()
                    .add(new JsonObject().put("role", role))
                    .add(new JsonObject().put("role", "reviewing"))));
  }

  private static List<JsonObject> events(RawHttp http, Node reader, String session) {
    RawHttp.Response response =
        http.get("/sessions/" + session + "/events?limit=1000&extensions=a2a", reader.secret());
    assertEquals(200, response.status(), response.text());
    List<JsonObject> events = new ArrayList<>();
    response.json().getJsonArray("events").forEach(e -> events.add((JsonObject) e));
    return events;
  }
}
