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
import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestSql;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Deliberations (hub spec §12) through the real gateway against a real PostgreSQL: picking by
 * keyword overlap, {@code insufficient_agents} storing nothing, a full round with hidden diverge
 * posts (absent from every view of the others until the phase ends: poll, dialog history, the
 * deliberation read, ASP {@code GET /sessions/{id}/events}), the phase rules and their errors,
 * votes deciding with dissent, and phases ended by the sweeper at their deadlines, each once.
 */
@DisplayName("A2A deliberations, end to end")
class A2aDeliberationTest {
  private static final Duration WITHIN = Duration.ofSeconds(15);
  private static HubOperator hub;
  private static OperatorHarness operator;
  private static RawHttp http;
  private static TestSql sql;

  @BeforeAll
  static void start() {
    hub =
        HubOperator.start(Map.of("ASP_A2A_SWEEP_MS", "50", "ASP_A2A_DELIBERATION_MAX_AGENTS", "3"));
    operator = hub.operator;
    http = hub.http;
    sql = hub.sql;
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  /** A word no other test's nodes declare, so each test picks among its own nodes. */
  private static String word() {
    return "k" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
  }

  private static Node node(String... capabilities) {
    JsonObject reply =
        ok(
            http.post(
                "/a2a/hello",
                null,
                new JsonObject()
                    .put("capabilities", new JsonArray(List.of((Object[]) capabilities)))));
    return new Node(reply.getString("your_node_id"), reply.getString("node_secret"));
  }

  private static RawHttp.Response start(Node initiator, JsonObject body) {
    return http.post(
        "/a2a/deliberation/start",
        initiator.secret(),
        body.copy().put("sender_id", initiator.id()));
  }

  private static RawHttp.Response post(
      Node node, String deliberation, String type, Object content, JsonObject extra) {
    JsonObject body =
        new JsonObject()
            .put("sender_id", node.id())
            .put("deliberation_id", deliberation)
            .put("dialog_type", type)
            .put("content", content);
    if (extra != null) {
      body.mergeIn(extra);
    }
    return http.post("/a2a/dialog", node.secret(), body);
  }

  private static JsonObject read(Node node, String deliberation) {
    return ok(http.get("/a2a/deliberation/" + deliberation, node.secret()));
  }

  private static List<String> historyTexts(Node node, String deliberation) {
    JsonObject page =
        ok(http.get("/a2a/dialog/history?deliberation_id=" + deliberation, node.secret()));
    List<String> texts = new ArrayList<>();
    page.getJsonArray("messages")
        .forEach(m -> texts.add(String.valueOf(((JsonObject) m).getValue("content"))));
    return texts;
  }

  private static String aspEvents(Node node, String session) {
    return http.get("/sessions/" + session + "/events?extensions=a2a", node.secret()).text();
  }

  /** Polls until an event of {@code type} comes; every event seen up to it. */
  private static List<JsonObject> until(Node node, String type) {
    List<JsonObject> seen = new ArrayList<>();
    long deadline = System.nanoTime() + WITHIN.toNanos();
    while (System.nanoTime() < deadline) {
      List<JsonObject> got = events(ok(poll(http, node, flatPoll(node, 2000L, null, 100)).await()));
      seen.addAll(got);
      if (got.stream().anyMatch(e -> type.equals(e.getString("type")))) {
        return seen;
      }
    }
    throw new AssertionError("no " + type + " for " + node.id() + " in " + seen);
  }

  private static long count(String table) {
    return ((Number) sql.value("SELECT count(*) FROM " + table)).longValue();
  }

  @Test
  @DisplayName(
      "a full round: picked by keywords, diverge posts hidden from every view until the phase"
          + " ends, challenge, votes decide approve with dissent")
  void fullRound() {
    String w = word();
    Node initiator = node("chair");
    Node first = node(w, "security", "review");
    Node second = node(w, "security");
    Node unrelated = node("gardening");
    JsonObject started =
        ok(
            start(
                initiator,
                new JsonObject()
                    .put("title", "Adopt the " + w + " policy")
                    .put("body", "a security review of the " + w + " rollout")
                    .put("mode", "standard")
                    .put("max_rounds", 2)
                    .put("config", new JsonObject().put("max_agents", 2))));
    String id = started.getString("deliberation_id");
    assertTrue(id.startsWith("delib_"), started.encode());
    assertEquals(id, started.getString("id"));
    assertEquals("diverging", started.getString("status"));
    assertEquals("diverging", started.getString("phase"));
    assertEquals(1, started.getInteger("round"));
    assertEquals(2, started.getInteger("max_rounds"));
    assertEquals("standard", started.getString("mode"));
    assertEquals(
        new JsonArray().add(first.id()).add(second.id()),
        started.getJsonArray("participants"),
        "two shared keywords rank above one; the unrelated node is not picked");
    assertEquals(initiator.id(), started.getString("initiator_id"));
    assertEquals(
        new JsonObject()
            .put("min_agents", 2)
            .put("max_agents", 2)
            .put("timeout_per_round_ms", 300_000L)
            .put("convergence_threshold", 0.7),
        started.getJsonObject("config"));
    String session = started.getString("session_id");
    assertTrue(started.getString("phase_deadline").endsWith("Z"));

    JsonObject invite =
        until(first, "deliberation_invite").stream()
            .filter(e -> "deliberation_invite".equals(e.getString("type")))
            .findFirst()
            .orElseThrow();
    JsonObject payload = invite.getJsonObject("payload");
    assertEquals(id, payload.getString("deliberation_id"));
    assertEquals(session, payload.getString("session_id"));
    assertEquals("diverging", payload.getString("phase"));
    assertEquals(1, payload.getInteger("round"));
    assertEquals(initiator.id(), payload.getString("initiator_id"));
    assertEquals(started.getJsonArray("participants"), payload.getJsonArray("participants"));

    // diverging: the initiator observes; only respond; the first post stays its author's
    error(post(initiator, id, "respond", "me too", null), 403, "not_deliberation_participant");
    error(post(first, id, "challenge", "no", null), 409, "invalid_phase_for_dialog_type");
    error(
        post(first, id, "respond", "x", new JsonObject().put("round", 2)),
        409,
        "invalid_phase_for_dialog_type");
    String secret = "hidden-" + w;
    List<String> secondFrames =
        HubNodes.frames(
            operator.vertx, operator.port(), second.secret(), "/connect?extensions=a2a");
    List<String> initiatorFrames =
        HubNodes.frames(operator.vertx, operator.port(), initiator.secret(), "/connect");
    JsonObject posted = ok(post(first, id, "respond", secret, null));
    assertEquals("author", posted.getString("visible_to"));
    assertEquals("deliberation", posted.getString("context_type"));
    assertEquals(id, posted.getString("context_id"));
    assertEquals(session, posted.getString("session_id"));
    assertEquals(1, posted.getInteger("round"));
    assertEquals("diverging", posted.getString("phase"));
    for (Node other : List.of(second, initiator)) {
      assertFalse(historyTexts(other, id).contains(secret), "history of " + other.id());
      assertFalse(read(other, id).getJsonArray("messages").encode().contains(secret));
      assertFalse(aspEvents(other, session).contains(secret), "ASP events of " + other.id());
      List<JsonObject> polled =
          events(ok(poll(http, other, flatPoll(other, 200L, null, 100)).await()));
      assertFalse(polled.toString().contains(secret), "poll of " + other.id());
    }
    assertTrue(historyTexts(first, id).contains(secret), "the author sees its own post");
    JsonObject during = ok(http.get("/a2a/deliberation/" + id + "/status", second.secret()));
    assertEquals(1, during.getInteger("submitted_count"));
    assertNull(during.getValue("convergence_score"));

    // the last contribution ends the phase: both posts revealed, to everyone, once
    ok(post(second, id, "respond", "second view " + w, null));
    List<JsonObject> seen = until(second, "deliberation_phase");
    JsonObject phase =
        seen.stream()
            .filter(e -> "deliberation_phase".equals(e.getString("type")))
            .findFirst()
            .orElseThrow()
            .getJsonObject("payload");
    assertEquals("challenging", phase.getString("phase"));
    assertEquals("diverging", phase.getString("previous_phase"));
    assertEquals(1, phase.getInteger("round"));
    assertEquals(2, phase.getJsonArray("revealed").size(), phase.encode());
    assertTrue(phase.getJsonArray("revealed").encode().contains(secret));
    HubNodes.await(
        "the phase event on the WebSocket",
        WITHIN,
        () -> secondFrames.stream().anyMatch(f -> f.contains("a2a.deliberation_phase")));
    String firstWithSecret =
        secondFrames.stream().filter(f -> f.contains(secret)).findFirst().orElseThrow();
    assertTrue(
        firstWithSecret.contains("a2a.deliberation_phase"),
        "on WS /connect the hidden post is seen first in the phase end that reveals it: "
            + firstWithSecret);
    assertTrue(
        initiatorFrames.stream().noneMatch(f -> f.contains(secret)),
        "a plain connection never had it live: " + initiatorFrames);
    assertTrue(historyTexts(second, id).contains(secret), "revealed in the history");
    assertTrue(aspEvents(second, session).contains(secret), "and in the ASP log's reads");
    assertTrue(read(initiator, id).getJsonArray("messages").encode().contains(secret));

    // challenging: any of its types; converging: votes
    String target = ((JsonObject) phase.getJsonArray("revealed").getValue(1)).getString("id");
    ok(post(first, id, "challenge", "why?", new JsonObject().put("reference_id", target)));
    error(
        post(first, id, "vote", new JsonObject().put("vote", "approve"), null),
        409,
        "invalid_phase_for_dialog_type");
    ok(post(second, id, "agree", "fine", null));
    until(first, "deliberation_phase");
    error(
        post(first, id, "vote", new JsonObject().put("vote", "maybe"), null),
        400,
        "validation_error");
    ok(post(first, id, "synthesize", "we should adopt it", null));
    ok(
        post(
            first,
            id,
            "vote",
            new JsonObject().put("vote", "approve").put("confidence", 0.9),
            null));
    ok(
        post(
            second,
            id,
            "vote",
            new JsonObject()
                .put("vote", "reject")
                .put("confidence", 0.3)
                .put("reasoning", "too early"),
            null));
    List<JsonObject> end = until(initiator, "deliberation_completed");
    JsonObject completed =
        end.stream()
            .filter(e -> "deliberation_completed".equals(e.getString("type")))
            .findFirst()
            .orElseThrow()
            .getJsonObject("payload");
    assertEquals("approve", completed.getString("decision"), completed.encode());
    assertEquals(0.75, completed.getDouble("convergence_score"), 1e-9);
    assertEquals(1, completed.getInteger("rounds"));
    assertEquals(
        new JsonObject().put("approve", 1).put("reject", 1).put("revise", 0),
        completed.getJsonObject("votes"));
    assertEquals(
        new JsonArray()
            .add(
                new JsonObject()
                    .put("node_id", second.id())
                    .put("vote", "reject")
                    .put("confidence", 0.3)
                    .put("reasoning", "too early")),
        completed.getJsonArray("dissent"));
    assertEquals(1, completed.getJsonArray("synthesis").size());

    JsonObject after = read(second, id);
    assertEquals("completed", after.getString("status"));
    assertEquals("approve", after.getString("decision"));
    assertNull(after.getValue("phase"));
    assertEquals(null, after.getValue("linked_session_id"));
    assertTrue(after.getString("completed_at").endsWith("Z"));
    error(post(first, id, "respond", "late", null), 409, "deliberation_closed");
    error(http.get("/a2a/deliberation/" + id, unrelated.secret()), 404, "deliberation_not_found");
  }

  @Test
  @DisplayName(
      "a linked session restricts the candidates to its members; too few: 200"
          + " insufficient_agents, and nothing stored")
  void insufficientAgents() {
    String w = word();
    Node initiator = node();
    Node member = node(w);
    String linked = HubNodes.createSession(http, initiator, member);
    HubNodes.join(http, member, linked);
    long deliberations = count("a2a_deliberations");
    long sessions = count("sessions");
    JsonObject reply =
        ok(
            start(
                initiator,
                new JsonObject()
                    .put("title", w)
                    .put("body", w)
                    .put("session_id", linked)
                    .put("min_agents", 2)
                    .put("config", new JsonObject().put("min_agents", 1))));
    assertEquals("insufficient_agents", reply.getString("status"), reply.encode());
    assertTrue(reply.containsKey("deliberation_id") && reply.getValue("deliberation_id") == null);
    assertEquals(2, reply.getInteger("required"), "the top-level min_agents wins over config's");
    assertEquals(1, reply.getInteger("available"), "only the linked session's other member");
    assertEquals(deliberations, count("a2a_deliberations"));
    assertEquals(sessions, count("sessions"));

    JsonObject one =
        ok(
            start(
                initiator,
                new JsonObject()
                    .put("title", w)
                    .put("body", w)
                    .put("session_id", linked)
                    .put("min_agents", 1)));
    assertEquals(new JsonArray().add(member.id()), one.getJsonArray("participants"));
    assertEquals(
        linked, read(member, one.getString("deliberation_id")).getString("linked_session_id"));
  }

  @Test
  @DisplayName("deadlines: with nobody posting, the sweeper ends each phase once, then no_decision")
  void deadlines() {
    String w = word();
    Node initiator = node();
    Node a = node(w);
    Node b = node(w);
    JsonObject started =
        ok(
            start(
                initiator,
                new JsonObject()
                    .put("title", w)
                    .put("body", "decide " + w)
                    .put("max_rounds", 1)
                    .put(
                        "config",
                        new JsonObject().put("timeout_per_round_ms", 1000).put("max_agents", 2))));
    String id = started.getString("deliberation_id");
    List<JsonObject> seen = until(a, "deliberation_completed");
    List<String> types =
        seen.stream()
            .map(e -> e.getString("type"))
            .filter(t -> t.startsWith("deliberation_"))
            .toList();
    assertEquals(
        List.of(
            "deliberation_invite",
            "deliberation_phase",
            "deliberation_phase",
            "deliberation_completed"),
        types,
        "each phase ended exactly once");
    JsonObject completed = seen.get(seen.size() - 1).getJsonObject("payload");
    assertEquals("no_decision", completed.getString("decision"));
    assertEquals(0.0, completed.getDouble("convergence_score"));
    assertEquals("completed", read(b, id).getString("status"));
  }

  @Test
  @DisplayName(
      "two rounds: the first diverging ended by contributions, the rest by deadlines; a vote of"
          + " round 1 never counts in round 2")
  void twoRounds() {
    String w = word();
    Node initiator = node();
    Node a = node(w);
    Node b = node(w);
    JsonObject started =
        ok(
            start(
                initiator,
                new JsonObject()
                    .put("title", w)
                    .put("body", "settle " + w)
                    .put("max_rounds", 2)
                    .put(
                        "config",
                        new JsonObject()
                            .put("timeout_per_round_ms", 1000)
                            .put("max_agents", 2)
                            .put("convergence_threshold", 1.0))));
    String id = started.getString("deliberation_id");
    ok(post(a, id, "respond", "a thinks", null));
    ok(post(b, id, "respond", "b thinks", null));
    // challenging ends by its deadline; in converging a asks for a revision, b says nothing
    until(a, "deliberation_phase");
    HubNodes.await(
        "converging", WITHIN, () -> "converging".equals(read(a, id).getString("status")));
    ok(
        post(
            a,
            id,
            "vote",
            new JsonObject().put("vote", "revise").put("confidence", 0.6),
            new JsonObject().put("round", 1)));
    List<JsonObject> seen = until(b, "deliberation_next_round");
    JsonObject next =
        seen.stream()
            .filter(e -> "deliberation_next_round".equals(e.getString("type")))
            .findFirst()
            .orElseThrow()
            .getJsonObject("payload");
    assertEquals(2, next.getInteger("round"));
    assertEquals(0.0, next.getDouble("convergence_score"), 1e-9, "one revise: no approve weight");
    assertEquals("diverging", next.getString("phase"));
    error(
        post(
            a,
            id,
            "vote",
            new JsonObject().put("vote", "approve"),
            new JsonObject().put("round", 1)),
        409,
        "invalid_phase_for_dialog_type");
    error(
        post(a, id, "respond", "late for round 1", new JsonObject().put("round", 1)),
        409,
        "invalid_phase_for_dialog_type");
    List<JsonObject> end = until(a, "deliberation_completed");
    JsonObject completed =
        end.stream()
            .filter(e -> "deliberation_completed".equals(e.getString("type")))
            .findFirst()
            .orElseThrow()
            .getJsonObject("payload");
    assertEquals(2, completed.getInteger("rounds"));
    assertEquals("no_decision", completed.getString("decision"), "round 2 had no vote");
    assertEquals(
        new JsonObject().put("approve", 0).put("reject", 0).put("revise", 0),
        completed.getJsonObject("votes"),
        "round 1's vote is not counted in round 2");
  }

  @Test
  @DisplayName("concurrent starts picking the same nodes all succeed (no deadlock on their rows)")
  void concurrentStarts() {
    String w = word();
    Node initiator = node();
    for (int i = 0; i < 3; i++) {
      node(w);
    }
    List<io.vertx.core.Future<RawHttp.Response>> starts = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      starts.add(
          http.postAsync(
              "/a2a/deliberation/start",
              initiator.secret(),
              new JsonObject()
                  .put("sender_id", initiator.id())
                  .put("title", w + " " + i)
                  .put("body", w)
                  .put("config", new JsonObject().put("max_agents", 3))));
    }
    io.vertx.core.Future.all(starts).await();
    for (io.vertx.core.Future<RawHttp.Response> start : starts) {
      assertEquals(3, ok(start.result()).getJsonArray("participants").size());
    }
  }

