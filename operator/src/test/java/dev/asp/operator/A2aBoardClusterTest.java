package dev.asp.operator;

import static dev.asp.operator.HubNodes.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.operator.HubNodes.Node;
import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Concurrent board commands on one session from the three nodes of a cluster (issue 12's
 * invariants; hub spec §2.5): submits of the same task from every node, title updates and
 * reassignments racing them. The session row lock serialises them whichever node runs them, so no
 * update is lost, no task is completed twice, and at no committed point of the log is a task
 * blocked whose dependencies are all completed.
 */
@DisplayName("A2A board: concurrent commands from three nodes")
class A2aBoardClusterTest {
  private static final int NODES = 3;
  private static final String ASSET = "sha256:" + "ef".repeat(32);
  private static ClusterHarness cluster;

  @BeforeAll
  static void start() {
    cluster = new ClusterHarness(TestDatabase.fresh(), NODES);
    for (int i = 0; i < NODES; i++) {
      cluster.start(i, "gateway,session,trust,delivery", Map.of());
    }
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static RawHttp http(int node) {
    return cluster.http(node % NODES);
  }

  @Test
  @DisplayName(
      "racing submits complete each task once; racing updates are all kept; no dependant stays"
          + " blocked at any committed point")
  void racingCommands() {
    Node a = HubNodes.hello(http(0));
    Node b = HubNodes.hello(http(1));
    Node c = HubNodes.hello(http(2));
    List<Node> team = List.of(a, b, c);
    String session = HubNodes.createSession(http(0), a, b, c);
    HubNodes.join(http(1), b, session);
    HubNodes.join(http(2), c, session);
    // root → (left, right) → join; loose on its own
    JsonArray plan =
        new JsonArray()
            .add(task("root").put("ref", "root"))
            .add(task("left").put("ref", "left").put("depends_on", new JsonArray().add("root")))
            .add(task("right").put("ref", "right").put("depends_on", new JsonArray().add("root")))
            .add(task("join").put("depends_on", new JsonArray().add("left").add("right")))
            .add(task("loose"));
    JsonArray added =
        ok(http(0)
                .post(
                    "/a2a/session/board/update",
                    a.secret(),
                    new JsonObject()
                        .put("sender_id", a.id())
                        .put("session_id", session)
                        .put("add_tasks", plan)))
            .getJsonArray("added");
    Map<String, String> ids = new HashMap<>();
    added.forEach(
        t -> ids.put(((JsonObject) t).getString("title"), ((JsonObject) t).getString("task_id")));

    int updates = 0;
    int completions = 0;
    for (List<String> wave :
        List.of(List.of("root", "loose"), List.of("left", "right"), List.of("join"))) {
      List<Future<RawHttp.Response>> racing = new ArrayList<>();
      List<String> kinds = new ArrayList<>();
      for (String title : wave) {
        for (int n = 0; n < NODES; n++) {
          Node who = team.get(n);
          // every member submits every task of the wave, each through another node
          racing.add(
              http(n + 1)
                  .postAsync(
                      "/a2a/session/submit",
                      who.secret(),
                      new JsonObject()
                          .put("sender_id", who.id())
                          .put("session_id", session)
                          .put("task_id", ids.get(title))
                          .put("result_asset_id", ASSET)));
          kinds.add("submit " + title);
          // and renames the loose task, through yet another node
          racing.add(
              http(n + 2)
                  .postAsync(
                      "/a2a/session/board/update",
                      who.secret(),
                      new JsonObject()
                          .put("sender_id", who.id())
                          .put("session_id", session)
                          .put(
                              "update_tasks",
                              new JsonArray()
                                  .add(
                                      new JsonObject()
                                          .put("task_id", ids.get("loose"))
                                          .put("description", who.id() + " " + title)))));
          kinds.add("update");
        }
      }
      Future.all(racing).await();
      Map<String, Integer> won = new LinkedHashMap<>();
      for (int i = 0; i < racing.size(); i++) {
        RawHttp.Response response = racing.get(i).result();
        String kind = kinds.get(i);
        if (kind.equals("update")) {
          ok(response);
          updates++;
        } else if (response.status() == 200) {
          won.merge(kind, 1, Integer::sum);
          completions++;
        } else {
          assertEquals(409, response.status(), kind + ": " + response.text());
          assertEquals("task_already_completed", response.json().getString("error"), kind);
        }
      }
      for (String title : wave) {
        assertEquals(1, won.getOrDefault("submit " + title, 0), "one winner for " + title);
      }
    }
    assertEquals(5, completions);

    // the committed history, from the log: every update kept, each task completed once, and
    // after every event no task blocked whose dependencies are all completed
    List<JsonObject> boardUpdates = new ArrayList<>();
    RawHttp.Response log =
        http(0).get("/sessions/" + session + "/events?limit=1000&extensions=a2a", a.secret());
    assertEquals(200, log.status(), log.text());
    for (Object item : log.json().getJsonArray("events")) {
      JsonObject event = (JsonObject) item;
      if (event.getString("type").equals("a2a.task_board_update")) {
        boardUpdates.add(event.getJsonObject("payload"));
      }
    }
    assertEquals(1 + updates + completions, boardUpdates.size(), "one event per change, none lost");
    Map<String, JsonObject> board = new LinkedHashMap<>();
    Map<String, Integer> completedTimes = new HashMap<>();
    for (JsonObject change : boardUpdates) {
      for (String part : List.of("added", "updated")) {
        for (Object item : change.getJsonArray(part)) {
          JsonObject task = (JsonObject) item;
          board.put(task.getString("task_id"), task);
        }
      }
      for (Object item : change.getJsonArray("status_changes")) {
        JsonObject moved = (JsonObject) item;
        if (moved.getString("to").equals("completed")) {
          completedTimes.merge(moved.getString("task_id"), 1, Integer::sum);
        }
      }
      for (JsonObject task : board.values()) {
        if (task.getString("status").equals("blocked")) {
          boolean waiting = false;
          for (Object dependency : task.getJsonArray("depends_on")) {
            waiting |= !board.get((String) dependency).getString("status").equals("completed");
          }
          assertTrue(waiting, "blocked with every dependency done: " + task.encode());
        }
      }
    }
    for (String id : ids.values()) {
      assertEquals("completed", board.get(id).getString("status"));
    }
    assertEquals(5, completedTimes.size(), "every task completed");
    completedTimes.forEach((task, times) -> assertEquals(1, times, "completed once: " + task));
    // the last rename in log order is the board's
    JsonObject current = ok(http(2).get("/a2a/session/board?session_id=" + session, a.secret()));
    String loose = ids.get("loose");
    for (Object item : current.getJsonArray("tasks")) {
      JsonObject task = (JsonObject) item;
      assertEquals(board.get(task.getString("task_id")), task, "the board is the fold of its log");
    }
    assertTrue(board.get(loose).getString("description").startsWith("node_"));
    assertEquals("converging", current.getString("status"));
  }

  private static JsonObject task(String title) {
    return new JsonObject().put("title", title);
  }
}
