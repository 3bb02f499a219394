package dev.asp.operator;

import static dev.asp.operator.HubNodes.error;
import static dev.asp.operator.HubNodes.events;
import static dev.asp.operator.HubNodes.flatPoll;
import static dev.asp.operator.HubNodes.ok;
import static dev.asp.operator.HubNodes.poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.operator.HubNodes.Node;
import dev.asp.storage.DatabaseSettings;
import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import dev.asp.testkit.TestSql;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Dialog in the session context (hub spec §11, §18.12) through the real gateway against a real
 * PostgreSQL: the post's reply and its {@code dialog_message} field by field, directed posts seen
 * by their pair only, references, threads, history pages, and every error code with nothing stored.
 */
@DisplayName("A2A dialog, end to end")
class A2aDialogTest {
  private static DatabaseSettings db;
  private static OperatorHarness operator;
  private static RawHttp http;
  private static TestSql sql;

  @BeforeAll
  static void start() {
    db = TestDatabase.fresh();
    operator = OperatorHarness.start(db, Map.of("ASP_A2A_HEARTBEAT_LIMIT", "1000"));
    http = new RawHttp(operator.vertx, "127.0.0.1", operator.port());
    sql = new TestSql(operator.vertx, db);
  }

  @AfterAll
  static void stop() {
    sql.close();
    http.close();
    operator.close();
  }

  private record Team(Node a, Node b, Node c, String session) {}

  private static Team team() {
    Node a = HubNodes.hello(http);
    Node b = HubNodes.hello(http);
    Node c = HubNodes.hello(http);
    String session = HubNodes.createSession(http, a, b, c);
    HubNodes.join(http, b, session);
    HubNodes.join(http, c, session);
    return new Team(a, b, c, session);
  }

  private static RawHttp.Response post(Node node, JsonObject body) {
    return http.post("/a2a/dialog", node.secret(), body.copy().put("sender_id", node.id()));
  }

  private static JsonObject post(Node node, String session, String type, Object content) {
    return ok(
        post(
            node,
            new JsonObject()
                .put("session_id", session)
                .put("dialog_type", type)
                .put("content", content)));
  }

  private static List<JsonObject> drain(Node node) {
    List<JsonObject> all = new ArrayList<>();
    while (true) {
      List<JsonObject> got = events(ok(poll(http, node, flatPoll(node, null, null, 100)).await()));
      if (got.isEmpty()) {
        return all;
      }
      all.addAll(got);
    }
  }

  private static long nextSequence(String session) {
    return ((Number) sql.value("SELECT next_sequence FROM sessions WHERE id = $1", session))
        .longValue();
  }

