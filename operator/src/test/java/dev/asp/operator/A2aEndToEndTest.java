package dev.asp.operator;

import static dev.asp.operator.HubNodes.error;
import static dev.asp.operator.HubNodes.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.client.AspClient;
import dev.asp.protocol.Event;
import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The A2A hub surface (hub spec §3–§6, §14) through the real gateway against a real PostgreSQL,
 * with requests shaped exactly as the known clients of §16 send them.
 */
@DisplayName("A2A hub, end to end")
class A2aEndToEndTest {
  private static final String HEX64 = "[0-9a-f]{64}";
  private static OperatorHarness operator;
  private static RawHttp http;

  @BeforeAll
  static void start() {
    operator =
        OperatorHarness.start(
            TestDatabase.fresh(),
            Map.of("ASP_A2A_HEARTBEAT_LIMIT", "1000", "ASP_A2A_POLL_MAX_WAIT_MS", "5000"));
    http = new RawHttp(operator.vertx, "127.0.0.1", operator.port());
  }

  @AfterAll
  static void stop() {
    http.close();
    operator.close();
  }

  /** A registered hub node: its id and secret. */
  record Node(String id, String secret) {
    String handle() {
      return "@a2a." + id;
    }
  }

  /** js-evomap-darwin's registration: an envelope hello without sender_id. */
  static Node hello() {
    JsonObject reply =
        http.post(
                "/a2a/hello",
                null,
                new JsonObject()
                    .put("protocol", "gep-a2a")
                    .put("protocol_version", "1.0.0")
                    .put("message_type", "hello")
                    .put("message_id", "msg_1")
                    .put("timestamp", "2026-03-27T10:00:00.000Z")
                    .put("payload", new JsonObject().put("capabilities", new JsonObject())))
            .json();
    JsonObject payload = reply.getJsonObject("payload");
    return new Node(payload.getString("your_node_id"), payload.getString("node_secret"));
  }

  static String createSession(Node owner, List<String> invitees) {
    JsonObject reply =
        ok(
            http.post(
                "/a2a/session/create",
                owner.secret(),
                new JsonObject()
                    .put("sender_id", owner.id())
                    .put("title", "Debug memory leak")
                    .put("invite_node_ids", new JsonArray(invitees))));
    return reply.getString("session_id");
  }

  static JsonObject poll(Node node, Long timeoutMs, String cursor) {
    JsonObject body = new JsonObject().put("node_id", node.id());
    if (timeoutMs != null) {
      body.put("timeout_ms", timeoutMs);
    }
    if (cursor != null) {
      body.put("cursor", cursor);
    }
    return ok(http.post("/a2a/events/poll", node.secret(), body));
  }

  /** The node's {@code asp.events.committed} count (0 before anything was committed). */
  static double committed() {
    var counter = operator.running.meterRegistry().find("asp.events.committed").counter();
    return counter == null ? 0 : counter.count();
  }

  static List<JsonObject> events(JsonObject poll) {
    List<JsonObject> events = new ArrayList<>();
    poll.getJsonArray("events").forEach(e -> events.add((JsonObject) e));
    return events;
  }

  // --- identity

