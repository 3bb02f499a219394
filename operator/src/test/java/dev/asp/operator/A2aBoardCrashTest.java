package dev.asp.operator;

import static dev.asp.operator.HubNodes.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.operator.HubNodes.Node;
import dev.asp.storage.DatabaseSettings;
import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The board and its deadlines across a crash (hub spec §2.5, §17.6; issue 12's invariants): an
 * operator process changes a board, starts a converge window and leaves a session idle, then is
 * killed with SIGKILL. A second process on the same PostgreSQL, started afterwards, shows the board
 * exactly as the fold of its {@code task_board_update} events, and its sweeper finishes what the
 * dead one started: the converge window ends in {@code completed}, the idle session in {@code
 * failed}.
 */
@DisplayName("A2A board: SIGKILL, then another node finishes the deadlines")
class A2aBoardCrashTest {
  private static final Duration WITHIN = Duration.ofSeconds(30);
  private static final String ASSET = "sha256:" + "cd".repeat(32);

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  @DisplayName(
      "the board after a kill -9 is the fold of its log; a window and an idle limit started by"
          + " the dead node are finished by the next one")
  void killedThenFinishedElsewhere() throws Exception {
    DatabaseSettings db = TestDatabase.fresh();
    Vertx vertx = Vertx.vertx();
    Map<String, String> settings =
        Map.of(
            "ASP_A2A_CONVERGE_WINDOW_MS", "3000",
            "ASP_A2A_SESSION_IDLE_MS", "6000",
            "ASP_A2A_SWEEP_MS", "100");
    try (OperatorProcesses nodes = new OperatorProcesses(db, 2, settings)) {
      nodes.launch(0);
      nodes.awaitServing(0);
      RawHttp first = new RawHttp(vertx, "127.0.0.1", nodes.port(0));
      Node a = HubNodes.hello(first);
      Node b = HubNodes.hello(first);
      String idle = HubNodes.createSession(first, a, b);
      String session = HubNodes.createSession(first, a, b);
      HubNodes.join(first, b, session);

      JsonArray tasks =
          ok(first.post(
                  "/a2a/session/board/update",
                  a.secret(),
                  new JsonObject()
                      .put("sender_id", a.id())
                      .put("session_id", session)
                      .put(
                          "add_tasks",
                          new JsonArray()
                              .add(new JsonObject().put("title", "one").put("ref", "one"))
                              .add(
                                  new JsonObject()
                                      .put("title", "two")
                                      .put("assigned_to", b.id())
                                      .put("depends_on", new JsonArray().add("one"))))))
              .getJsonArray("added");
      String one = tasks.getJsonObject(0).getString("task_id");
      String two = tasks.getJsonObject(1).getString("task_id");
      ok(submit(first, a, session, one));
      JsonObject last = ok(submit(first, b, session, two));
      assertEquals("converging", last.getString("session_status"));
      nodes.kill(0);

      nodes.launch(1);
      nodes.awaitServing(1);
      RawHttp second = new RawHttp(vertx, "127.0.0.1", nodes.port(1));
      JsonObject board = ok(second.get("/a2a/session/board?session_id=" + session, a.secret()));
      assertEquals(fold(second, a, session), byId(board.getJsonArray("tasks")));

      HubNodes.await(
          "the converge window is finished by the second node",
          WITHIN,
          () -> "completed".equals(status(second, a, session)));
      HubNodes.await(
          "the idle session is failed by the second node",
          WITHIN,
          () -> "failed".equals(status(second, a, idle)));
      List<String> types = types(second, a, session);
      assertTrue(
          types.indexOf("a2a.session_converged") < types.indexOf("session.ended")
              && types.contains("a2a.session_converged"),
          "" + types);
      List<JsonObject> idleEvents = events(second, a, idle);
      JsonObject timeout =
          idleEvents.stream()
              .filter(e -> e.getString("type").equals("a2a.session_status"))
              .findFirst()
              .orElseThrow()
              .getJsonObject("payload");
      assertEquals("timeout", timeout.getString("reason"));
      assertEquals("failed", timeout.getString("status"));
      assertEquals(
          "session.ended", idleEvents.get(idleEvents.size() - 1).getString("type"), "then ended");
      second.close();
      first.close();
    } finally {
      vertx.close().await();
    }
  }

  private static RawHttp.Response submit(RawHttp http, Node node, String session, String task) {
    return http.post(
        "/a2a/session/submit",
        node.secret(),
        new JsonObject()
            .put("sender_id", node.id())
            .put("session_id", session)
            .put("task_id", task)
            .put("result_asset_id", ASSET));
  }

  private static String status(RawHttp http, Node node, String session) {
    return ok(http.get("/a2a/session/board?session_id=" + session, node.secret()))
        .getString("status");
  }

  /** The board as the fold of the log: each task's latest version in its board updates. */
  private static Map<String, JsonObject> fold(RawHttp http, Node reader, String session) {
    Map<String, JsonObject> board = new LinkedHashMap<>();
    for (JsonObject event : events(http, reader, session)) {
      if (event.getString("type").equals("a2a.task_board_update")) {
        JsonObject payload = event.getJsonObject("payload");
        byId(payload.getJsonArray("added")).forEach(board::put);
        byId(payload.getJsonArray("updated")).forEach(board::put);
      }
    }
    return board;
  }

  private static Map<String, JsonObject> byId(JsonArray tasks) {
    Map<String, JsonObject> byId = new LinkedHashMap<>();
    for (Object item : tasks) {
      JsonObject task = (JsonObject) item;
      byId.put(task.getString("task_id"), task);
    }
    return byId;
  }

  /** The session's log through the ASP surface, with the extension events. */
  private static List<JsonObject> events(RawHttp http, Node reader, String session) {
    RawHttp.Response response =
        http.get("/sessions/" + session + "/events?limit=1000&extensions=a2a", reader.secret());
    assertEquals(200, response.status(), response.text());
    List<JsonObject> events = new ArrayList<>();
    response.json().getJsonArray("events").forEach(e -> events.add((JsonObject) e));
    return events;
  }

  private static List<String> types(RawHttp http, Node reader, String session) {
    return events(http, reader, session).stream().map(e -> e.getString("type")).toList();
  }
}
