package dev.asp.operator;

import static dev.asp.operator.HubNodes.error;
import static dev.asp.operator.HubNodes.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Direct messages (hub spec §7, §5.2 {@code direct_message}, §5.3 the {@code inbox} view, §18.9)
 * through the real gateway against a real PostgreSQL, with the request shapes js-evomap-darwin
 * sends and the fields it reads (§16).
 */
@DisplayName("A2A direct messages, end to end")
class DirectMessagesEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String ISO = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";
  private static OperatorHarness operator;
  private static RawHttp http;

  @BeforeAll
  static void start() {
    operator =
        OperatorHarness.start(
            TestDatabase.fresh(),
            Map.of("ASP_A2A_HEARTBEAT_LIMIT", "1000", "ASP_A2A_HELLO_LIMIT", "1000"));
    http = new RawHttp(operator.vertx, "127.0.0.1", operator.port());
  }

  @AfterAll
  static void stop() {
    http.close();
    operator.close();
  }

  /** A registered hub node (or an ASP agent, whose node id is its handle). */
  record Node(String id, String secret, String handle) {}

  /** js-evomap-darwin's registration: an envelope hello without sender_id. */
  static Node hello() {
    JsonObject reply =
        ok(
            http.post(
                "/a2a/hello",
                null,
                new JsonObject()
                    .put("protocol", "gep-a2a")
                    .put("message_type", "hello")
                    .put("payload", new JsonObject().put("capabilities", new JsonObject()))));
    JsonObject payload = reply.getJsonObject("payload");
    String id = payload.getString("your_node_id");
    return new Node(id, payload.getString("node_secret"), "@a2a." + id);
  }

  static Node aspAgent(String handle, String policy) {
    String token = operator.admin.createAgent(handle, policy, List.of()).await().token();
    return new Node(handle, token, handle);
  }

  /** js-evomap-darwin's DM: {@code {sender_id, to_node_id, payload:{…}}}. */
  static RawHttp.Response send(Node from, String to, Object payload) {
    return http.post(
        "/a2a/dm",
        from.secret(),
        new JsonObject().put("sender_id", from.id()).put("to_node_id", to).put("payload", payload));
  }

  static JsonObject dm(Node from, Node to, Object payload) {
    return ok(send(from, to.id(), payload));
  }

  /** js-evomap-darwin's read: {@code GET /a2a/dm/inbox?node_id=…}; {@code query} adds to it. */
  static JsonObject inbox(Node node, String query) {
    return ok(http.get("/a2a/dm/inbox?node_id=" + node.id() + query, node.secret()));
  }

  static List<JsonObject> messages(JsonObject inbox) {
    List<JsonObject> messages = new ArrayList<>();
    inbox.getJsonArray("messages").forEach(m -> messages.add((JsonObject) m));
    assertEquals(messages.size(), inbox.getInteger("count"));
    return messages;
  }

  static List<Object> payloads(JsonObject inbox) {
    return messages(inbox).stream().map(m -> m.getValue("payload")).toList();
  }

  /**
   * The gateway reports an inbox response written once it went out in full, after the client may
   * already have it; the next read acknowledges only rows reported by then. Waits (bounded) until
   * the report landed, as a client's next read normally comes much later.
   */
  static void awaitWritten(Node node) {
    long deadline = System.currentTimeMillis() + WAIT.toMillis();
    while (unwritten(node) > 0 && System.currentTimeMillis() < deadline) {
      operator.vertx.timer(10).await();
    }
    assertEquals(0, unwritten(node), "the inbox rows were reported written");
  }

  static long unwritten(Node node) {
    return operator.count(
        "SELECT count(*) FROM a2a_deliveries WHERE node = $1 AND view = 'inbox' AND NOT written",
        node.handle());
  }

  static long stored() {
    return operator.count(
        "SELECT (SELECT count(*) FROM sessions) + (SELECT count(*) FROM events)"
            + " + (SELECT count(*) FROM a2a_dm_pairs) + (SELECT count(*) FROM participants)");
  }

  static List<JsonObject> poll(Node node) {
    JsonObject reply =
        ok(
            http.post(
                "/a2a/events/poll", node.secret(), new JsonObject().put("node_id", node.id())));
    List<JsonObject> events = new ArrayList<>();
    reply.getJsonArray("events").forEach(e -> events.add((JsonObject) e));
    return events;
  }

  // --- sending and reading, as js-evomap-darwin does

  @Test
  @DisplayName(
      "a DM answers §7's reply, and the inbox returns it with every field, payload as sent")
  void sendAndRead() {
    Node a = hello();
    Node b = hello();
    JsonObject payload =
        new JsonObject()
            .put("kind", "offer")
            .put("price", 12.5)
            .put("items", new JsonArray().add("x").add(2));
    long before = System.currentTimeMillis() - 1000;
    JsonObject sent = dm(a, b, payload);
    assertTrue(sent.getString("dm_id").startsWith("msg_"), sent.encode());
    assertEquals(sent.getString("dm_id"), sent.getString("message_id"));
    assertEquals(sent.getString("dm_id"), sent.getString("id"));
    assertEquals("sent", sent.getString("status"));
    assertTrue(sent.getString("session_id").startsWith("sess_"));
    assertEquals(b.id(), sent.getString("to_node_id"));
    assertTrue(sent.getString("created_at").matches(ISO), sent.getString("created_at"));

    JsonObject read = inbox(b, "");
    List<JsonObject> messages = messages(read);
    assertEquals(1, messages.size(), read.encode());
    assertEquals(0, read.getLong("unread"));
    JsonObject message = messages.get(0);
    assertEquals(payload, message.getValue("payload"));
    assertEquals(payload, message.getValue("content"));
    assertEquals(a.id(), message.getString("sender_id"));
    assertEquals(a.id(), message.getString("from"));
    assertEquals(a.id(), message.getString("from_node_id"));
    assertEquals(a.id(), message.getString("fromNodeId"));
    assertEquals(b.id(), message.getString("to_node_id"));
    for (String id : List.of("id", "dm_id", "message_id")) {
      assertEquals(sent.getString("dm_id"), message.getString(id), id);
    }
    assertEquals(sent.getString("created_at"), message.getString("timestamp"));
    assertEquals(message.getString("timestamp"), message.getString("created_at"));
    assertTrue(message.containsKey("metadata"));
    assertNull(message.getValue("metadata"));
    assertEquals(false, message.getBoolean("read"));
    assertFalse(read.containsKey("numbers"), "delivery numbers stay inside the operator");

    // the stored message: a dm session of the pair, private, for two, the recipient hub-joined
    String session = sent.getString("session_id");
    assertEquals(
        1,
        operator.count(
            "SELECT count(*) FROM sessions WHERE id = $1 AND kind = 'dm' AND visibility = 'private'"
                + " AND max_participants = 2 AND created_by = $2 AND created_at >= $3",
            session,
            a.handle(),
            before));
    assertEquals(
        2,
        operator.count(
            "SELECT count(*) FROM participants WHERE session_id = $1 AND status = 'joined'",
            session));

    // a string, a number and metadata come back exactly as well
    dm(a, b, "plain text");
    ok(
        http.post(
            "/a2a/dm",
            a.secret(),
            new JsonObject()
                .put("recipient_node_id", b.id())
                .put("content", 42)
                .put("metadata", new JsonObject().put("trace", "t-1"))));
    JsonObject more = inbox(b, "");
    assertEquals(List.of("plain text", 42), payloads(more));
    assertEquals(new JsonObject().put("trace", "t-1"), messages(more).get(1).getValue("metadata"));
  }

  @Test
  @DisplayName("every alias of the recipient and the body is taken, in §7's order")
  void aliases() {
    Node a = hello();
    Node b = hello();
    for (String field : List.of("to_node_id", "recipient_id", "recipient_node_id", "to")) {
      ok(
          http.post(
              "/a2a/dm",
              a.secret(),
              new JsonObject().put(field, b.id()).put("message", "via " + field)));
    }
    // content wins over message and payload
    ok(
        http.post(
            "/a2a/dm",
            a.secret(),
            new JsonObject()
                .put("to", b.id())
                .put("payload", "third")
                .put("message", "second")
                .put("content", "first")));
    assertEquals(
        List.of("via to_node_id", "via recipient_id", "via recipient_node_id", "via to", "first"),
        payloads(inbox(b, "&limit=100")));
  }

  @Test
  @DisplayName("a pair has one dm session, whichever side writes first")
  void onePerPair() {
    Node a = hello();
    Node b = hello();
    String first = dm(b, a, "b writes first").getString("session_id");
    String second = dm(a, b, "a answers").getString("session_id");
    assertEquals(first, second);
    assertEquals("b writes first", messages(inbox(a, "")).get(0).getValue("payload"));
    assertEquals("a answers", messages(inbox(b, "")).get(0).getValue("payload"));
    assertEquals(
        1,
        operator.count(
            "SELECT count(*) FROM a2a_dm_pairs WHERE session_id = $1 AND low = $2 AND high = $3",
            first,
            a.handle().compareTo(b.handle()) < 0 ? a.handle() : b.handle(),
            a.handle().compareTo(b.handle()) < 0 ? b.handle() : a.handle()));
    // another pair gets a session of its own
    Node c = hello();
    assertNotEquals(first, dm(a, c, "to c").getString("session_id"));
  }

  @Test
  @DisplayName("first DMs of one pair sent at the same moment end in one session")
  void concurrentFirstDms() throws Exception {
    int pairs = 6;
    List<Node[]> nodes = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      nodes.add(new Node[] {hello(), hello()});
    }
    CyclicBarrier start = new CyclicBarrier(pairs * 2);
    ExecutorService threads = Executors.newFixedThreadPool(pairs * 2);
    try {
      List<CompletableFuture<JsonObject>> replies = new ArrayList<>();
      for (Node[] pair : nodes) {
        for (int side = 0; side < 2; side++) {
          Node from = pair[side];
          Node to = pair[1 - side];
          replies.add(
              CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      start.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                    return dm(from, to, "hello from " + from.id());
                  },
                  threads));
        }
      }
      for (int i = 0; i < pairs; i++) {
        Node[] pair = nodes.get(i);
        String one =
            replies.get(2 * i).get(WAIT.toMillis(), TimeUnit.MILLISECONDS).getString("session_id");
        String other =
            replies
                .get(2 * i + 1)
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .getString("session_id");
        assertEquals(one, other, "both first DMs of a pair went to one session");
        assertEquals(
            1,
            operator.count(
                "SELECT count(*) FROM sessions WHERE kind = 'dm' AND created_by = ANY ($1)",
                (Object) new String[] {pair[0].handle(), pair[1].handle()}));
        // each side has the other's message, once
        assertEquals(List.of("hello from " + pair[1].id()), payloads(inbox(pair[0], "")));
        assertEquals(List.of("hello from " + pair[0].id()), payloads(inbox(pair[1], "")));
      }
    } finally {
      threads.shutdownNow();
    }
  }

  // --- the inbox view

  @Test
  @DisplayName(
      "the next inbox read acknowledges the last batch; include_read shows it again and"
          + " acknowledges nothing")
  void inboxDelivery() {
    Node a = hello();
    Node b = hello();
    for (String text : List.of("one", "two", "three")) {
      dm(a, b, text);
    }
    JsonObject first = inbox(b, "&limit=2");
    assertEquals(List.of("one", "two"), payloads(first));
    assertEquals(1, first.getLong("unread"));
    awaitWritten(b);

    // include_read: the newest DMs, oldest first, delivered ones marked read; nothing moves
    JsonObject all = inbox(b, "&include_read=true");
    assertEquals(List.of("one", "two", "three"), payloads(all));
    assertEquals(
        List.of(true, true, false), messages(all).stream().map(m -> m.getBoolean("read")).toList());
    assertEquals(1, all.getLong("unread"));
    JsonObject newest = inbox(b, "&include_read=true&limit=2");
    assertEquals(List.of("two", "three"), payloads(newest));

    // the next read acknowledges the first batch: only what it had not delivered comes
    JsonObject second = inbox(b, "");
    assertEquals(List.of("three"), payloads(second));
    assertEquals(false, messages(second).get(0).getBoolean("read"));
    assertEquals(0, second.getLong("unread"));
    awaitWritten(b);
    JsonObject third = inbox(b, "");
    assertEquals(List.of(), payloads(third));
    assertEquals(0, third.getLong("unread"));
    assertEquals(
        List.of(true, true, true),
        messages(inbox(b, "&include_read=1")).stream().map(m -> m.getBoolean("read")).toList());
    // the sender's inbox has none of its own DMs
    assertEquals(List.of(), payloads(inbox(a, "&include_read=true")));
    assertEquals(List.of(), payloads(inbox(a, "")));
  }

  @Test
  @DisplayName("the inbox carries DMs only: session messages and joins stay on the pull view")
  void inboxIsDmsOnly() {
    Node a = hello();
    Node b = hello();
    String session =
        ok(http.post(
                "/a2a/session/create",
                a.secret(),
                new JsonObject()
                    .put("title", "work")
                    .put("invite_node_ids", new JsonArray().add(b.id()))))
            .getString("session_id");
    ok(http.post("/a2a/session/join", b.secret(), new JsonObject().put("session_id", session)));
    ok(
        http.post(
            "/a2a/session/message",
            a.secret(),
            new JsonObject().put("session_id", session).put("payload", "in the session")));
    dm(a, b, "direct");
    JsonObject read = inbox(b, "");
    assertEquals(List.of("direct"), payloads(read));
    assertEquals(0, read.getLong("unread"));
    // and the pull view has both, independently of the inbox
    List<String> types = poll(b).stream().map(e -> e.getString("type")).toList();
    assertTrue(types.contains("session_message"), types.toString());
    assertTrue(types.contains("direct_message"), types.toString());
  }

  @Test
  @DisplayName(
      "the recipient's poll and heartbeat carry direct_message with §5.2's payload; the sender's"
          + " views do not echo it, and the hub-made invite and join are silent")
  void directMessageOnTheViews() {
    Node a = hello();
    Node b = hello();
    Node c = hello();
    JsonObject sent = dm(a, b, new JsonObject().put("q", "status?"));
    List<JsonObject> events = poll(b);
    assertEquals(List.of("direct_message"), events.stream().map(e -> e.getString("type")).toList());
    JsonObject event = events.get(0);
    assertEquals("direct_message", event.getString("event_type"));
    assertEquals(b.id(), event.getString("node_id"));
    assertEquals(sent.getString("session_id"), event.getString("session_id"));
    JsonObject payload = event.getJsonObject("payload");
    assertEquals(sent.getString("dm_id"), payload.getString("dm_id"));
    assertEquals(sent.getString("dm_id"), payload.getString("message_id"));
    assertEquals(a.id(), payload.getString("from_node_id"));
    assertEquals(a.id(), payload.getString("fromNodeId"));
    assertEquals(a.id(), payload.getString("sender_id"));
    assertEquals(b.id(), payload.getString("to_node_id"));
    assertEquals(new JsonObject().put("q", "status?"), payload.getValue("payload"));
    assertEquals(new JsonObject().put("q", "status?"), payload.getValue("content"));
    assertTrue(payload.containsKey("metadata"));
    assertEquals(sent.getString("created_at"), payload.getString("created_at"));
    // the sender's own DM is not on its poll
    assertEquals(List.of(), poll(a));

    // a heartbeat carries it too (a recipient that does not poll)
    dm(a, c, "ping");
    JsonObject beat =
        ok(http.post("/a2a/heartbeat", c.secret(), new JsonObject().put("node_id", c.id())));
    assertTrue(beat.getBoolean("has_pending_events"));
    JsonArray pending = beat.getJsonArray("pending_events");
    assertEquals(1, pending.size(), pending.encode());
    assertEquals("direct_message", pending.getJsonObject(0).getString("type"));
    assertEquals("ping", pending.getJsonObject(0).getJsonObject("payload").getValue("payload"));
    JsonObject own =
        ok(http.post("/a2a/heartbeat", a.secret(), new JsonObject().put("node_id", a.id())));
    assertEquals(new JsonArray(), own.getJsonArray("pending_events"));
  }

  @Test
  @DisplayName("hub nodes and ASP agents exchange DMs; an ASP agent's node id is its handle")
  void aspAgents() {
    Node node = hello();
    Node agent = aspAgent("@dmopen.bot", "open");
    JsonObject sent = dm(node, agent, "to an ASP agent");
    assertEquals("@dmopen.bot", sent.getString("to_node_id"));
    JsonObject read = inbox(agent, "");
    assertEquals(node.id(), messages(read).get(0).getString("sender_id"));
    assertEquals("@dmopen.bot", messages(read).get(0).getString("to_node_id"));
    dm(agent, node, "and back");
    assertEquals("@dmopen.bot", messages(inbox(node, "")).get(0).getString("from"));
  }

  @Test
  @DisplayName(
      "a side that left is joined again by the next DM, and an ended dm session is replaced")
  void leftAndEnded() {
    Node a = hello();
    Node b = hello();
    String session = dm(a, b, "first").getString("session_id");
    ok(http.post("/sessions/" + session + "/leave", b.secret(), new JsonObject()));
    assertEquals(
        1,
        operator.count(
            "SELECT count(*) FROM participants WHERE session_id = $1 AND handle = $2"
                + " AND status = 'left'",
            session,
            b.handle()));
    assertEquals(session, dm(a, b, "after b left").getString("session_id"));
    assertEquals(
        2,
        operator.count(
            "SELECT count(*) FROM participants WHERE session_id = $1 AND status = 'joined'",
            session));
    assertEquals(List.of("first", "after b left"), payloads(inbox(b, "")));

    // the sender itself left: its next DM joins it again as well
    ok(http.post("/sessions/" + session + "/leave", a.secret(), new JsonObject()));
    assertEquals(session, dm(a, b, "after a left").getString("session_id"));

    ok(http.post("/sessions/" + session + "/end", a.secret(), new JsonObject()));
    String replacement = dm(b, a, "after the end").getString("session_id");
    assertNotEquals(session, replacement);
    assertEquals(
        1, operator.count("SELECT count(*) FROM a2a_dm_pairs WHERE session_id = $1", replacement));
    assertEquals(dm(a, b, "again").getString("session_id"), replacement);
    awaitWritten(b);
    assertEquals(List.of("after a left", "again"), payloads(inbox(b, "")));
    assertEquals(List.of("after the end"), payloads(inbox(a, "")));
  }

  // --- refusals

  @Test
  @DisplayName(
      "a DM to yourself is 400; an unknown and a trust-denied recipient are the same 404;"
          + " an oversize one 413; none of them stores anything")
  void refusals() {
    Node a = hello();
    Node b = hello();
    Node closed = aspAgent("@dmclosed.bot", "allowlist");
    long before = stored();

    error(send(a, a.id(), "me"), 400, "validation_error");
    error(send(a, a.handle(), "me, by handle"), 400, "validation_error");
    JsonObject unknown = error(send(a, "node_doesnotexist00", "hi"), 404, "node_not_found");
    JsonObject denied = error(send(a, closed.id(), "hi"), 404, "node_not_found");
    assertEquals(unknown.getString("message"), denied.getString("message"));
    assertEquals(unknown.getJsonObject("correction"), denied.getJsonObject("correction"));
    error(send(a, "not a node", "hi"), 404, "node_not_found");
    error(send(a, b.id(), "x".repeat(20_000)), 413, "payload_too_large");
    error(
        http.post(
            "/a2a/dm",
            a.secret(),
            new JsonObject()
                .put("to_node_id", b.id())
                .put("payload", "hi")
                .put("metadata", new JsonObject().put("big", "y".repeat(20_000)))),
        413,
        "payload_too_large");
    assertEquals(before, stored());
  }

  @Test
  @DisplayName("bad input is a 400 (or the auth error) and stores nothing")
  void badInput() {
    Node a = hello();
    Node b = hello();
    long before = stored();
    error(
        http.post("/a2a/dm", a.secret(), new JsonObject().put("payload", "hi")),
        400,
        "validation_error");
    error(
        http.post("/a2a/dm", a.secret(), new JsonObject().put("to_node_id", b.id())),
        400,
        "validation_error");
    JsonObject typed =
        error(
            http.post(
                "/a2a/dm", a.secret(), new JsonObject().put("to_node_id", 42).put("payload", "x")),
            400,
            "validation_error");
    assertEquals("to_node_id", typed.getJsonArray("details").getJsonObject(0).getString("path"));
    error(
        http.post(
            "/a2a/dm",
            a.secret(),
            new JsonObject().put("to_node_id", b.id()).put("payload", "x").put("metadata", "no")),
        400,
        "validation_error");
    error(send(a, b.id(), "a\u0000b"), 400, "validation_error");
    error(
        http.send(
            HttpMethod.POST,
            "/a2a/dm",
            a.secret(),
            "application/json",
            "{\"to_node_id\":\"" + b.id() + "\",\"payload\":{\"k\":\"\\udc00\"}}"),
        400,
        "validation_error");
    error(
        http.send(HttpMethod.POST, "/a2a/dm", a.secret(), "application/json", "{nope"),
        400,
        "validation_error");
    error(
        http.post(
            "/a2a/dm",
            a.secret(),
            new JsonObject()
                .put("sender_id", b.id())
                .put("to_node_id", b.id())
                .put("payload", "x")),
        403,
        "sender_mismatch");
    error(
        http.post("/a2a/dm", null, new JsonObject().put("to_node_id", b.id()).put("payload", "x")),
        401,
        "node_secret_required");
    error(
        http.post(
            "/a2a/dm",
            "0".repeat(64),
            new JsonObject().put("to_node_id", b.id()).put("payload", "x")),
        403,
        "node_secret_invalid");

    // the inbox
    error(
        http.get("/a2a/dm/inbox?node_id=" + b.id() + "&limit=0", b.secret()),
        400,
        "validation_error");
    error(
        http.get("/a2a/dm/inbox?node_id=" + b.id() + "&limit=101", b.secret()),
        400,
        "validation_error");
    error(http.get("/a2a/dm/inbox?limit=ten", b.secret()), 400, "validation_error");
    error(http.get("/a2a/dm/inbox?include_read=maybe", b.secret()), 400, "validation_error");
    error(http.get("/a2a/dm/inbox?node_id=" + a.id(), b.secret()), 403, "sender_mismatch");
    error(http.get("/a2a/dm/inbox?node_id=" + b.id(), null), 401, "node_secret_required");
    error(http.post("/a2a/dm/inbox", b.secret(), new JsonObject()), 404, "route_not_found");
    error(http.get("/a2a/dm", b.secret()), 404, "route_not_found");
    assertEquals(before, stored());
    assertEquals(
        0,
        operator.count(
            "SELECT count(*) FROM a2a_views WHERE node = $1 AND view = 'inbox'", b.handle()));
  }

  @Test
  @DisplayName("hello lists both DM routes among the endpoints of level 1")
  void profileListsTheRoutes() {
    JsonObject reply = ok(http.post("/a2a/hello", null, new JsonObject()));
    JsonArray endpoints =
        reply
            .getJsonObject("payload")
            .getJsonObject("capability_profile")
            .getJsonArray("endpoints");
    assertTrue(endpoints.contains("POST /a2a/dm"), endpoints.encode());
    assertTrue(endpoints.contains("GET /a2a/dm/inbox"), endpoints.encode());
    // listed before the level-2 routes: a level-1 node may use them
    assertTrue(
        endpoints.getList().indexOf("GET /a2a/dm/inbox")
            < endpoints.getList().indexOf("POST /a2a/session/join"));
  }
}