  @Test
  @DisplayName("bad input answers its 4xx with a correction and stores nothing")
  void badInput() {
    Node initiator = node();
    long before = count("a2a_deliberations");
    long sessions = count("sessions");
    long events = count("events");
    for (JsonObject body :
        List.of(
            new JsonObject().put("body", "no title"),
            new JsonObject().put("title", "t"),
            new JsonObject().put("title", "t").put("body", "b").put("mode", "chaos"),
            new JsonObject().put("title", "t").put("body", "b").put("max_rounds", 11),
            new JsonObject().put("title", "t").put("body", "b").put("min_agents", 0),
            new JsonObject().put("title", "t").put("body", "b").put("min_agents", 4),
            new JsonObject()
                .put("title", "t")
                .put("body", "b")
                .put("config", new JsonObject().put("timeout_per_round_ms", 999)),
            new JsonObject()
                .put("title", "t")
                .put("body", "b")
                .put("config", new JsonObject().put("convergence_threshold", 2)),
            new JsonObject()
                .put("title", "t")
                .put("body", "b")
                .put("config", new JsonObject().put("max_agents", 4)),
            new JsonObject().put("title", "t").put("body", "b").put("config", "big"))) {
      error(start(initiator, body), 400, "validation_error");
    }
    error(start(initiator, new JsonObject().put("task_id", "task_nope")), 404, "task_not_found");
    error(
        start(
            initiator,
            new JsonObject().put("title", "t").put("body", "b").put("session_id", "sess_nope")),
        404,
        "session_not_found");
    assertEquals(before, count("a2a_deliberations"));
    assertEquals(sessions, count("sessions"), "no backing session made");
    assertEquals(events, count("events"), "no event appended, no sequence used");
    error(
        http.get("/a2a/deliberation/delib_nope", initiator.secret()),
        404,
        "deliberation_not_found");
    error(post(initiator, "delib_nope", "respond", "x", null), 404, "deliberation_not_found");
    error(
        http.get("/a2a/dialog/history?deliberation_id=delib_nope", initiator.secret()),
        404,
        "deliberation_not_found");
  }
}
