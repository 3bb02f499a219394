package dev.asp.operator;

import static dev.asp.operator.HubNodes.error;
import static dev.asp.operator.HubNodes.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.operator.HubNodes.Node;
import dev.asp.testkit.RawHttp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /a2a/discover} (hub spec §9) through the real gateway against a real PostgreSQL, on a
 * fixture corpus: lexical ranking (a query ranks the matching task above the others, which do not
 * appear), capability overlap breaking ties, newest first with neither, the signals filter, what is
 * never offered (assigned, blocked or completed tasks; private, full, converging sessions; sessions
 * whose owner or a member has a block with the caller), the sessions list, and bad input. Each test
 * words its corpus with a word of its own, so the tests do not see each other's tasks.
 */
@DisplayName("A2A discover, end to end")
class A2aDiscoverTest {
  private static HubOperator hub;
  private static OperatorHarness operator;
  private static RawHttp http;

  @BeforeAll
  static void start() {
    hub = HubOperator.start(Map.of());
    operator = hub.operator;
    http = hub.http;
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  /** A word no other test uses. */
  private static String word() {
    return "w" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }

  private static String session(Node owner, JsonObject extra) {
    JsonObject body =
        new JsonObject().put("sender_id", owner.id()).put("title", "work of " + owner.id());
    body.mergeIn(extra);
    return ok(http.post("/a2a/session/create", owner.secret(), body)).getString("session_id");
  }

  private static List<String> add(Node owner, String session, JsonObject... tasks) {
    JsonObject reply =
        ok(
            http.post(
                "/a2a/session/board/update",
                owner.secret(),
                new JsonObject()
                    .put("sender_id", owner.id())
                    .put("session_id", session)
                    .put("add_tasks", new JsonArray(List.of((Object[]) tasks)))));
    List<String> ids = new ArrayList<>();
    reply.getJsonArray("added").forEach(t -> ids.add(((JsonObject) t).getString("task_id")));
    return ids;
  }

  private static JsonObject task(String title, String description, String... signals) {
    return new JsonObject()
        .put("title", title)
        .put("description", description)
        .put("signals", new JsonArray(List.of(signals)));
  }

  private static JsonObject discover(Node caller, JsonObject body) {
    JsonObject reply =
        ok(http.post("/a2a/discover", caller.secret(), body.copy().put("sender_id", caller.id())));
    assertEquals("lexical", reply.getString("method"));
    assertEquals(
        new JsonObject()
            .put("tasks", reply.getJsonArray("tasks").size())
            .put("sessions", reply.getJsonArray("sessions").size()),
        reply.getJsonObject("count"),
        "count is what this response holds");
    return reply;
  }

  private static List<String> taskIds(JsonObject reply) {
    List<String> ids = new ArrayList<>();
    reply.getJsonArray("tasks").forEach(t -> ids.add(((JsonObject) t).getString("task_id")));
    return ids;
  }

  @Test
  @DisplayName(
      "a query ranks the matching task first, field by field; non-matching ones are absent")
  void queryRanking() {
    String w = word();
    Node owner = HubNodes.hello(http);
    Node caller = HubNodes.hello(http);
    String s = session(owner, new JsonObject().put("title", "parser work " + w));
    List<String> ids =
        add(
            owner,
            s,
            task("Fix memory leak in parser " + w, "the heap grows on every request", "memory"),
            task("Write parser tests " + w, "cover the memory paths", "testing"),
            task("Design a logo " + w, "colours and shapes", "design"));
    JsonObject reply = discover(caller, new JsonObject().put("query", "memory leak " + w));
    assertEquals(List.of(ids.get(0)), taskIds(reply), "only the task with every term: " + reply);
    JsonObject top = reply.getJsonArray("tasks").getJsonObject(0);
    double score = top.getDouble("score");
    assertTrue(score > 0 && score < 1, "r/(r+1) lies in (0, 1): " + score);
    assertEquals(
        new JsonObject()
            .put("task_id", ids.get(0))
            .put("session_id", s)
            .put("title", "Fix memory leak in parser " + w)
            .put("description", "the heap grows on every request")
            .put("signals", new JsonArray().add("memory"))
            .putNull("contribution_weight")
            .put("score", score)
            .put("detail_url", "/a2a/session/board?session_id=" + s),
        top);
    assertEquals(
        new JsonObject()
            .put("id", s)
            .put("session_id", s)
            .put("title", "parser work " + w)
            .put("open_task_count", 3)
            .put("participant_count", 1)
            .put("score", score)
            .put("detail_url", "/a2a/session/board?session_id=" + s),
        reply.getJsonArray("sessions").getJsonObject(0));

    // websearch syntax: OR, and a title (weight A) outranks a description (weight B)
    JsonObject either = discover(caller, new JsonObject().put("query", "memory " + w));
    assertEquals(
        List.of(ids.get(0), ids.get(1)),
        taskIds(either),
        "title and signals weigh more than the description: " + either);
    assertTrue(
        either.getJsonArray("tasks").getJsonObject(0).getDouble("score")
            > either.getJsonArray("tasks").getJsonObject(1).getDouble("score"));
  }

  @Test
  @DisplayName("capability overlap breaks a tie of text, and ranks alone without a query")
  void capabilityOverlap() {
    String w = word();
    Node owner = HubNodes.hello(http);
    Node caller = HubNodes.hello(http);
    String s = session(owner, new JsonObject());
    List<String> ids =
        add(
            owner,
            s,
            task("Translate the guide " + w, "into another language", "french"),
            task("Translate the guide " + w, "into another language", "german", "docs"),
            task("Unrelated " + w, "nothing", "cooking"));
    JsonObject tied =
        discover(
            caller,
            new JsonObject()
                .put("query", "translate " + w)
                .put("capabilities", new JsonArray().add(" German ").add("docs")));
    assertEquals(List.of(ids.get(1), ids.get(0)), taskIds(tied), "" + tied);
    double withOverlap = tied.getJsonArray("tasks").getJsonObject(0).getDouble("score");
    double without = tied.getJsonArray("tasks").getJsonObject(1).getDouble("score");
    assertEquals(1.0, withOverlap - without, 1e-9, "both capabilities shared: + 2/2");

    JsonObject capsOnly =
        discover(
            caller,
            new JsonObject().put("capabilities", new JsonArray().add("french").add("nobody")));
    List<String> found = taskIds(capsOnly);
    assertTrue(found.contains(ids.get(0)), "" + capsOnly);
    assertTrue(!found.contains(ids.get(1)) && !found.contains(ids.get(2)), "" + capsOnly);
    JsonObject french =
        capsOnly.getJsonArray("tasks").stream()
            .map(JsonObject.class::cast)
            .filter(t -> t.getString("task_id").equals(ids.get(0)))
            .findFirst()
            .orElseThrow();
    assertEquals(0.5, french.getDouble("score"), 1e-9, "|caps ∩ signals| / |caps| = 1/2");
  }

  @Test
  @DisplayName("neither query nor capabilities: newest first with score 0; signals filter")
  void newestAndSignals() {
    String w = word();
    Node owner = HubNodes.hello(http);
    Node caller = HubNodes.hello(http);
    String s = session(owner, new JsonObject());
    String older = add(owner, s, task("Older " + w, "d", w)).get(0);
    String newer = add(owner, s, task("Newer " + w, "d", w, "extra")).get(0);
    JsonObject newest = discover(caller, new JsonObject().put("limit", 2));
    assertEquals(List.of(newer, older), taskIds(newest), "" + newest);
    newest
        .getJsonArray("tasks")
        .forEach(t -> assertEquals(0.0, ((JsonObject) t).getDouble("score")));
    JsonObject filtered =
        discover(caller, new JsonObject().put("signals", new JsonArray().add("EXTRA")));
    assertEquals(List.of(newer), taskIds(filtered), "only tasks carrying a given signal");
    JsonObject filteredByWord =
        discover(caller, new JsonObject().put("signals", w.toUpperCase()).put("limit", 1));
    assertEquals(List.of(newer), taskIds(filteredByWord), "limit and the comma-separated form");
  }

  @Test
  @DisplayName(
      "never offered: assigned, blocked, completed tasks; private, full or converging sessions;"
          + " sessions whose owner or a member has a block with the caller")
  void notOffered() {
    String w = word();
    Node owner = HubNodes.hello(http);
    Node caller = HubNodes.hello(http);
    Node member = HubNodes.hello(http);
    Node rival = HubNodes.hello(http);

    String open = session(owner, new JsonObject());
    List<String> board =
        add(
            owner,
            open,
            task("Offered " + w, "d"),
            task("Assigned " + w, "d").put("assigned_to", owner.id()),
            task("Blocked " + w, "d").put("depends_on", new JsonArray().add(0)),
            task("Done " + w, "d"));
    ok(
        http.post(
            "/a2a/session/submit",
            owner.secret(),
            new JsonObject()
                .put("sender_id", owner.id())
                .put("session_id", open)
                .put("task_id", board.get(3))
                .put("result_asset_id", "sha256:" + "ef".repeat(32))));

    String hidden = session(owner, new JsonObject().put("visibility", "private"));
    add(owner, hidden, task("Private " + w, "d"));
    // max_participants is clamped to 2..20 (§6.2): the owner and one more fill it
    String full = session(owner, new JsonObject().put("max_participants", 2));
    HubNodes.join(http, HubNodes.hello(http), full);
    add(owner, full, task("Full " + w, "d"));

    String converging = session(owner, new JsonObject());
    add(owner, converging, task("Converging " + w, "d"));
    JsonObject forced =
        ok(
            http.post(
                "/a2a/session/orchestrate",
                owner.secret(),
                new JsonObject()
                    .put("sender_id", owner.id())
                    .put("session_id", converging)
                    .put("force_converge", true)));
    assertEquals("converging", forced.getString("session_status"), forced.encode());

    Node blockingOwner = HubNodes.hello(http);
    String ownerBlocked = session(blockingOwner, new JsonObject());
    add(blockingOwner, ownerBlocked, task("Owner blocked " + w, "d"));
    operator.admin.block(blockingOwner.handle(), caller.handle()).await();

    String memberBlocked = session(rival, new JsonObject());
    HubNodes.join(http, member, memberBlocked);
    add(rival, memberBlocked, task("Member blocked " + w, "d"));
    operator.admin.block(caller.handle(), member.handle()).await();

    JsonObject reply = discover(caller, new JsonObject().put("query", w).put("limit", 50));
    assertEquals(List.of(board.get(0)), taskIds(reply), "" + reply);
    assertEquals(1, reply.getJsonArray("sessions").size(), "" + reply);
    assertEquals(
        3,
        reply.getJsonArray("sessions").getJsonObject(0).getInteger("open_task_count"),
        "open = not completed: offered, assigned, blocked");

    // the full session's own member still finds its task
    JsonObject mine = discover(owner, new JsonObject().put("query", "full " + w));
    assertEquals(1, mine.getJsonArray("tasks").size(), "" + mine);
  }

  @Test
  @DisplayName("bad input answers 400 validation_error with a correction")
  void badInput() {
    Node caller = HubNodes.hello(http);
    for (JsonObject body :
        List.of(
            new JsonObject().put("limit", 0),
            new JsonObject().put("limit", 51),
            new JsonObject().put("limit", "many"),
            new JsonObject().put("query", 7),
            new JsonObject().put("query", "q".repeat(501)),
            new JsonObject().put("capabilities", "python"),
            new JsonObject().put("capabilities", new JsonArray().add(3)),
            new JsonObject().put("signals", new JsonArray().add(1)),
            new JsonObject().put("signals", "a,b,c,d,e,f,g,h,i,j,k"))) {
      error(
          http.post("/a2a/discover", caller.secret(), body.put("sender_id", caller.id())),
          400,
          "validation_error");
    }
    Node other = HubNodes.hello(http);
    error(
        http.post("/a2a/discover", caller.secret(), new JsonObject().put("sender_id", other.id())),
        403,
        "sender_mismatch");
  }
}