  @Test
  @DisplayName("hello without sender_id registers a new hub node with a 64-hex secret, mirrored")
  void helloAssignsAnId() {
    JsonObject reply = ok(http.post("/a2a/hello", null, new JsonObject()));
    JsonObject payload = reply.getJsonObject("payload");
    for (JsonObject view : List.of(reply, payload)) {
      assertEquals("acknowledged", view.getString("status"));
      assertTrue(view.getString("your_node_id").matches("node_[0-9a-f]{24}"));
      assertEquals(view.getString("your_node_id"), view.getString("node_id"));
      assertEquals("@a2a." + view.getString("node_id"), view.getString("handle"));
      assertTrue(view.getString("node_secret").matches(HEX64));
      assertTrue(view.getBoolean("node_secret_issued"));
      assertEquals(1, view.getInteger("node_secret_version"));
      assertEquals("active", view.getString("node_secret_status"));
      assertTrue(view.getString("hub_node_id").matches("hub_[0-9a-f]{32}"));
      assertEquals(300000, view.getInteger("heartbeat_interval_ms"));
      assertEquals(3, view.getJsonObject("capability_profile").getInteger("level"));
      assertTrue(view.getJsonObject("capability_profile").containsKey("reputation"));
      assertNull(view.getJsonObject("capability_profile").getValue("reputation"));
      assertEquals("alive", view.getString("survival_status"));
      assertTrue(view.getString("server_time").matches("\\d{4}-\\d\\d-\\d\\dT.*\\.\\d{3}Z"));
      for (String omitted : List.of("credit_balance", "claim_code", "claim_url")) {
        assertFalse(view.containsKey(omitted), omitted);
      }
    }
  }

  @Test
  @DisplayName("the official client's hello: its own node id is adopted, and its secret works")
  void helloAdoptsTheClientsId() {
    String chosen = "node_" + Long.toHexString(System.nanoTime()) + "ab";
    JsonObject reply =
        ok(
            http.post(
                "/a2a/hello",
                null,
                new JsonObject()
                    .put("protocol", "gep-a2a")
                    .put("message_type", "hello")
                    .put("sender_id", chosen)
                    .put(
                        "payload",
                        new JsonObject().put("capabilities", new JsonObject().put("code", true)))));
    assertEquals(chosen, reply.getJsonObject("payload").getString("your_node_id"));
    String secret = reply.getJsonObject("payload").getString("node_secret");
    // the secret is an ordinary agent token: it works on the ASP surface too
    AspClient asp = operator.client(secret);
    assertNotNull(asp);
    JsonObject beat =
        ok(http.post("/a2a/heartbeat", secret, new JsonObject().put("node_id", chosen)));
    assertEquals("ok", beat.getString("status"));
    // used once, the id is claimed: a hello without the secret is refused with the body it reads
    JsonObject refused =
        error(
            http.post(
                "/a2a/hello",
                null,
                new JsonObject().put("message_type", "hello").put("sender_id", chosen)),
            403,
            "node_id_already_claimed");
    assertEquals("rejected", refused.getString("status"));
    assertEquals("node_id_already_claimed", refused.getString("reason"));
    assertEquals("rejected", refused.getJsonObject("payload").getString("status"));
    assertEquals("node_id_already_claimed", refused.getJsonObject("payload").getString("reason"));
  }

  @Test
  @DisplayName("heartbeat: ok with a valid secret, each credential case as §4 decides")
  void heartbeatOutcomes() {
    Node node = hello();
    JsonObject beat =
        ok(http.post("/a2a/heartbeat", node.secret(), new JsonObject().put("node_id", node.id())));
    assertEquals("ok", beat.getString("status"));
    assertTrue(beat.getBoolean("ok"));
    assertEquals(node.id(), beat.getString("your_node_id"));
    assertEquals("alive", beat.getString("survival_status"));
    assertEquals(300000, beat.getInteger("next_heartbeat_ms"));
    assertEquals(new JsonArray(), beat.getJsonArray("available_work"));
    assertEquals(new JsonArray(), beat.getJsonArray("overdue_tasks"));
    assertTrue(beat.getJsonArray("pending_events") != null && beat.getJsonArray("events") != null);
    assertTrue(
        beat.getJsonObject("payload").getJsonObject("capability_profile").getInteger("level") >= 2);
    assertFalse(beat.containsKey("force_update"));
    assertFalse(beat.containsKey("min_proxy_version"));

    Node other = hello();
    error(
        http.post("/a2a/heartbeat", node.secret(), new JsonObject().put("node_id", other.id())),
        403,
        "sender_mismatch");
    error(
        http.post("/a2a/heartbeat", null, new JsonObject().put("node_id", node.id())),
        401,
        "node_secret_required");
    error(
        http.post("/a2a/heartbeat", "f".repeat(64), new JsonObject().put("node_id", node.id())),
        403,
        "node_secret_invalid");
    error(
        http.post("/a2a/heartbeat", "f".repeat(64), new JsonObject()), 403, "node_secret_invalid");
    JsonObject unknown =
        ok(
            http.post(
                "/a2a/heartbeat", null, new JsonObject().put("node_id", "node_0000000000000000")));
    assertEquals("unknown_node", unknown.getString("status"));
    assertEquals(false, unknown.getBoolean("ok"));
    assertEquals("send POST /a2a/hello first", unknown.getString("message"));
  }