  @Test
  @DisplayName("a post's reply and its dialog_message, field by field; history shows it")
  void postShape() {
    Team t = team();
    drain(t.b());
    JsonObject content =
        new JsonObject().put("reasoning", "heap grows").put("confidence", 0.8).put("extra", 1);
    JsonObject reply = post(t.a(), t.session(), "challenge", content);
    String id = reply.getString("message_id");
    assertTrue(id.startsWith("msg_"), reply.encode());
    assertEquals(id, reply.getString("dialog_id"));
    assertEquals("session", reply.getString("context_type"));
    assertEquals(t.session(), reply.getString("context_id"));
    assertEquals(t.session(), reply.getString("session_id"));
    assertEquals("challenge", reply.getString("dialog_type"));
    assertTrue(reply.containsKey("round") && reply.getValue("round") == null);
    assertTrue(reply.containsKey("phase") && reply.getValue("phase") == null);
    assertEquals("all", reply.getString("visible_to"));
    assertTrue(reply.getLong("sequence") > 0);
    assertTrue(reply.getString("created_at").endsWith("Z"));

    List<JsonObject> seen = drain(t.b());
    assertEquals(List.of("dialog_message"), seen.stream().map(e -> e.getString("type")).toList());
    JsonObject shown = seen.get(0).getJsonObject("payload");
    assertEquals(id, shown.getString("id"));
    assertEquals(id, shown.getString("message_id"));
    assertEquals("session", shown.getString("context_type"));
    assertEquals(t.session(), shown.getString("context_id"));
    assertEquals(t.session(), shown.getString("session_id"));
    assertNull(shown.getValue("deliberation_id"));
    assertNull(shown.getValue("pipeline_id"));
    assertEquals(t.a().id(), shown.getString("from_node_id"));
    assertEquals(t.a().id(), shown.getString("fromNodeId"));
    assertNull(shown.getValue("to_node_id"));
    assertEquals("challenge", shown.getString("dialog_type"));
    assertNull(shown.getValue("reference_id"));
    assertEquals(content, shown.getJsonObject("content"), "the content exactly as posted");
    assertEquals(reply.getLong("sequence"), shown.getLong("sequence"));
    for (String field : List.of("round", "phase", "created_at")) {
      assertTrue(shown.containsKey(field), field);
    }
    assertFalse(drain(t.a()).stream().anyMatch(e -> e.getString("type").equals("dialog_message")));

    JsonObject history =
        ok(
            http.get(
                "/a2a/dialog/history?session_id=" + t.session() + "&node_id=" + t.c().id(),
                t.c().secret()));
    assertEquals(1, history.getInteger("count"));
    assertEquals(shown, history.getJsonArray("messages").getJsonObject(0));
    assertNull(history.getValue("next_cursor"));
    // the context's recent messages carry it with its dialog_type
    JsonObject context =
        ok(http.get("/a2a/session/context?session_id=" + t.session(), t.c().secret()));
    assertTrue(context.encode().contains("\"dialog_type\":\"challenge\""), context.encode());
  }

  @Test
  @DisplayName("a directed post is its pair's only, on every view; threads and history pages")
  void directedThreadsHistory() {
    Team t = team();
    String root = post(t.a(), t.session(), "respond", "root").getString("message_id");
    JsonObject secret =
        ok(
            post(
                t.a(),
                new JsonObject()
                    .put("session_id", t.session())
                    .put("dialog_type", "direct_message")
                    .put("to_node_id", t.b().id())
                    .put("reference_id", root)
                    .put("content", "for b only")));
    assertEquals("pair", secret.getString("visible_to"));
    String reply =
        ok(post(
                t.b(),
                new JsonObject()
                    .put("session_id", t.session())
                    .put("dialog_type", "agree")
                    .put("reference_id", secret.getString("message_id"))
                    .put("content", "agreed")))
            .getString("message_id");
    String other = post(t.c(), t.session(), "build_on", "unrelated").getString("message_id");

    // c never sees the directed post, nor can it reference it
    List<JsonObject> cSees = drain(t.c());
    assertFalse(cSees.toString().contains("for b only"));
    error(
        post(
            t.c(),
            new JsonObject()
                .put("session_id", t.session())
                .put("dialog_type", "respond")
                .put("reference_id", secret.getString("message_id"))
                .put("content", "x")),
        400,
        "validation_error");
    error(
        http.get("/a2a/dialog/thread/" + secret.getString("message_id"), t.c().secret()),
        404,
        "message_not_found");
    RawHttp.Response aspEvents =
        http.get("/sessions/" + t.session() + "/events?limit=1000", t.c().secret());
    assertFalse(aspEvents.text().contains("for b only"));

    // b's thread of its reply climbs to the root and holds the chain, not the unrelated post
    JsonObject thread = ok(http.get("/a2a/dialog/thread/" + reply, t.b().secret()));
    assertEquals(root, thread.getString("root_id"));
    List<String> ids = new ArrayList<>();
    thread.getJsonArray("messages").forEach(m -> ids.add(((JsonObject) m).getString("id")));
    assertEquals(List.of(root, secret.getString("message_id"), reply), ids);
    assertEquals(3, thread.getInteger("count"));
    // c's thread of the root lacks the directed post
    JsonObject cThread = ok(http.get("/a2a/dialog/thread/" + root, t.c().secret()));
    assertFalse(cThread.encode().contains("for b only"));
    assertFalse(cThread.encode().contains(other));

    // history: pages by cursor, filtered by type
    String base = "/a2a/dialog/history?session_id=" + t.session();
    JsonObject first = ok(http.get(base + "&limit=2", t.b().secret()));
    assertEquals(2, first.getInteger("count"));
    String cursor = first.getString("next_cursor");
    assertTrue(cursor.matches("[0-9]+"), first.encode());
    JsonObject second = ok(http.get(base + "&limit=2&cursor=" + cursor, t.b().secret()));
    assertEquals(2, second.getInteger("count"));
    assertNull(second.getValue("next_cursor"));
    JsonObject agrees = ok(http.get(base + "&dialog_type=agree", t.b().secret()));
    assertEquals(1, agrees.getInteger("count"));
    assertEquals(3, ok(http.get(base, t.c().secret())).getInteger("count"), "not the secret one");
  }

