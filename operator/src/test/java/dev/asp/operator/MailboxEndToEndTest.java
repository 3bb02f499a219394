package dev.asp.operator;

import static dev.asp.operator.HubNodes.error;
import static dev.asp.operator.HubNodes.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The mailbox (hub spec §10, §5.3, §5.6) through the real gateway against a real PostgreSQL,
 * replaying the official client's flow: it picks its own {@code node_<12 hex>} id, says hello as an
 * envelope, heartbeats with {@code meta.proxy_protocol_version}, sends every action through {@code
 * mailbox/outbound}, reads invites only as mailbox {@code collaboration_invite}, and acknowledges
 * what it read.
 */
@DisplayName("A2A mailbox, end to end")
class MailboxEndToEndTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String PROXY_VERSION = "1.0.0";
  private static OperatorHarness operator;
  private static RawHttp http;

  @BeforeAll
  static void start() {
    operator =
        OperatorHarness.start(
            TestDatabase.fresh(),
            Map.of(
                "ASP_A2A_HEARTBEAT_LIMIT",
                "1000",
                // the outbound route has its own body limit, above every other route's
                "ASP_MAX_BODY_BYTES",
                "16384",
                "ASP_A2A_MAILBOX_MAX_BYTES",
                "200000"));
    http = new RawHttp(operator.vertx, "127.0.0.1", operator.port());
  }

  @AfterAll
  static void stop() {
    http.close();
    operator.close();
  }

  record Node(String id, String secret) {
    String handle() {
      return "@a2a." + id;
    }
  }

  /** The official client's hello: an envelope with its self-chosen {@code node_<12 hex>} id. */
  static Node hello() {
    byte[] bytes = new byte[6];
    RANDOM.nextBytes(bytes);
    String chosen = "node_" + HexFormat.of().formatHex(bytes);
    JsonObject reply =
        ok(
            http.post(
                "/a2a/hello",
                null,
                new JsonObject()
                    .put("protocol", "gep-a2a")
                    .put("protocol_version", "1.0.0")
                    .put("message_type", "hello")
                    .put("message_id", "msg_" + chosen)
                    .put("sender_id", chosen)
                    .put("timestamp", "2026-03-27T10:00:00.000Z")
                    .put(
                        "payload",
                        new JsonObject()
                            .put("capabilities", new JsonObject().put("code", true))
                            .put("env_fingerprint", new JsonObject().put("os", "linux")))));
    JsonObject payload = reply.getJsonObject("payload");
    assertEquals(chosen, payload.getString("node_id"));
    return new Node(chosen, payload.getString("node_secret"));
  }

  static JsonObject message(String id, String type, JsonObject payload) {
    return new JsonObject()
        .put("id", id)
        .put("type", type)
        .put("payload", payload)
        .put("priority", "normal")
        .putNull("ref_id")
        .put("created_at", Instant.now().toString());
  }

  static RawHttp.Response outboundRaw(Node node, JsonArray messages) {
    return http.post(
        "/a2a/mailbox/outbound",
        node.secret(),
        new JsonObject()
            .put("sender_id", node.id())
            .put("proxy_protocol_version", PROXY_VERSION)
            .put("messages", messages));
  }

  /** Sends a batch and returns its results, checking the fields every result carries. */
  static List<JsonObject> outbound(Node node, JsonObject... messages) {
    JsonObject reply = ok(outboundRaw(node, new JsonArray(List.of((Object[]) messages))));
    List<JsonObject> results = new ArrayList<>();
    reply.getJsonArray("results").forEach(r -> results.add((JsonObject) r));
    assertEquals(messages.length, results.size(), reply.encode());
    assertEquals(messages.length, reply.getInteger("count"));
    for (int i = 0; i < messages.length; i++) {
      JsonObject result = results.get(i);
      assertEquals(messages[i].getValue("id"), result.getValue("id"), result.encode());
      assertEquals(messages[i].getValue("type"), result.getValue("original_type"));
      String status = result.getString("status");
      assertTrue(List.of("ok", "rejected", "failed").contains(status), result.encode());
      boolean terminal = !status.equals("failed");
      assertEquals(terminal, result.getBoolean("terminal"), result.encode());
      assertEquals(!terminal, result.getBoolean("retryable"), result.encode());
      if (status.equals("ok")) {
        assertNotNull(result.getJsonObject("response"), result.encode());
      } else {
        assertNotNull(result.getString("error"), result.encode());
        assertNotNull(result.getString("reason"), result.encode());
      }
      if (status.equals("failed")) {
        assertTrue(result.getLong("retry_after_ms") > 0, result.encode());
      }
    }
    return results;
  }

  static JsonObject inbound(Node node, String cursor, Integer limit) {
    JsonObject body =
        new JsonObject()
            .put("sender_id", node.id())
            .put("proxy_protocol_version", PROXY_VERSION)
            .put("cursor", cursor);
    if (limit != null) {
      body.put("limit", limit);
    }
    JsonObject reply = ok(http.post("/a2a/mailbox/inbound", node.secret(), body));
    assertTrue(reply.containsKey("next_cursor"));
    assertNotNull(reply.getBoolean("has_more"));
    for (Object item : reply.getJsonArray("messages")) {
      JsonObject m = (JsonObject) item;
      assertTrue(m.getString("id").startsWith("evt_"), m.encode());
      for (String field : List.of("id", "type", "payload", "priority", "ref_id", "expires_at")) {
        assertTrue(m.containsKey(field), field + " in " + m.encode());
      }
      assertTrue(List.of("high", "normal").contains(m.getString("priority")));
      assertTrue(m.getString("expires_at").matches("\\d{4}-\\d\\d-\\d\\dT.*\\.\\d{3}Z"));
    }
    return reply;
  }

  static List<JsonObject> messages(JsonObject inbound) {
    List<JsonObject> out = new ArrayList<>();
    inbound.getJsonArray("messages").forEach(m -> out.add((JsonObject) m));
    return out;
  }

  static int ack(Node node, List<String> ids) {
    JsonObject reply =
        ok(
            http.post(
                "/a2a/mailbox/ack",
                node.secret(),
                new JsonObject()
                    .put("sender_id", node.id())
                    .put("message_ids", new JsonArray(ids))));
    assertEquals("ok", reply.getString("status"));
    return reply.getInteger("acked");
  }

  static JsonObject status(Node node) {
    JsonObject reply = ok(http.get("/a2a/mailbox/status?node_id=" + node.id(), node.secret()));
    for (String field :
        List.of(
            "node_id",
            "pending",
            "delivered_unacked",
            "oldest_pending_at",
            "next_cursor",
            "last_pull_at")) {
      assertTrue(reply.containsKey(field), field + " in " + reply.encode());
    }
    assertFalse(reply.containsKey("mailbox_client"));
    assertEquals(node.id(), reply.getString("node_id"));
    return reply;
  }

  /** The official proxy's heartbeat: {@code meta.proxy_protocol_version} and the rest it sends. */
  static JsonObject heartbeat(Node node, boolean proxy) {
    JsonObject body =
        new JsonObject()
            .put("node_id", node.id())
            .put("sender_id", node.id())
            .put("node_secret_version", 1)
            .put("env_fingerprint", new JsonObject().put("os", "linux"));
    if (proxy) {
      body.put("meta", new JsonObject().put("proxy_protocol_version", PROXY_VERSION));
    }
    JsonObject beat = ok(http.post("/a2a/heartbeat", node.secret(), body));
    assertEquals("ok", beat.getString("status"));
    assertEquals(beat.getJsonArray("events"), beat.getJsonArray("pending_events"));
    return beat;
  }

  static long eventsOf(String session) {
    return operator.count("SELECT count(*) FROM events WHERE session_id = $1", session);
  }

  static long stored(Node node) {
    return operator.count(
        "SELECT count(*) FROM a2a_mailbox_results WHERE node = $1", node.handle());
  }

  static List<String> types(List<JsonObject> messages) {
    return messages.stream().map(m -> m.getString("type")).toList();
  }

  // --- the official client's flow

  @Test
  @DisplayName(
      "create → invite in the invitee's mailbox (not on its heartbeat) → join, message, dm → ack")
  void officialFlow() {
    Node a = hello();
    Node b = hello();
    heartbeat(b, true);

    List<JsonObject> created =
        outbound(
            a,
            message(
                "out-1",
                "session_create",
                new JsonObject()
                    .put("title", "Debug memory leak")
                    .put("description", "heap grows")
                    .put("invite_node_ids", new JsonArray().add(b.id()))
                    .put("max_participants", 5)));
    JsonObject createdResult = created.get(0);
    assertEquals("ok", createdResult.getString("status"), createdResult.encode());
    JsonObject response = createdResult.getJsonObject("response");
    String session = response.getString("session_id");
    assertTrue(session.startsWith("sess_"), response.encode());
    assertEquals(new JsonArray().add(b.id()), response.getJsonArray("invited"));
    assertEquals(new JsonArray(), response.getJsonArray("rejected_invites"));
    assertEquals(5, response.getInteger("max_participants"));

    // the proxy's heartbeat carries no events; it says the mailbox has something
    JsonObject beat = heartbeat(b, true);
    assertEquals(new JsonArray(), beat.getJsonArray("events"));
    assertTrue(beat.getBoolean("has_pending_events"), beat.encode());

    JsonObject first = inbound(b, null, null);
    List<JsonObject> invites = messages(first);
    assertEquals(List.of("collaboration_invite"), types(invites), first.encode());
    JsonObject invite = invites.get(0);
    assertEquals("high", invite.getString("priority"));
    assertEquals(session, invite.getString("ref_id"));
    assertEquals(session, invite.getJsonObject("payload").getString("session_id"));
    assertEquals("Debug memory leak", invite.getJsonObject("payload").getString("title"));
    assertEquals(a.id(), invite.getJsonObject("payload").getString("inviter_id"));
    assertEquals(a.id(), invite.getJsonObject("payload").getString("owner_id"));
    assertNotNull(first.getString("next_cursor"));
    assertFalse(first.getBoolean("has_more"));
    // the invitation's event is stored once in the log; it expires from the mailbox after the TTL
    Instant expires = Instant.parse(invite.getString("expires_at"));
    assertTrue(expires.isAfter(Instant.now().plusSeconds(6 * 24 * 3600)), expires.toString());

    // b pulled its mailbox: even a heartbeat without meta carries no events now
    JsonObject plain = heartbeat(b, false);
    assertEquals(new JsonArray(), plain.getJsonArray("events"));
    assertTrue(plain.getBoolean("has_pending_events"));

    // nothing is acknowledged implicitly: the same invite comes again from the oldest
    assertEquals(
        List.of(invite.getString("id")),
        messages(inbound(b, null, null)).stream().map(m -> m.getString("id")).toList());

    // the invitee joins, writes and sends a DM, all through the mailbox
    List<JsonObject> acted =
        outbound(
            b,
            message("b-join", "session_join", new JsonObject().put("session_id", session)),
            message(
                "b-msg",
                "session_message",
                new JsonObject()
                    .put("session_id", session)
                    .put("msg_type", "status")
                    .put("payload", new JsonObject().put("found", "leak in cache"))),
            message(
                "b-dm",
                "dm",
                new JsonObject()
                    .put("recipient_node_id", a.id())
                    .put("content", "ping")
                    .put("metadata", new JsonObject())));
    assertEquals("ok", acted.get(0).getString("status"), acted.get(0).encode());
    assertTrue(
        acted.get(0).getJsonObject("response").getJsonArray("participants").contains(b.id()));
    assertFalse(acted.get(0).getJsonObject("response").getBoolean("already_joined"));
    assertEquals("ok", acted.get(1).getString("status"), acted.get(1).encode());
    assertEquals("sent", acted.get(1).getJsonObject("response").getString("status"));
    assertNotNull(acted.get(1).getJsonObject("response").getLong("sequence"));
    JsonObject dm = acted.get(2);
    if (dm.getString("status").equals("ok")) {
      // direct messages are served (the DM work is deployed): §7's body
      assertEquals("sent", dm.getJsonObject("response").getString("status"));
      assertNotNull(dm.getJsonObject("response").getString("dm_id"));
    } else {
      // not yet: a transient failure, nothing stored, so the client retries it later
      assertEquals("failed", dm.getString("status"), dm.encode());
      assertEquals("server_busy", dm.getString("error"));
      assertEquals(
          0,
          operator.count(
              "SELECT count(*) FROM a2a_mailbox_results WHERE node = $1 AND id = 'b-dm'",
              b.handle()));
    }

    // the owner's mailbox: b's join and message as session events
    JsonObject ownerStatus = status(a);
    assertTrue(ownerStatus.getLong("pending") >= 2, ownerStatus.encode());
    assertEquals(0, ownerStatus.getLong("delivered_unacked"));
    assertNotNull(ownerStatus.getString("oldest_pending_at"));
    assertNull(ownerStatus.getValue("last_pull_at"));
    List<JsonObject> ownerMail = messages(inbound(a, null, null));
    List<JsonObject> sessionEvents =
        ownerMail.stream().filter(m -> m.getString("type").equals("session_event")).toList();
    assertEquals(
        List.of("session_joined", "session_message"),
        sessionEvents.stream()
            .map(m -> m.getJsonObject("payload").getString("event_type"))
            .toList(),
        ownerMail.toString());
    assertEquals(b.id(), sessionEvents.get(0).getJsonObject("payload").getString("node_id"));
    JsonObject said = sessionEvents.get(1).getJsonObject("payload");
    assertEquals(new JsonObject().put("found", "leak in cache"), said.getJsonObject("payload"));
    assertEquals(b.id(), said.getString("fromNodeId"));
    assertEquals("status", said.getString("msg_type"));
    for (JsonObject m : sessionEvents) {
      assertEquals("normal", m.getString("priority"));
      assertNull(m.getValue("ref_id"));
    }
    JsonObject read = status(a);
    assertEquals(0, read.getLong("pending"), read.encode());
    assertEquals(ownerMail.size(), read.getLong("delivered_unacked"));
    assertNotNull(read.getString("last_pull_at"));
    assertNotNull(read.getString("next_cursor"));

    // b acknowledges its invite: for good, once; its mailbox then shows nothing old
    assertEquals(1, ack(b, List.of(invite.getString("id"), "evt_unknown")));
    assertEquals(0, ack(b, List.of(invite.getString("id"))));
    assertEquals(0, ack(a, List.of(invite.getString("id")))); // not a's message: ignored
    JsonObject after = inbound(b, null, null);
    for (JsonObject m : messages(after)) {
      assertNotEquals(invite.getString("id"), m.getString("id"));
    }
    assertFalse(heartbeat(b, true).getBoolean("has_pending_events"));
    JsonObject bStatus = status(b);
    assertEquals(0, bStatus.getLong("pending"));
    assertEquals(0, bStatus.getLong("delivered_unacked"));
    assertNull(bStatus.getValue("oldest_pending_at"));

    // a acknowledges what it read, and nothing old comes again
    assertEquals(ownerMail.size(), ack(a, ownerMail.stream().map(m -> m.getString("id")).toList()));
    assertEquals(List.of(), messages(inbound(a, null, null)));
  }

  @Test
  @DisplayName(
      "session_delegate gives the invitee a task (high priority in its mailbox), session_submit"
          + " with a null asset id completes it, a retry applies nothing twice")
  void delegateAndSubmit() {
    Node a = hello();
    Node b = hello();
    String session =
        outbound(
                a,
                message(
                    "c-1",
                    "session_create",
                    new JsonObject()
                        .put("title", "delegated")
                        .put("invite_node_ids", new JsonArray().add(b.id()))))
            .get(0)
            .getJsonObject("response")
            .getString("session_id");
    assertEquals(
        "ok",
        outbound(b, message("j-1", "session_join", new JsonObject().put("session_id", session)))
            .get(0)
            .getString("status"));
    ack(b, messages(inbound(b, null, null)).stream().map(m -> m.getString("id")).toList());

    JsonObject delegate =
        message(
            "d-1",
            "session_delegate",
            new JsonObject()
                .put("session_id", session)
                .put("to_node_id", b.id())
                .put("title", "Profile heap")
                .put("description", "find what grows")
                .put("role", "profiler"));
    JsonObject delegated = outbound(a, delegate).get(0);
    assertEquals("ok", delegated.getString("status"), delegated.encode());
    assertEquals("session_delegate", delegated.getString("original_type"));
    JsonObject task = delegated.getJsonObject("response").getJsonArray("added").getJsonObject(0);
    assertEquals("profiler", task.getString("role"));
    assertEquals(b.id(), task.getString("assigned_to"));
    assertEquals("in_progress", task.getString("status"));
    // the same id again: the stored result, no second task
    assertEquals(delegated, outbound(a, delegate).get(0));
    assertEquals(
        1, operator.count("SELECT count(*) FROM a2a_tasks WHERE session_id = $1", session));

    List<JsonObject> mail = messages(inbound(b, null, null));
    JsonObject board =
        mail.stream()
            .filter(
                m -> "task_board_update".equals(m.getJsonObject("payload").getString("event_type")))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no board update in " + mail));
    assertEquals("high", board.getString("priority"), "a delegation to the reader");

    JsonObject submitted =
        outbound(
                b,
                message(
                    "s-1",
                    "session_submit",
                    new JsonObject()
                        .put("session_id", session)
                        .put("task_id", task.getString("task_id"))
                        .putNull("result_asset_id")
                        .put("summary", "the cache")))
            .get(0);
    assertEquals("ok", submitted.getString("status"), submitted.encode());
    JsonObject response = submitted.getJsonObject("response");
    assertEquals("completed", response.getString("status"));
    assertNull(response.getValue("result_asset_id"));
    assertEquals("converging", response.getString("session_status"), "its only task is done");
    JsonObject tooLong =
        outbound(
                b,
                message(
                    "s-2",
                    "session_submit",
                    new JsonObject()
                        .put("session_id", session)
                        .put("task_id", task.getString("task_id"))
                        .put("summary", "x".repeat(201))))
            .get(0);
    assertEquals("validation_error", tooLong.getString("error"), tooLong.encode());
  }

  @Test
  @DisplayName("inbound pages by cursor: above the cursor first, has_more, next_cursor")
  void cursorsAndLimits() {
    Node a = hello();
    Node b = hello();
    List<JsonObject> created = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      created.addAll(
          outbound(
              a,
              message(
                  "page-" + i,
                  "session_create",
                  new JsonObject()
                      .put("title", "t" + i)
                      .put("invite_node_ids", new JsonArray().add(b.id())))));
    }
    JsonObject one = inbound(b, null, 1);
    assertEquals(1, messages(one).size());
    assertTrue(one.getBoolean("has_more"));
    JsonObject two = inbound(b, one.getString("next_cursor"), 1);
    assertEquals(1, messages(two).size());
    assertNotEquals(messages(one).get(0).getString("id"), messages(two).get(0).getString("id"));
    JsonObject rest = inbound(b, two.getString("next_cursor"), 50);
    assertEquals(1, messages(rest).size());
    assertFalse(rest.getBoolean("has_more"));
    JsonObject none = inbound(b, rest.getString("next_cursor"), 50);
    assertEquals(List.of(), messages(none));
    assertEquals(rest.getString("next_cursor"), none.getString("next_cursor"));
    // cursor null: every unacknowledged one again, from the oldest
    assertEquals(3, messages(inbound(b, null, 50)).size());
    assertEquals(3, status(b).getLong("delivered_unacked"));
    // a bad cursor or limit is the request's 400
    error(
        http.post(
            "/a2a/mailbox/inbound", b.secret(), new JsonObject().put("cursor", "not-a-cursor")),
        400,
        "validation_error");
    error(
        http.post("/a2a/mailbox/inbound", b.secret(), new JsonObject().put("limit", 101)),
        400,
        "validation_error");
  }

  // --- idempotency

  @Test
  @DisplayName("a retried batch applies nothing twice and returns the same results")
  void retriedBatch() {
    Node a = hello();
    Node b = hello();
    JsonObject create =
        message(
            "retry-create",
            "session_create",
            new JsonObject()
                .put("title", "once")
                .put("invite_node_ids", new JsonArray().add(b.id())));
    long sessions = operator.count("SELECT count(*) FROM sessions");
    List<JsonObject> first = outbound(a, create);
    String session = first.get(0).getJsonObject("response").getString("session_id");
    assertEquals(sessions + 1, operator.count("SELECT count(*) FROM sessions"));
    JsonObject say =
        message(
            "retry-say",
            "session_message",
            new JsonObject().put("session_id", session).put("payload", "hi"));
    JsonObject bad = message("retry-bad", "session_create", new JsonObject().put("title", 42));
    List<JsonObject> second = outbound(a, create, say, bad);
    assertEquals(first.get(0), second.get(0));
    long events = eventsOf(session);
    long stored = stored(a);

    List<JsonObject> again = outbound(a, create, say, bad);
    assertEquals(second, again);
    assertEquals(sessions + 1, operator.count("SELECT count(*) FROM sessions"));
    assertEquals(events, eventsOf(session));
    assertEquals(stored, stored(a));
    // a stored rejection stays the answer even if the id now carries a good message
    List<JsonObject> fixed =
        outbound(a, message("retry-bad", "session_create", new JsonObject().put("title", "ok")));
    assertEquals(second.get(2), fixed.get(0));
    assertEquals(sessions + 1, operator.count("SELECT count(*) FROM sessions"));
  }

  @Test
  @DisplayName("two identical batches racing: each message applied once, both get the same results")
  void racingBatches() throws Exception {
    Node a = hello();
    Node b = hello();
    String session =
        outbound(
                a,
                message(
                    "race-setup",
                    "session_create",
                    new JsonObject()
                        .put("title", "race")
                        .put("invite_node_ids", new JsonArray().add(b.id()))))
            .get(0)
            .getJsonObject("response")
            .getString("session_id");
    long sessions = operator.count("SELECT count(*) FROM sessions");
    long events = eventsOf(session);
    JsonArray batch = new JsonArray();
    for (int i = 0; i < 5; i++) {
      batch.add(
          message(
              "race-msg-" + i,
              "session_message",
              new JsonObject().put("session_id", session).put("payload", "m" + i)));
    }
    batch.add(message("race-create", "session_create", new JsonObject().put("title", "raced")));
    List<CompletableFuture<JsonObject>> racers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      racers.add(CompletableFuture.supplyAsync(() -> ok(outboundRaw(a, batch))));
    }
    List<JsonObject> replies = new ArrayList<>();
    for (CompletableFuture<JsonObject> racer : racers) {
      replies.add(racer.get(30, TimeUnit.SECONDS));
    }
    for (JsonObject reply : replies) {
      for (Object result : reply.getJsonArray("results")) {
        // a racer may meet a key held by a transaction still running: it waits for its commit
        assertEquals("ok", ((JsonObject) result).getString("status"), reply.encode());
      }
      assertEquals(replies.get(0), reply);
    }
    assertEquals(events + 5, eventsOf(session));
    assertEquals(sessions + 1, operator.count("SELECT count(*) FROM sessions"));
  }

  // --- limits and bad input

  @Test
  @DisplayName("51 messages are a 413 and nothing is applied; a body over the mailbox limit too")
  void tooManyMessages() {
    Node a = hello();
    JsonArray batch = new JsonArray();
    for (int i = 0; i < 51; i++) {
      batch.add(message("many-" + i, "session_create", new JsonObject().put("title", "t")));
    }
    long sessions = operator.count("SELECT count(*) FROM sessions");
    error(outboundRaw(a, batch), 413, "payload_too_large");
    assertEquals(sessions, operator.count("SELECT count(*) FROM sessions"));
    assertEquals(0, stored(a));
    // the mailbox route's own body limit (200000 bytes in this test): beyond it, 413
    JsonArray big = new JsonArray();
    for (int i = 0; i < 30; i++) {
      big.add(
          message(
              "big-" + i,
              "session_create",
              new JsonObject().put("description", "x".repeat(9_000))));
    }
    error(outboundRaw(a, big), 413, "payload_too_large");
    assertEquals(sessions, operator.count("SELECT count(*) FROM sessions"));
    // within it, a batch larger than the general body limit (16384 here) is fine
    assertEquals(
        413,
        http.post(
                "/a2a/session/create",
                a.secret(),
                new JsonObject().put("title", "t").put("description", "x".repeat(20_000)))
            .status());
    JsonArray large = new JsonArray();
    for (int i = 0; i < 3; i++) {
      large.add(
          message(
              "large-" + i,
              "session_create",
              new JsonObject().put("title", "t").put("description", "x".repeat(9_000))));
    }
    outbound(a, large.stream().map(o -> (JsonObject) o).toArray(JsonObject[]::new));
  }

  @Test
  @DisplayName("bad messages are rejected for good (terminal), stored, and leave nothing else")
  void rejections() {
    Node a = hello();
    Node other = hello();
    long sessions = operator.count("SELECT count(*) FROM sessions");
    long events = operator.count("SELECT count(*) FROM events");
    List<JsonObject> results =
        outbound(
            a,
            message("r-type", "session_create", new JsonObject().put("title", 42)),
            message("r-nul", "session_create", new JsonObject().put("title", "a\u0000b")),
            message(
                "r-big",
                "session_message",
                new JsonObject()
                    .put("session_id", "sess_01HZZZZZZZZZZZZZZZZZZZZZZZ")
                    .put("payload", "x".repeat(20_000))),
            message("r-nosession", "session_join", new JsonObject().put("session_id", "sess_NOPE")),
            message("r-payload", "session_join", null).put("payload", "not an object"),
            message(
                "r-sender",
                "session_create",
                new JsonObject().put("sender_id", other.id()).put("title", "t")),
            message(
                "r-delegate",
                "session_delegate",
                new JsonObject().put("title", "profile").put("to_node_id", other.id())),
            message("r-submit", "session_submit", new JsonObject().put("task_id", "task_x")),
            message("r-unknown", "teleport", new JsonObject()),
            message(
                "r-self", "dm", new JsonObject().put("to_node_id", a.id()).put("content", "me")),
            message(
                "r-nobody",
                "dm",
                new JsonObject().put("to_node_id", "not a node").put("content", "x")));
    List<String> codes = results.stream().map(r -> r.getString("error")).toList();
    assertEquals(
        List.of(
            "validation_error",
            "validation_error",
            "payload_too_large",
            "session_not_found",
            "validation_error",
            "sender_mismatch",
            "validation_error",
            "validation_error",
            "unsupported_message_type",
            "validation_error",
            "node_not_found"),
        codes,
        results.toString());
    for (JsonObject result : results) {
      assertEquals("rejected", result.getString("status"), result.encode());
      assertTrue(result.getBoolean("terminal"));
      assertFalse(result.getBoolean("retryable"));
    }
    assertTrue(results.get(6).getString("reason").contains("session_id"), results.get(6).encode());
    assertEquals(sessions, operator.count("SELECT count(*) FROM sessions"));
    assertEquals(events, operator.count("SELECT count(*) FROM events"));
    // rejections are stored under their ids: a retry gets the same one
    assertEquals(results.size(), stored(a));
    assertEquals(
        results.get(0),
        outbound(a, message("r-type", "session_create", new JsonObject().put("title", 42))).get(0));

    // a message without a usable id is answered, never stored
    JsonObject noId =
        ok(outboundRaw(
                a,
                new JsonArray()
                    .add(new JsonObject().put("type", "session_create"))
                    .add("not an object")
                    .add(message("x".repeat(101), "session_create", new JsonObject()))))
            .getJsonArray("results")
            .getJsonObject(0);
    assertNull(noId.getValue("id"));
    assertEquals("rejected", noId.getString("status"));
    assertEquals("session_create", noId.getString("original_type"));
    assertEquals(results.size(), stored(a));
    assertEquals(sessions, operator.count("SELECT count(*) FROM sessions"));
  }

  @Test
  @DisplayName("every mailbox call needs the Bearer, and sender_id / node_id must name the caller")
  void authAndSender() {
    Node a = hello();
    Node other = hello();
    JsonObject empty = new JsonObject().put("messages", new JsonArray());
    error(http.post("/a2a/mailbox/outbound", null, empty), 401, "node_secret_required");
    error(http.post("/a2a/mailbox/inbound", null, new JsonObject()), 401, "node_secret_required");
    error(
        http.post("/a2a/mailbox/ack", null, new JsonObject().put("message_ids", new JsonArray())),
        401,
        "node_secret_required");
    error(http.get("/a2a/mailbox/status", null), 401, "node_secret_required");
    error(http.get("/a2a/mailbox/status", "0".repeat(64)), 403, "node_secret_invalid");
    error(
        http.post("/a2a/mailbox/outbound", a.secret(), empty.copy().put("sender_id", other.id())),
        403,
        "sender_mismatch");
    error(
        http.post("/a2a/mailbox/outbound?sender_id=" + other.id(), a.secret(), empty),
        403,
        "sender_mismatch");
    error(
        http.post(
            "/a2a/mailbox/inbound", a.secret(), new JsonObject().put("sender_id", other.id())),
        403,
        "sender_mismatch");
    error(
        http.post(
            "/a2a/mailbox/ack",
            a.secret(),
            new JsonObject().put("sender_id", other.id()).put("message_ids", new JsonArray())),
        403,
        "sender_mismatch");
    error(
        http.get("/a2a/mailbox/status?node_id=" + other.id(), a.secret()), 403, "sender_mismatch");
    // the batch's own shape: messages must be an array, an ack lists at most 500 strings
    error(
        http.post("/a2a/mailbox/outbound", a.secret(), new JsonObject().put("messages", "x")),
        400,
        "validation_error");
    error(
        http.send(
            HttpMethod.POST,
            "/a2a/mailbox/outbound",
            a.secret(),
            "application/json",
            "{\"sender_id\":\"\\u0000\",\"messages\":[]}"),
        400,
        "validation_error");
    JsonArray many = new JsonArray();
    for (int i = 0; i < 501; i++) {
      many.add("evt_" + i);
    }
    error(
        http.post("/a2a/mailbox/ack", a.secret(), new JsonObject().put("message_ids", many)),
        400,
        "validation_error");
    JsonObject none = ok(http.post("/a2a/mailbox/outbound", a.secret(), empty));
    assertEquals(new JsonArray(), none.getJsonArray("results"));
    assertEquals(0, none.getInteger("count"));
  }

  // --- the views keep separate positions; expiry

  @Test
  @DisplayName("a node that never pulled its mailbox gets its events on heartbeats, as before")
  void heartbeatOfOtherNodes() {
    Node a = hello();
    Node c = hello();
    outbound(
        a,
        message(
            "hb-create",
            "session_create",
            new JsonObject()
                .put("title", "hb")
                .put("invite_node_ids", new JsonArray().add(c.id()))));
    JsonObject beat = heartbeat(c, false);
    assertEquals(
        List.of("session_invite"),
        beat.getJsonArray("events").stream().map(e -> ((JsonObject) e).getString("type")).toList());
    assertTrue(beat.getBoolean("has_pending_events"));
    // the mailbox is a view of its own: the heartbeat took nothing from it
    JsonObject proxied = heartbeat(c, true);
    assertEquals(new JsonArray(), proxied.getJsonArray("events"));
    assertTrue(proxied.getBoolean("has_pending_events"));
    assertEquals(List.of("collaboration_invite"), types(messages(inbound(c, null, null))));
  }

  @Test
  @DisplayName("expired messages leave the mailbox view (the log keeps them)")
  void expiry() {
    Node a = hello();
    Node d = hello();
    String early =
        outbound(
                a,
                message(
                    "exp-1",
                    "session_create",
                    new JsonObject()
                        .put("title", "early")
                        .put("invite_node_ids", new JsonArray().add(d.id()))))
            .get(0)
            .getJsonObject("response")
            .getString("session_id");
    String late =
        outbound(
                a,
                message(
                    "exp-2",
                    "session_create",
                    new JsonObject()
                        .put("title", "late")
                        .put("invite_node_ids", new JsonArray().add(d.id()))))
            .get(0)
            .getJsonObject("response")
            .getString("session_id");
    // one invitation handed out and then aged past the TTL, the other aged before it is read
    List<JsonObject> read = messages(inbound(d, null, null));
    assertEquals(2, read.size());
    age(early);
    List<JsonObject> now = messages(inbound(d, null, null));
    assertEquals(List.of(late), now.stream().map(m -> m.getString("ref_id")).toList());
    age(late);
    assertEquals(List.of(), messages(inbound(d, null, null)));
    JsonObject status = status(d);
    assertEquals(0, status.getLong("pending"));
    assertEquals(0, status.getLong("delivered_unacked"));
    assertTrue(eventsOf(early) > 0);
  }

  /** Makes a session's events eight days old, as if the mailbox TTL (7 days) had passed. */
  private static void age(String session) {
    Pool pool = operator.db().pool(operator.vertx);
    try {
      pool.preparedQuery("UPDATE events SET created_at = created_at - $2 WHERE session_id = $1")
          .execute(Tuple.of(session, 8L * 24 * 3600 * 1000))
          .await();
    } finally {
      pool.close().await();
    }
  }
}