  // --- sessions and the pull view

  @Test
  @DisplayName(
      "create, join, broadcast and directed messages, and long-polls that see each event once")
  void sessionFlow() throws Exception {
    Node a = hello();
    Node b = hello();
    Node c = hello();
    JsonObject created =
        ok(
            http.post(
                "/a2a/session/create",
                a.secret(),
                new JsonObject()
                    .put("sender_id", a.id())
                    .put("topic", "Debug memory leak")
                    .put(
                        "participants",
                        new JsonArray()
                            .add(b.id())
                            .add(c.id())
                            .add("node_doesnotexist00")
                            .add("not a node"))));
    String session = created.getString("session_id");
    assertEquals(session, created.getString("id"));
    assertEquals("active", created.getString("status"));
    assertEquals("Debug memory leak", created.getString("title"));
    assertEquals(a.id(), created.getString("owner_id"));
    assertEquals(a.id(), created.getString("orchestrator_id"));
    assertEquals(new JsonArray().add(a.id()), created.getJsonArray("participants"));
    assertEquals(new JsonArray().add(b.id()).add(c.id()), created.getJsonArray("invited"));
    assertEquals(20, created.getInteger("max_participants"));
    assertEquals("public", created.getString("visibility"));
    JsonArray rejected = created.getJsonArray("rejected_invites");
    assertEquals(2, rejected.size());
    assertEquals("unavailable", rejected.getJsonObject(0).getString("reason"));

    // b's invitation is on its stream, once
    List<JsonObject> invite = events(poll(b, null, null));
    assertEquals(1, invite.size(), invite.toString());
    assertEquals("session_invite", invite.get(0).getString("type"));
    assertEquals("session_invite", invite.get(0).getString("event_type"));
    assertEquals(session, invite.get(0).getJsonObject("payload").getString("session_id"));
    assertEquals(a.id(), invite.get(0).getJsonObject("payload").getString("inviter_id"));
    assertEquals(b.id(), invite.get(0).getString("node_id"));

    for (Node joiner : List.of(b, c)) {
      JsonObject joined =
          ok(
              http.post(
                  "/a2a/session/join",
                  joiner.secret(),
                  new JsonObject().put("sender_id", joiner.id()).put("session_id", session)));
      assertEquals(false, joined.getBoolean("already_joined"));
      assertTrue(joined.getJsonArray("participants").contains(joiner.id()));
      assertNotNull(joined.getJsonObject("session_reminder").getString("your_role"));
    }
    JsonObject again =
        ok(http.post("/a2a/session/join", b.secret(), new JsonObject().put("session_id", session)));
    assertTrue(again.getBoolean("already_joined"));

    // b sees c join (its own join is not echoed); then a long-poll waits until a writes
    List<JsonObject> joins = events(poll(b, null, null));
    assertEquals(List.of("session_joined"), joins.stream().map(e -> e.getString("type")).toList());
    assertEquals(c.id(), joins.get(0).getJsonObject("payload").getString("node_id"));
    CompletableFuture<JsonObject> waiting =
        CompletableFuture.supplyAsync(() -> poll(b, 4000L, null));
    Thread.sleep(
        300); // let the poll reach its wait (a shorter wait would only make it return sooner)
    double committedBefore = committed();
    JsonObject sent =
        ok(
            http.post(
                "/a2a/session/message",
                a.secret(),
                new JsonObject()
                    .put("sender_id", a.id())
                    .put("session_id", session)
                    .put("payload", new JsonObject().put("plan", "profile heap"))));
    assertEquals("sent", sent.getString("status"));
    // A2A commits count on the node's meters like the session verticle's
    assertTrue(committed() >= committedBefore + 1, "asp.events.committed counts A2A commits");
    assertEquals(sent.getString("message_id"), sent.getString("id"));
    JsonObject woken = waiting.get(10, TimeUnit.SECONDS);
    List<String> types = events(woken).stream().map(e -> e.getString("type")).toList();
    assertEquals(List.of("session_message"), types);
    JsonObject message =
        events(woken).stream()
            .filter(e -> e.getString("type").equals("session_message"))
            .findFirst()
            .orElseThrow();
    assertEquals(
        new JsonObject().put("plan", "profile heap"),
        message.getJsonObject("payload").getValue("payload"));
    assertEquals(a.id(), message.getJsonObject("payload").getString("fromNodeId"));
    assertEquals("context_update", message.getJsonObject("payload").getString("msg_type"));

    // a directed a→b message: b sees it, c never does (poll and context), the sender's own is not
    // echoed
    ok(
        http.post(
            "/a2a/session/message",
            a.secret(),
            new JsonObject()
                .put("session_id", session)
                .put("to_node_id", b.id())
                .put("content", "for b only")));
    JsonObject bPoll = poll(b, null, woken.getString("next_cursor"));
    assertEquals(
        List.of("for b only"),
        events(bPoll).stream()
            .filter(e -> e.getString("type").equals("session_message"))
            .map(e -> e.getJsonObject("payload").getString("payload"))
            .toList());
    JsonObject cAll = poll(c, null, null);
    for (JsonObject event : events(cAll)) {
      assertNotEquals("for b only", event.getJsonObject("payload").getValue("payload"));
    }
    JsonObject cContext =
        ok(
            http.get(
                "/a2a/session/context?session_id=" + session + "&node_id=" + c.id(), c.secret()));
    for (Object item : cContext.getJsonArray("recent_messages")) {
      assertNotEquals("for b only", ((JsonObject) item).getValue("payload"));
    }
    JsonObject bContext =
        ok(
            http.get(
                "/a2a/session/context?session_id=" + session + "&node_id=" + b.id(), b.secret()));
    List<Object> bPayloads = new ArrayList<>();
    bContext
        .getJsonArray("recent_messages")
        .forEach(m -> bPayloads.add(((JsonObject) m).getValue("payload")));
    assertTrue(bPayloads.contains("for b only"), bPayloads.toString());
    assertEquals(
        new JsonObject().put("plan", "profile heap"), bContext.getJsonObject("shared_context"));
    // the ASP surface hides it from c as well
    List<Event> aspView = operator.client(c.secret()).events(session, null, 1000).await().events();
    for (Event event : aspView) {
      assertFalse(event.payload().encode().contains("for b only"));
    }

    // nothing repeats for a poll that resumes after what it got
    JsonObject empty = poll(b, null, bPoll.getString("next_cursor"));
    assertEquals(0, empty.getJsonArray("events").size(), empty.encode());
    assertEquals(bPoll.getString("next_cursor"), empty.getString("next_cursor"));
  }

