package dev.asp.operator;

import static dev.asp.operator.HubNodes.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /a2a/events/stream} (hub spec §5.5) through the real gateway against a real
 * PostgreSQL, read by a real SSE client ({@link SseReader}): the wire format, keepalive pings, the
 * duration, resuming by {@code Last-Event-ID} and {@code ?cursor}, one reader per channel, the
 * error bodies before streaming, and a client that goes away mid-batch.
 */
@DisplayName("A2A SSE event stream, end to end")
class SseEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final int POLL_LIMIT = 40;
  private static OperatorHarness operator;
  private static RawHttp http;
  private static HttpClient streams;
  private static int port;

  @BeforeAll
  static void start() {
    operator =
        OperatorHarness.start(
            TestDatabase.fresh(),
            Map.of(
                "ASP_A2A_SSE_KEEPALIVE_MS", "300",
                "ASP_A2A_SSE_MAX_MS", "30000",
                "ASP_A2A_POLL_MAX_WAIT_MS", "5000",
                "ASP_A2A_POLL_LIMIT", Integer.toString(POLL_LIMIT),
                "ASP_A2A_MAX_MESSAGE_CHARS", "1000000"));
    port = operator.port();
    http = new RawHttp(operator.vertx, "127.0.0.1", port);
    streams =
        operator.vertx.createHttpClient(
            new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(32));
  }

  @AfterAll
  static void stop() {
    streams.close().await();
    http.close();
    operator.close();
  }

  record Node(String id, String secret) {
    String handle() {
      return "@a2a." + id;
    }
  }

  /** Two nodes in one session: {@code a} created it, {@code b} joined. */
  record Pair(Node a, Node b, String session) {}

  static Node hello() {
    JsonObject reply = ok(http.post("/a2a/hello", null, new JsonObject()));
    return new Node(reply.getString("node_id"), reply.getString("node_secret"));
  }

  static Pair pair() {
    Node a = hello();
    Node b = hello();
    String session =
        ok(http.post(
                "/a2a/session/create",
                a.secret(),
                new JsonObject()
                    .put("title", "stream test")
                    .put("invite_node_ids", new JsonArray().add(b.id()))))
            .getString("session_id");
    ok(http.post("/a2a/session/join", b.secret(), new JsonObject().put("session_id", session)));
    settle(b);
    return new Pair(a, b, session);
  }

  static JsonObject poll(Node node, String cursor) {
    JsonObject body = new JsonObject().put("node_id", node.id());
    if (cursor != null) {
      body.put("cursor", cursor);
    }
    return ok(http.post("/a2a/events/poll", node.secret(), body));
  }

  /** Takes and acknowledges (by cursor) everything the node has, so a test starts clean. */
  static void settle(Node node) {
    JsonObject first = poll(node, null);
    String next = first.getString("next_cursor");
    if (next != null) {
      assertEquals(0, poll(node, next).getJsonArray("events").size());
    }
  }

  static void say(Node from, String session, Object payload) {
    ok(
        http.post(
            "/a2a/session/message",
            from.secret(),
            new JsonObject().put("session_id", session).put("payload", payload)));
  }

  static String streamUri(Node node, String query) {
    return "/a2a/events/stream?node_id=" + node.id() + (query == null ? "" : "&" + query);
  }

  static SseReader stream(Node node, String query, String lastEventId) {
    SseReader reader =
        SseReader.open(streams, port, streamUri(node, query), node.secret(), lastEventId, false);
    assertEquals(200, reader.status, reader.errorBody);
    return reader;
  }

  static List<Object> payloads(List<SseReader.Event> events) {
    List<Object> payloads = new ArrayList<>();
    for (SseReader.Event event : events) {
      payloads.add(event.json().getJsonObject("payload").getValue("payload"));
    }
    return payloads;
  }

  static List<Object> pollPayloads(JsonObject poll) {
    List<Object> payloads = new ArrayList<>();
    for (Object event : poll.getJsonArray("events")) {
      payloads.add(((JsonObject) event).getJsonObject("payload").getValue("payload"));
    }
    return payloads;
  }

  /** Two pings with no event between them: nothing more is coming now. */
  static void assertQuiet(SseReader reader) {
    for (int i = 0; i < 2; i++) {
      List<SseReader.Event> extra = reader.eventsUntil(SseReader::isPing, WAIT);
      assertEquals(List.of(), payloads(extra), "no further events");
    }
  }

  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(20); // polling a condition with a bounded wait, not synchronising on time
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  // --- the wire

  @Test
  @DisplayName(
      "200 text/event-stream, retry first, then one frame per event: id = cursor, data = envelope")
  void framesInOrder() {
    Pair p = pair();
    try (SseReader reader = stream(p.b(), "duration_ms=20000", null)) {
      assertTrue(reader.header("Content-Type").startsWith("text/event-stream"));
      assertEquals("no-cache", reader.header("Cache-Control"));
      assertEquals("chunked", reader.header("Transfer-Encoding"));
      say(p.a(), p.session(), "one");
      say(p.a(), p.session(), new JsonObject().put("step", 2));
      say(p.a(), p.session(), "three");
      List<SseReader.Event> events = reader.events(3, WAIT);
      assertEquals(
          List.of("one", new JsonObject().put("step", 2), "three"), payloads(events), "in order");
      long lastCursor = -1;
      long lastSequence = -1;
      for (SseReader.Event event : events) {
        JsonObject envelope = event.json();
        assertEquals(envelope.getString("cursor"), event.id(), "id is the cursor");
        assertTrue(Long.parseLong(event.id()) > lastCursor);
        lastCursor = Long.parseLong(event.id());
        assertTrue(envelope.getLong("sequence") > lastSequence);
        lastSequence = envelope.getLong("sequence");
        assertEquals("session_message", envelope.getString("type"));
        assertEquals("session_message", envelope.getString("event_type"));
        assertEquals(p.b().id(), envelope.getString("node_id"));
        assertEquals(p.session(), envelope.getString("session_id"));
        assertTrue(envelope.getString("event_id").startsWith("evt_"));
        assertTrue(envelope.getString("created_at").endsWith("Z"));
        assertEquals(p.a().id(), envelope.getJsonObject("payload").getString("fromNodeId"));
      }
      assertEquals("retry: 5000", reader.lines.get(0), "retry comes first");
      for (String line : reader.lines) {
        assertFalse(line.startsWith("event:"), "no event: field, so onmessage gets every event");
      }
    }
  }

  @Test
  @DisplayName("an idle stream gets a ': ping' comment every keepalive interval")
  void pings() {
    Node node = hello();
    try (SseReader reader = stream(node, null, null)) {
      for (int i = 0; i < 3; i++) {
        assertEquals(List.of(), reader.eventsUntil(SseReader::isPing, WAIT));
      }
      assertTrue(reader.lines.contains(": ping"), reader.lines.toString());
    }
  }

  @Test
  @DisplayName("duration_ms ends the stream cleanly; a larger one than the maximum is capped")
  void durationEndsTheStream() {
    Node node = hello();
    long started = System.nanoTime();
    try (SseReader reader = stream(node, "duration_ms=1200", null)) {
      assertEquals(List.of(), reader.untilEnd(WAIT));
      long elapsedMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
      assertTrue(elapsedMs >= 1200, "ended after " + elapsedMs + " ms");
    }
    // capped to ASP_A2A_SSE_MAX_MS, not refused: an EventSource could not read a refusal
    try (SseReader capped = stream(node, "duration_ms=999999999", null)) {
      assertEquals(List.of(), capped.eventsUntil(SseReader::isPing, WAIT));
    }
  }

  @Test
  @DisplayName("the hello capability profile lists the stream at level 1")
  void profileListsTheStream() {
    JsonObject reply = ok(http.post("/a2a/hello", null, new JsonObject()));
    assertTrue(
        reply
            .getJsonObject("capability_profile")
            .getJsonArray("endpoints")
            .contains("GET /a2a/events/stream"));
  }

  // --- positions: resuming, the implicit rule, one reader per channel

  @Test
  @DisplayName(
      "reconnecting with Last-Event-ID gets exactly the events after it: none repeated, none lost")
  void resumeWithLastEventId() {
    Pair p = pair();
    String last;
    try (SseReader first = stream(p.b(), null, null)) {
      say(p.a(), p.session(), "m1");
      say(p.a(), p.session(), "m2");
      say(p.a(), p.session(), "m3");
      List<SseReader.Event> events = first.events(3, WAIT);
      assertEquals(List.of("m1", "m2", "m3"), payloads(events));
      last = events.get(2).id();
    } // the client goes away
    say(p.a(), p.session(), "m4");
    say(p.a(), p.session(), "m5");
    try (SseReader again = stream(p.b(), null, last)) {
      List<SseReader.Event> events = again.events(2, WAIT);
      assertEquals(List.of("m4", "m5"), payloads(events));
      for (SseReader.Event event : events) {
        assertTrue(Long.parseLong(event.id()) > Long.parseLong(last));
      }
      assertQuiet(again);
    }
  }

  @Test
  @DisplayName(
      "?cursor acknowledges exactly up to it (rows above come again first, same cursors);"
          + " without one, the stream acknowledges what the last poll wrote")
  void cursorAndImplicitRule() {
    Pair p = pair();
    say(p.a(), p.session(), "c1");
    say(p.a(), p.session(), "c2");
    say(p.a(), p.session(), "c3");
    JsonObject polled = poll(p.b(), null);
    assertEquals(List.of("c1", "c2", "c3"), pollPayloads(polled));
    JsonArray polledEvents = polled.getJsonArray("events");
    String c1 = polledEvents.getJsonObject(0).getString("cursor");
    try (SseReader reader = stream(p.b(), "cursor=" + c1, null)) {
      List<SseReader.Event> again = reader.events(2, WAIT);
      assertEquals(List.of("c2", "c3"), payloads(again));
      for (int i = 0; i < 2; i++) {
        JsonObject before = polledEvents.getJsonObject(i + 1);
        assertEquals(before.getString("cursor"), again.get(i).id(), "the same delivery number");
        assertEquals(before.getString("event_id"), again.get(i).json().getString("event_id"));
      }
      say(p.a(), p.session(), "c4");
      assertEquals(List.of("c4"), payloads(reader.events(1, WAIT)));
      assertQuiet(reader);
    }

    // the implicit rule: a poll's written rows are acknowledged by the stream that follows it
    Pair q = pair();
    say(q.a(), q.session(), "i1");
    assertEquals(List.of("i1"), pollPayloads(poll(q.b(), null)));
    await(
        "the poll's rows reported written",
        () ->
            operator.count(
                    "SELECT count(*) FROM a2a_deliveries WHERE node = $1 AND NOT written",
                    q.b().handle())
                == 0);
    try (SseReader reader = stream(q.b(), null, null)) {
      say(q.a(), q.session(), "i2");
      assertEquals(List.of("i2"), payloads(reader.events(1, WAIT)), "i1 is not repeated");
    }
  }

  @Test
  @DisplayName("a poll of the same node supersedes an open stream, and so does a second stream")
  void supersededStreamsEnd() {
    Pair p = pair();
    try (SseReader reader = stream(p.b(), null, null)) {
      JsonObject polled = poll(p.b(), null);
      assertEquals(0, polled.getJsonArray("events").size());
      assertEquals(List.of(), reader.untilEnd(WAIT), "the stream ends");
      // nothing is lost: the newer reader gets what comes next
      say(p.a(), p.session(), "after");
      assertEquals(List.of("after"), pollPayloads(poll(p.b(), null)));
    }
    try (SseReader older = stream(p.b(), null, null)) {
      try (SseReader newer = stream(p.b(), null, null)) {
        assertEquals(List.of(), older.untilEnd(WAIT), "the older stream ends");
        say(p.a(), p.session(), "to the newer");
        assertEquals(List.of("to the newer"), payloads(newer.events(1, WAIT)));
      }
    }
  }

  @Test
  @DisplayName("a node shutting down ends its open streams and is not held up by them")
  void shutdownEndsStreams() {
    OperatorHarness node = OperatorHarness.start(TestDatabase.fresh());
    RawHttp nodeHttp = new RawHttp(node.vertx, "127.0.0.1", node.port());
    HttpClient client = operator.vertx.createHttpClient();
    try {
      JsonObject hello = nodeHttp.post("/a2a/hello", null, new JsonObject()).json();
      Node n = new Node(hello.getString("node_id"), hello.getString("node_secret"));
      SseReader reader =
          SseReader.open(client, node.port(), streamUri(n, null), n.secret(), null, false);
      assertEquals(200, reader.status, reader.errorBody);
      long started = System.nanoTime();
      nodeHttp.close();
      node.close();
      assertTrue(
          Duration.ofNanos(System.nanoTime() - started).compareTo(WAIT) < 0, "closed in time");
      while (!(reader.next(WAIT) instanceof SseReader.End)) {
        // frames or pings written before the end; the end must come
      }
    } finally {
      client.close().await();
    }
  }

  @Test
  @DisplayName(
      "a client gone mid-batch: the frames not written in full come again in the next poll")
  void clientGoneMidBatch() throws IOException {
    Pair p = pair();
    // more than a loopback connection can buffer (the kernel's send buffer grows to 4 MiB), so
    // the batch's last writes are still pending when the client goes away
    int count = 8;
    for (int i = 1; i <= count; i++) {
      say(p.a(), p.session(), "big-" + i + ":" + "x".repeat(900_000));
    }
    long firstId;
    // a client that stops reading: a plain socket with a small receive buffer, which reads only
    // the head of the response and then nothing more
    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(4096);
      // past the recording relay, whose buffers would absorb the backpressure this test needs
      socket.connect(new InetSocketAddress("127.0.0.1", operator.directPort()), 5000);
      socket.setSoTimeout((int) WAIT.toMillis());
      socket
          .getOutputStream()
          .write(
              ("GET "
                      + streamUri(p.b(), null)
                      + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                      + "Authorization: Bearer "
                      + p.b().secret()
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String head = readUntilIdLine(socket.getInputStream());
      assertTrue(head.startsWith("HTTP/1.1 200"), head);
      firstId = Long.parseLong(head.substring(head.indexOf("\nid: ") + 5, head.length() - 1));
      assertEquals(
          count,
          operator.count(
              "SELECT count(*) FROM a2a_deliveries WHERE node = $1 AND NOT written",
              p.b().handle()),
          "the whole batch was handed to the stream, and it is not written yet");
      socket.setSoLinger(true, 0); // the client goes away mid-batch (a reset, at once)
    }
    JsonObject polled = poll(p.b(), null);
    JsonArray again = polled.getJsonArray("events");
    int k = again.size();
    assertTrue(k >= 1, "the frames that were not written come again");
    // what comes again is the batch's tail, in order, under the numbers the stream gave it; the
    // frames before it were written in full to the connection (delivered, as a poll's response)
    for (int i = 0; i < k; i++) {
      JsonObject event = again.getJsonObject(i);
      int n = count - k + i + 1;
      assertEquals(
          "big-" + n + ":",
          event.getJsonObject("payload").getString("payload").substring(0, 6),
          "in order");
      assertEquals(Long.toString(firstId + n - 1), event.getString("cursor"));
    }
    assertEquals(
        0,
        operator.count("SELECT count(*) FROM a2a_deliveries WHERE node = $1", p.b().handle()) - k,
        "every other row of the batch was acknowledged: none is lost, none left behind");
  }

  /** Reads the response until the first {@code id:} line is complete; returns what was read. */
  private static String readUntilIdLine(InputStream in) throws IOException {
    StringBuilder text = new StringBuilder();
    byte[] buffer = new byte[1];
    while (true) {
      if (in.read(buffer) < 0) {
        throw new AssertionError("the stream closed early: " + text);
      }
      text.append((char) buffer[0]);
      int id = text.indexOf("\nid: ");
      if (id >= 0 && text.charAt(text.length() - 1) == '\n' && text.length() > id + 6) {
        return text.toString();
      }
      if (text.length() > 64 * 1024) {
        throw new AssertionError("no id line in the first 64 KiB");
      }
    }
  }

  // --- refusals before streaming

  static JsonObject refused(SseReader reader, int status, String code) {
    assertEquals(status, reader.status, reader.errorBody);
    assertTrue(reader.headers.get("Content-Type").startsWith("application/json"));
    JsonObject body = new JsonObject(reader.errorBody);
    assertEquals(code, body.getString("error"), body.encode());
    assertNotNull(body.getString("message"));
    assertNotNull(body.getJsonObject("correction").getString("fix"));
    return body;
  }

  @Test
  @DisplayName("401/403 and bad parameters are A2A error bodies, not streams, and store nothing")
  void refusals() {
    // its own client: a shared pool may still hold connections of streams other tests left open
    HttpClient fresh = operator.vertx.createHttpClient();
    try {
      refusalsWith(fresh);
    } finally {
      fresh.close().await();
    }
  }

  private void refusalsWith(HttpClient fresh) {
    Node node = hello();
    Node other = hello();
    String uri = streamUri(node, null);
    refused(SseReader.open(fresh, port, uri, null, null, false), 401, "node_secret_required");
    refused(
        SseReader.open(fresh, port, uri + "&node_secret=" + node.secret(), null, null, false),
        401,
        "node_secret_required");
    refused(
        SseReader.open(fresh, port, uri, "0".repeat(64), null, false), 403, "node_secret_invalid");
    refused(
        SseReader.open(fresh, port, streamUri(other, null), node.secret(), null, false),
        403,
        "sender_mismatch");
    for (String duration : List.of("abc", "0", "-5", "1.5", "99999999999999999999")) {
      JsonObject body =
          refused(
              SseReader.open(
                  fresh,
                  port,
                  streamUri(node, "duration_ms=" + duration),
                  node.secret(),
                  null,
                  false),
              400,
              "validation_error");
      assertEquals("duration_ms", body.getJsonArray("details").getJsonObject(0).getString("path"));
    }
    refused(
        SseReader.open(fresh, port, uri, node.secret(), "not-a-cursor", false),
        400,
        "validation_error");
    refused(
        SseReader.open(fresh, port, streamUri(node, "cursor=-1"), node.secret(), null, false),
        400,
        "validation_error");
    refused(
        SseReader.open(
            fresh,
            port,
            "/a2a/events/stream?node_id=" + "n".repeat(300),
            node.secret(),
            null,
            false),
        400,
        "validation_error");
    assertEquals(
        0, operator.count("SELECT count(*) FROM a2a_channels WHERE node = $1", node.handle()));
    assertEquals(
        0, operator.count("SELECT count(*) FROM a2a_views WHERE node = $1", node.handle()));
    RawHttp.Response post =
        http.send(HttpMethod.POST, "/a2a/events/stream", node.secret(), null, null);
    assertEquals(404, post.status());
    assertEquals("route_not_found", post.json().getString("error"));
  }

  @Test
  @DisplayName("stream openings count with polls against the poll limit: 429 before streaming")
  void rateLimited() {
    Node node = hello();
    for (int i = 0; i < POLL_LIMIT - 1; i++) {
      poll(node, null);
    }
    try (SseReader last = stream(node, null, null)) {
      assertEquals(200, last.status);
    }
    SseReader refused =
        SseReader.open(streams, port, streamUri(node, null), node.secret(), null, false);
    JsonObject body = refused(refused, 429, "rate_limited");
    assertNotNull(refused.headers.get("Retry-After"));
    assertTrue(body.getLong("retry_after_ms") > 0);
    assertEquals(POLL_LIMIT, body.getJsonObject("policy").getInteger("limit"));
    RawHttp.Response poll =
        http.post("/a2a/events/poll", node.secret(), new JsonObject().put("node_id", node.id()));
    assertEquals(429, poll.status(), "a poll is refused too: they share the bucket");
  }
}