  @Test
  @DisplayName("every error code, and bad input stores nothing")
  void errors() {
    Team t = team();
    long sequence = nextSequence(t.session());
    JsonObject good =
        new JsonObject()
            .put("session_id", t.session())
            .put("dialog_type", "respond")
            .put("content", "x");
    error(post(t.a(), good.copy().put("session_id", (Object) null)), 400, "context_required");
    error(post(t.a(), good.copy().put("pipeline_id", "pipe_1")), 400, "validation_error");
    error(post(t.a(), good.copy().put("dialog_type", "shout")), 400, "invalid_dialog_type");
    JsonObject diverge =
        error(post(t.a(), good.copy().put("dialog_type", "diverge")), 400, "invalid_dialog_type");
    assertTrue(diverge.getString("message").contains("respond"), diverge.encode());
    error(post(t.a(), good.copy().put("content", "")), 400, "validation_error");
    error(post(t.a(), good.copy().put("content", 42)), 400, "validation_error");
    error(
        post(t.a(), good.copy().put("content", new JsonObject().put("confidence", 1.5))),
        400,
        "validation_error");
    error(post(t.a(), good.copy().put("content", "x".repeat(20_000))), 413, "payload_too_large");
    error(post(t.a(), good.copy().put("dialog_type", "direct_message")), 400, "validation_error");
    error(
        post(t.a(), good.copy().put("to_node_id", HubNodes.hello(http).id())),
        400,
        "validation_error");
    error(post(t.a(), good.copy().put("reference_id", "msg_nope")), 400, "validation_error");
    error(
        post(t.b(), good.copy().put("dialog_type", "orchestrate")),
        403,
        "not_session_orchestrator");
    Node outsider = HubNodes.hello(http);
    error(post(outsider, good), 404, "session_not_found");
    error(
        http.get("/a2a/dialog/history?session_id=" + t.session(), outsider.secret()),
        404,
        "session_not_found");
    error(
        http.post("/a2a/dialog", t.a().secret(), good.copy().put("sender_id", t.b().id())),
        403,
        "sender_mismatch");
    error(
        post(t.a(), good.copy().put("session_id", (Object) null).put("deliberation_id", "delib_1")),
        404,
        "deliberation_not_found");
    error(http.get("/a2a/dialog/thread/msg_nope", t.a().secret()), 404, "message_not_found");
    error(http.get("/a2a/dialog/history?limit=5", t.a().secret()), 400, "context_required");
    error(
        http.get("/a2a/dialog/history?session_id=" + t.session() + "&limit=500", t.a().secret()),
        400,
        "validation_error");
    assertEquals(sequence, nextSequence(t.session()), "no sequence used");
    ok(post(t.a(), good.copy().put("dialog_type", "orchestrate")));
  }
}