  @Test
  @DisplayName(
      "back-to-back polls each get only what is new: a written batch is never handed out again")
  void backToBackPolls() {
    Node a = hello();
    Node b = hello();
    String session = createSession(a, List.of(b.id()));
    ok(http.post("/a2a/session/join", b.secret(), new JsonObject().put("session_id", session)));
    poll(b, null, null); // the invitation
    for (int i = 0; i < 30; i++) {
      ok(
          http.post(
              "/a2a/session/message",
              a.secret(),
              new JsonObject().put("session_id", session).put("payload", "m" + i)));
      List<Object> got =
          events(poll(b, null, null)).stream()
              .map(e -> e.getJsonObject("payload").getValue("payload"))
              .toList();
      assertEquals(List.of("m" + i), got);
    }
  }

  @Test
  @DisplayName(
      "a poll superseded by the node's next one answers at once, empty, with the highest cursor"
          + " the channel delivered")
  void supersededPoll() throws Exception {
    Node a = hello();
    Node b = hello();
    createSession(a, List.of(b.id()));
    JsonObject first = poll(b, null, null); // the invitation
    String delivered = first.getString("next_cursor");
    assertNotNull(delivered);
    CompletableFuture<JsonObject> waiting =
        CompletableFuture.supplyAsync(() -> poll(b, 4000L, null));
    Thread.sleep(300); // give the poll time to reach its wait: it must still be waiting then
    assertFalse(waiting.isDone(), "a long-poll with nothing to hand out waits");
    long started = System.nanoTime();
    poll(b, null, null);
    JsonObject superseded = waiting.get(10, TimeUnit.SECONDS);
    assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(3), "answered at once");
    assertEquals(new JsonArray(), superseded.getJsonArray("events"));
    assertEquals(delivered, superseded.getString("next_cursor"));
  }

  @Test
  @DisplayName("envelope poll without timeout_ms answers at once, in both places clients read")
  void envelopePoll() {
    Node node = hello();
    long started = System.nanoTime();
    JsonObject reply =
        ok(
            http.post(
                "/a2a/events/poll",
                node.secret(),
                new JsonObject()
                    .put("message_type", "events_poll")
                    .put("sender_id", node.id())
                    .put("payload", new JsonObject())));
    assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(3));
    assertEquals(new JsonArray(), reply.getJsonArray("events"));
    assertEquals(new JsonArray(), reply.getJsonObject("payload").getJsonArray("events"));
    assertEquals(0, reply.getInteger("count"));
    assertFalse(reply.getBoolean("has_more"));
  }

  // --- errors and bad input

  @Test
  @DisplayName(
      "bad input is a 400 with a correction and stores nothing; unknown routes are route_not_found")
  void badInput() {
    Node node = hello();
    long sessions = operator.count("SELECT count(*) FROM sessions");
    long events = operator.count("SELECT count(*) FROM events");
    error(
        http.send(
            HttpMethod.POST, "/a2a/session/create", node.secret(), "application/json", "[1,2]"),
        400,
        "validation_error");
    error(
        http.send(
            HttpMethod.POST, "/a2a/session/create", node.secret(), "application/json", "{not json"),
        400,
        "validation_error");
    error(
        http.send(
            HttpMethod.POST,
            "/a2a/session/create",
            node.secret(),
            "application/x-www-form-urlencoded",
            "title=x&sender_id=y"),
        400,
        "validation_error");
    error(
        http.post("/a2a/session/create", node.secret(), new JsonObject().put("title", "a\u0000b")),
        400,
        "validation_error");
    error(
        http.send(
            HttpMethod.POST,
            "/a2a/session/create",
            node.secret(),
            "application/json",
            "{\"title\":\"\\ud800\"}"),
        400,
        "validation_error");
    error(
        http.post(
            "/a2a/session/create",
            node.secret(),
            new JsonObject().put("sender_id", "x".repeat(10_000))),
        400,
        "validation_error");
    JsonObject typed =
        error(
            http.post("/a2a/session/create", node.secret(), new JsonObject().put("title", 42)),
            400,
            "validation_error");
    assertEquals("title", typed.getJsonArray("details").getJsonObject(0).getString("path"));
    JsonArray eleven = new JsonArray();
    for (int i = 0; i < 11; i++) {
      eleven.add("node_0000000000" + i);
    }
    error(
        http.post(
            "/a2a/session/create", node.secret(), new JsonObject().put("invite_node_ids", eleven)),
        400,
        "validation_error");
    error(http.post("/a2a/session/create", null, new JsonObject()), 401, "node_secret_required");
    error(
        http.post("/a2a/session/create", "0".repeat(64), new JsonObject()),
        403,
        "node_secret_invalid");
    Node other = hello();
    error(
        http.post(
            "/a2a/session/create", node.secret(), new JsonObject().put("sender_id", other.id())),
        403,
        "sender_mismatch");
    error(
        http.post(
            "/a2a/session/join", node.secret(), new JsonObject().put("session_id", "sess_NOPE")),
        404,
        "session_not_found");
    error(http.post("/a2a/nothing/here", node.secret(), new JsonObject()), 404, "route_not_found");
    error(http.get("/a2a/hello", null), 404, "route_not_found");
    assertEquals(sessions, operator.count("SELECT count(*) FROM sessions"));
    assertEquals(events, operator.count("SELECT count(*) FROM events"));

    String session = createSession(node, List.of());
    long before = operator.count("SELECT next_sequence FROM sessions WHERE id = $1", session);
    error(
        http.post(
            "/a2a/session/message",
            node.secret(),
            new JsonObject().put("session_id", session).put("payload", "x".repeat(20_000))),
        413,
        "payload_too_large");
    error(
        http.post(
            "/a2a/session/message",
            node.secret(),
            new JsonObject()
                .put("session_id", session)
                .put("to_node_id", other.id())
                .put("payload", "hi")),
        400,
        "validation_error");
    error(
        http.post(
            "/a2a/session/message",
            other.secret(),
            new JsonObject().put("session_id", session).put("payload", "hi")),
        403,
        "not_session_participant");
    assertEquals(
        before, operator.count("SELECT next_sequence FROM sessions WHERE id = $1", session));
  }

  @Test
  @DisplayName("session/list shows public sessions with string ids, without auth")
  void list() {
    Node node = hello();
    String session = createSession(node, List.of());
    JsonObject listed = ok(http.get("/a2a/session/list?limit=50", "garbage"));
    boolean found = false;
    for (Object item : listed.getJsonArray("sessions")) {
      JsonObject entry = (JsonObject) item;
      assertEquals("session", entry.getString("type"));
      assertNotNull(entry.getString("id"));
      found |= entry.getString("id").equals(session);
    }
    assertTrue(found);
    assertEquals(listed.getJsonArray("sessions").size(), listed.getInteger("count"));
  }

  @Test
  @DisplayName(
      "session_reminder.recent_updates looks back over the session's last 256 events, never its"
          + " whole history")
  void remindersLookBackOverAWindow() {
    Node a = hello();
    Node b = hello();
    Node c = hello();
    String session = createSession(a, List.of(b.id(), c.id()));
    for (Node node : List.of(b, c)) {
      ok(
          http.post(
              "/a2a/session/join",
              node.secret(),
              new JsonObject().put("sender_id", node.id()).put("session_id", session)));
    }
    // 260 messages b may not see: b's reminder passes over them; the joins lie beyond the window
    for (int i = 0; i < 260; i++) {
      ok(
          http.post(
              "/a2a/session/message",
              a.secret(),
              new JsonObject()
                  .put("session_id", session)
                  .put("to_node_id", c.id())
                  .put("content", "for c " + i)));
    }
    JsonObject sent =
        ok(
            http.post(
                "/a2a/session/message",
                b.secret(),
                new JsonObject().put("session_id", session).put("content", "b's own")));
    JsonArray updates = sent.getJsonObject("session_reminder").getJsonArray("recent_updates");
    assertEquals(1, updates.size(), updates.encode());
    assertTrue(updates.getString(0).startsWith(b.id() + " sent "), updates.encode());

    // within the window the same reminder shows what b may see, newest first
    JsonObject again =
        ok(
            http.post(
                "/a2a/session/message",
                c.secret(),
                new JsonObject().put("session_id", session).put("content", "c's own")));
    JsonArray cUpdates = again.getJsonObject("session_reminder").getJsonArray("recent_updates");
    assertEquals(5, cUpdates.size(), cUpdates.encode());
  }
}
