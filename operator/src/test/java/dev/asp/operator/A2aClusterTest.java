package dev.asp.operator;

import static dev.asp.operator.HubNodes.envelopePoll;
import static dev.asp.operator.HubNodes.error;
import static dev.asp.operator.HubNodes.events;
import static dev.asp.operator.HubNodes.flatPoll;
import static dev.asp.operator.HubNodes.keys;
import static dev.asp.operator.HubNodes.ok;
import static dev.asp.operator.HubNodes.poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.operator.HubNodes.Node;
import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One hub node's views across a cluster of three all-in-one nodes (real Hazelcast on loopback, one
 * PostgreSQL): its successive polls, its SSE streams resumed by {@code Last-Event-ID}, and its
 * mailbox inbounds and acks land on a different node each time while writers on every node send,
 * and it still sees every event once, in per-session order (hub spec §5.3, §5.5, §10, §17.4); a
 * poll superseded from another node answers at once and loses nothing; a mailbox batch sent again
 * on other nodes applies nothing twice; the rate limits are the cluster's, not a node's.
 */
@DisplayName("A2A pull views across a cluster of three nodes")
class A2aClusterTest {
  private static final int NODES = 3;
  private static final int MESSAGES_PER_WRITER = 8;
  private static final long MAX_WAIT_MS = 8000;

  /**
   * The round-robin's long-polls: short, because the last one may start just before the writers'
   * last answers arrive and then waits for nothing.
   */
  private static final long LONG_POLL_MS = 1500;

  /** Frames a one-batch stream's client keeps; it drops the rest of the batch unread. */
  private static final int KEPT = 2;

  /** A live stream's duration: it waits for the writers' commits, and is over soon after. */
  private static final long LIVE_STREAM_MS = 50;

  private static final int PACED_MESSAGES = 12;
  private static final long PACED_GAP_MS = 15;
  private static final int MAILBOX_LIMIT = 3;
  private static final int OUTBOUND_BATCHES = 4;
  private static final int OUTBOUND_BATCH = 2;
  private static final int POLL_LIMIT = 100;
  private static final int BACK_TO_BACK = 30;
  private static final Duration WITHIN = Duration.ofSeconds(30);
  private static final Map<String, String> SETTINGS =
      Map.of(
          "ASP_A2A_POLL_MAX_WAIT_MS", "" + MAX_WAIT_MS,
          "ASP_A2A_HEARTBEAT_LIMIT", "3",
          "ASP_A2A_HEARTBEAT_WINDOW_MS", "600000",
          "ASP_A2A_POLL_LIMIT", "" + POLL_LIMIT,
          "ASP_A2A_POLL_WINDOW_MS", "600000",
          "ASP_AUTH_CACHE_TTL_MS", "600000",
          // the polls must interleave with the writes they read, not gather them into one answer
          "ASP_A2A_POLL_LINGER_MS", "0");
  private static ClusterHarness cluster;

  @BeforeAll
  static void start() {
    cluster = new ClusterHarness(TestDatabase.fresh(), NODES);
    for (int i = 0; i < NODES; i++) {
      cluster.start(i, "gateway,session,trust,delivery", SETTINGS);
    }
    assertEquals(NODES, cluster.nodes.get(0).membership().liveNodes().size());
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
      "polls round-robin over the nodes, both forms, while every node writes: each event once,"
          + " in order, none missing")
  void roundRobinPolls() throws Exception {
    Node a = HubNodes.hello(http(0));
    Node b = HubNodes.hello(http(1));
    Node c = HubNodes.hello(http(2));
    String session = HubNodes.createSession(http(0), a, b, c);
    HubNodes.join(http(1), b, session);
    HubNodes.join(http(2), c, session);

    // three writers, one per node, plus b itself (its own messages stay out of its view)
    List<Future<Void>> writers = new ArrayList<>();
    writers.add(writeAll(http(0), a, session, "a@0"));
    writers.add(writeAll(http(1), c, session, "c@1"));
    writers.add(writeAll(http(2), a, session, "a@2"));
    writers.add(writeAll(http(0), b, session, "b@0"));
    Future<?> written = Future.all(writers);

    List<JsonObject> seen = new ArrayList<>();
    List<String> expected = null;
    int polls = 0;
    int pollsWhileWriting = 0;
    long deadline = System.nanoTime() + WITHIN.toNanos();
    while (expected == null || seen.size() < expected.size()) {
      assertTrue(System.nanoTime() < deadline, "saw " + keys(seen) + ", expected " + expected);
      if (expected == null && written.isComplete()) {
        assertTrue(written.succeeded(), "every message was answered 200: " + written.cause());
        expected = HubNodes.expectedView(http(1), b, session);
      }
      // a different node each time; flat with timeout_ms and envelope without, in turn
      JsonObject body =
          polls % 2 == 0 ? flatPoll(b, LONG_POLL_MS, null, 4) : envelopePoll(b, null, null, 4);
      seen.addAll(events(ok(poll(http(polls), b, body).await())));
      polls++;
      pollsWhileWriting += written.isComplete() ? 0 : 1;
    }
    assertEquals(expected, keys(seen), "every event once, in sequence order, over " + polls);
    assertTrue(pollsWhileWriting > 0, "the polls ran while the writers wrote");
    // and nothing comes again: the next poll (on the next node) acknowledges the last one
    JsonObject after = ok(poll(http(polls), b, flatPoll(b, null, null, null)).await());
    assertEquals(List.of(), keys(events(after)));
    assertEquals(seen.get(seen.size() - 1).getString("cursor"), after.getString("next_cursor"));
  }

  @Test
  @DisplayName(
      "back-to-back polls on the next node, each sent as soon as the last was read: a response"
          + " read in full is never handed out again")
  void backToBackPolls() {
    Node a = HubNodes.hello(http(0));
    Node b = HubNodes.hello(http(1));
    String session = HubNodes.createSession(http(0), a, b);
    HubNodes.join(http(1), b, session);
    List<Future<Long>> sent = new ArrayList<>();
    for (int i = 0; i < BACK_TO_BACK; i++) {
      sent.add(HubNodes.send(http(i), a, session, "m" + i));
    }
    Future.all(sent).await();
    List<String> expected = HubNodes.expectedView(http(1), b, session);

    // one event per poll, so every poll but the last acknowledges the one before it, which its
    // gateway may still be reporting when the client (on another node already) asks again
    List<JsonObject> seen = new ArrayList<>();
    for (int i = 0; i < expected.size() + 1; i++) {
      JsonObject body = i % 2 == 0 ? envelopePoll(b, null, null, 1) : flatPoll(b, null, null, 1);
      seen.addAll(events(ok(poll(http(i), b, body).await())));
    }
    assertEquals(expected, keys(seen));
  }

  @Test
  @DisplayName(
      "SSE resumed round-robin over the nodes with Last-Event-ID while every node writes: each"
          + " event once, in order, none missing")
  void sseResumeAcrossNodes() {
    Node a = HubNodes.hello(http(0));
    Node b = HubNodes.hello(http(1));
    Node c = HubNodes.hello(http(2));
    String session = HubNodes.createSession(http(0), a, b, c);
    HubNodes.join(http(1), b, session);
    HubNodes.join(http(2), c, session);
    // a backlog: the first stream's batch is larger than what its client keeps of it
    for (int i = 0; i < KEPT; i++) {
      HubNodes.send(http(i), a, session, "before #" + i).await();
    }
    List<Future<Void>> writers = new ArrayList<>();
    writers.add(writePaced(http(0), a, session, "a@0"));
    writers.add(writePaced(http(1), c, session, "c@1"));
    writers.add(writePaced(http(2), a, session, "a@2"));
    Future<?> written = Future.all(writers);

    HttpClient client = cluster.clients.createHttpClient();
    List<JsonObject> seen = new ArrayList<>();
    List<String> expected = null;
    String lastEventId = null;
    int streams = 0;
    int streamsWhileWriting = 0;
    int dropped = 0;
    boolean foundNothing = false;
    long deadline = System.nanoTime() + WITHIN.toNanos();
    try {
      while (expected == null || seen.size() < expected.size()) {
        assertTrue(System.nanoTime() < deadline, "saw " + keys(seen) + ", expected " + expected);
        if (expected == null && written.isComplete()) {
          assertTrue(written.succeeded(), "every message was answered 200: " + written.cause());
          expected = HubNodes.expectedView(http(1), b, session);
        }
        int node = streams % NODES;
        // mostly a stream that hands out one batch and ends, of which the client keeps only the
        // first frames (it stopped reading: the rest come again only if Last-Event-ID is
        // honoured); every fourth one, and after one that found nothing, a live one, read to its
        // end, that waits for the writers' commits (announced from the other nodes). With
        // duration_ms=1 the stream ends once its first batch is written, before any further pull
        // of its own, whose implicit acknowledgement would take the dropped frames (written in
        // full, hence delivered, §5.3): what comes again then depends on Last-Event-ID alone.
        boolean live = streams % 4 == 3 || foundNothing;
        double[] before = streamsServed();
        List<SseReader.Event> got =
            readStream(client, node, b, live ? LIVE_STREAM_MS : 1, lastEventId);
        List<SseReader.Event> kept = live ? got : got.subList(0, Math.min(KEPT, got.size()));
        dropped += got.size() - kept.size();
        foundNothing = got.isEmpty();
        for (SseReader.Event event : kept) {
          JsonObject envelope = event.json();
          assertEquals(envelope.getString("cursor"), event.id(), "the frame's id is its cursor");
          seen.add(envelope);
        }
        if (!kept.isEmpty()) {
          lastEventId = kept.get(kept.size() - 1).id();
        }
        assertServedBy(node, before);
        streams++;
        streamsWhileWriting += written.isComplete() ? 0 : 1;
        if (expected != null && live && got.isEmpty()) {
          break; // everything is written and a live stream found nothing: the rest is lost
        }
      }
    } finally {
      client.close().await();
    }
    assertEquals(expected, keys(seen), "every event once, in sequence order, over " + streams);
    assertTrue(dropped > 0, "some frames were received, not kept, and had to come again");
    assertTrue(streamsWhileWriting > 0, "the streams ran while the writers wrote");
  }

  /**
   * One stream of {@code reader} on {@code node}, resumed after {@code lastEventId}, read to its
   * end (its duration is short); every event it sent, in order.
   */
  private static List<SseReader.Event> readStream(
      HttpClient client, int node, Node reader, long durationMs, String lastEventId) {
    String uri = "/a2a/events/stream?node_id=" + reader.id() + "&duration_ms=" + durationMs;
    try (SseReader stream =
        SseReader.open(
            client, cluster.nodes.get(node).port(), uri, reader.secret(), lastEventId, false)) {
      assertEquals(200, stream.status, stream.errorBody);
      List<SseReader.Event> events = new ArrayList<>();
      while (true) {
        SseReader.Item item = stream.next(WITHIN);
        if (item instanceof SseReader.Event event) {
          events.add(event);
        } else if (item instanceof SseReader.End) {
          return events;
        }
      }
    }
  }

  /**
   * Per node, the streams its HTTP server finished: ended ({@code vertx_http_server_requests} of
   * the stream's route) or reset (GETs only: every other request of these tests is a POST, or an
   * ASP read that ends normally).
   */
  private static double[] streamsServed() {
    double[] served = new double[NODES];
    for (int i = 0; i < NODES; i++) {
      MeterRegistry registry = cluster.nodes.get(i).meterRegistry();
      for (Counter counter : registry.find("vertx.http.server.requests").counters()) {
        if ("/a2a/events/stream".equals(counter.getId().getTag("route"))) {
          served[i] += counter.count();
        }
      }
      for (Counter counter :
          registry.find("vertx.http.server.resets").tag("method", "GET").counters()) {
        served[i] += counter.count();
      }
    }
    return served;
  }

  /** The stream just read was served by {@code node}'s gateway, and by no other. */
  private static void assertServedBy(int node, double[] before) {
    HubNodes.await(
        "node " + node + " counts the stream it served",
        WITHIN,
        () -> streamsServed()[node] == before[node] + 1);
    double[] after = streamsServed();
    for (int i = 0; i < NODES; i++) {
      if (i != node) {
        assertEquals(before[i], after[i], "node " + i + " served no stream meanwhile");
      }
    }
  }

  @Test
  @DisplayName(
      "mailbox inbound (by cursor) and ack on a different node each time while every node"
          + " writes: each message once, in order, none lost; retried batches apply nothing twice")
  void mailboxAcrossNodes() {
    Node a = HubNodes.hello(http(0));
    Node m = HubNodes.hello(http(1));
    Node c = HubNodes.hello(http(2));
    String session = HubNodes.createSession(http(0), a, m, c);
    HubNodes.join(http(1), m, session);
    HubNodes.join(http(2), c, session);
    long logged = logged(session);

    // two REST writers and one mailbox writer whose every batch is sent again on the next node
    List<Future<Void>> writers = new ArrayList<>();
    writers.add(writeAll(http(0), a, session, "a@0"));
    writers.add(writeAll(http(1), c, session, "c@1"));
    List<JsonArray> batches = new ArrayList<>();
    List<JsonArray> results = new ArrayList<>();
    Future<Void> outboxes = Future.succeededFuture();
    for (int j = 0; j < OUTBOUND_BATCHES; j++) {
      JsonArray batch = new JsonArray();
      for (int k = 0; k < OUTBOUND_BATCH; k++) {
        batch.add(HubNodes.mailboxMessage("ob-" + j + "-" + k, session, "ob #" + j + "." + k));
      }
      batches.add(batch);
      int node = j;
      outboxes =
          outboxes
              .compose(v -> HubNodes.outbound(http(node + 2), a, batch))
              .compose(
                  first ->
                      HubNodes.outbound(http(node + 3), a, batch)
                          .map(
                              again -> {
                                assertEquals(first, again, "the retry on the next node");
                                results.add(first);
                                return (Void) null;
                              }));
    }
    writers.add(outboxes);
    Future<?> written = Future.all(writers);

    List<JsonObject> seen = new ArrayList<>();
    List<String> unacked = new ArrayList<>();
    List<String> expected = null;
    String cursor = null;
    int calls = 0;
    int inboundsWhileWriting = 0;
    long deadline = System.nanoTime() + WITHIN.toNanos();
    while (expected == null || seen.size() < expected.size() || !unacked.isEmpty()) {
      assertTrue(
          System.nanoTime() < deadline, "saw " + mailboxKeys(seen) + ", expected " + expected);
      if (expected == null && written.isComplete()) {
        assertTrue(written.succeeded(), "every write was answered 200: " + written.cause());
        expected = HubNodes.withoutSequence(HubNodes.expectedView(http(1), m, session));
      }
      boolean writing = !written.isComplete();
      long before = logged(session);
      JsonObject reply = HubNodes.inbound(http(calls++), m, cursor, MAILBOX_LIMIT);
      List<JsonObject> got = HubNodes.messages(reply);
      inboundsWhileWriting += writing ? 1 : 0;
      seen.addAll(got);
      got.forEach(message -> unacked.add(message.getString("id")));
      // the last message's cursor, or the one sent when none came
      cursor = reply.getString("next_cursor");
      // acknowledged every second inbound only: in between, the cursor alone keeps the
      // unacknowledged ones from coming again
      boolean done = expected != null && seen.size() >= expected.size();
      if (unacked.size() >= 2 * MAILBOX_LIMIT || (done && !unacked.isEmpty())) {
        assertEquals(unacked.size(), HubNodes.ack(http(calls++), m, unacked), "newly acked");
        unacked.clear();
      }
      if (got.isEmpty() && expected != null) {
        break; // everything is written and the mailbox has nothing: the rest is lost
      }
      if (got.isEmpty() && writing) {
        // nothing yet: wait for the log to grow rather than ask again and again
        HubNodes.await("a new event in the log", WITHIN, () -> logged(session) > before);
      }
    }
    assertEquals(expected, mailboxKeys(seen), "every message once, in order, over " + calls);
    assertTrue(inboundsWhileWriting > 0, "the inbounds ran while the writers wrote");
    // acknowledged for good, on every node: from the oldest, nothing is left
    assertEquals(List.of(), HubNodes.messages(HubNodes.inbound(http(calls++), m, null, 100)));

    // each message applied once: the log holds the REST writes and one event per mailbox id
    int viaMailbox = OUTBOUND_BATCHES * OUTBOUND_BATCH;
    assertEquals(logged + 2L * MESSAGES_PER_WRITER + viaMailbox, logged(session));
    // every batch at once again, the same ids on all three nodes together: same results, no event
    JsonArray everything = new JsonArray();
    JsonArray firstResults = new JsonArray();
    batches.forEach(everything::addAll);
    results.forEach(firstResults::addAll);
    List<Future<JsonArray>> racing = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      racing.add(HubNodes.outbound(http(i), a, everything));
    }
    Future.all(racing).await();
    for (Future<JsonArray> raced : racing) {
      assertEquals(firstResults, raced.result());
    }
    assertEquals(logged + 2L * MESSAGES_PER_WRITER + viaMailbox, logged(session));
    assertEquals(List.of(), HubNodes.messages(HubNodes.inbound(http(calls), m, null, 100)));
  }

  private static List<String> mailboxKeys(List<JsonObject> messages) {
    return messages.stream().map(HubNodes::mailboxKey).toList();
  }

  /** The events of {@code session} in the log, as committed. */
  private static long logged(String session) {
    return ((Number)
            cluster.sql().value("SELECT count(*) FROM events WHERE session_id = $1", session))
        .longValue();
  }

  /** Sends {@code MESSAGES_PER_WRITER} messages one after the other through one node. */
  private static Future<Void> writeAll(RawHttp http, Node sender, String session, String name) {
    Future<Long> chain = Future.succeededFuture(0L);
    for (int i = 0; i < MESSAGES_PER_WRITER; i++) {
      String text = name + " #" + i;
      chain = chain.compose(previous -> HubNodes.send(http, sender, session, text));
    }
    return chain.mapEmpty();
  }

  /**
   * Sends {@code PACED_MESSAGES} messages through one node, {@code PACED_GAP_MS} apart, so the
   * writes are spread over the many short reads of the reader (the gap shapes the load; nothing
   * waits on it).
   */
  private static Future<Void> writePaced(RawHttp http, Node sender, String session, String name) {
    Future<Long> chain = Future.succeededFuture(0L);
    for (int i = 0; i < PACED_MESSAGES; i++) {
      String text = name + " #" + i;
      chain =
          chain
              .compose(previous -> cluster.clients.timer(PACED_GAP_MS))
              .compose(fired -> HubNodes.send(http, sender, session, text));
    }
    return chain.mapEmpty();
  }

  @Test
  @DisplayName(
      "a long-poll on node 0 superseded by a poll on node 1 answers [] at once; nothing is lost"
          + " or repeated over the two")
  void supersededAcrossNodes() throws Exception {
    Node a = HubNodes.hello(http(2));
    Node b = HubNodes.hello(http(0));
    String session = HubNodes.createSession(http(2), a, b);
    HubNodes.join(http(0), b, session);
    List<String> drained =
        keys(events(ok(poll(http(2), b, flatPoll(b, null, null, null)).await())));
    assertEquals(HubNodes.expectedView(http(2), b, session), drained);

    String before = HubNodes.activeRequest(cluster.sql(), b);
    Future<RawHttp.Response> first = poll(http(0), b, flatPoll(b, MAX_WAIT_MS, null, null));
    String held = awaitActiveRequestOtherThan(b, before);

    long switched = System.nanoTime();
    Future<RawHttp.Response> second = poll(http(1), b, flatPoll(b, MAX_WAIT_MS, null, null));
    JsonObject firstReply = ok(first.await(MAX_WAIT_MS * 2, TimeUnit.MILLISECONDS));
    long answeredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - switched);
    assertEquals(List.of(), keys(events(firstReply)), "the superseded poll hands out nothing");
    assertTrue(
        answeredMs < MAX_WAIT_MS / 4,
        "the superseded poll answered in " + answeredMs + " ms, its wait was " + MAX_WAIT_MS);

    awaitActiveRequestOtherThan(b, held); // the node-1 poll holds the channel now
    long sequence = HubNodes.send(http(2), a, session, "after the switch").await();
    List<JsonObject> got = events(ok(second.await(MAX_WAIT_MS * 2, TimeUnit.MILLISECONDS)));
    List<String> expected = HubNodes.expectedView(http(2), b, session);
    assertEquals(expected.subList(drained.size(), expected.size()), keys(got));
    assertEquals(sequence, got.get(0).getLong("sequence"));
    JsonObject after = ok(poll(http(2), b, envelopePoll(b, null, null, null)).await());
    assertEquals(List.of(), keys(events(after)), "nothing is handed out twice");
  }

  @Test
  @DisplayName("heartbeats of one node spread over the three nodes: exactly 3 accepted, then 429")
  void heartbeatLimitHoldsAcrossNodes() {
    Node node = HubNodes.hello(http(0));
    for (int i = 0; i < 3; i++) {
      JsonObject beat =
          ok(
              http(i)
                  .post(
                      "/a2a/heartbeat", node.secret(), new JsonObject().put("node_id", node.id())));
      assertEquals("ok", beat.getString("status"));
    }
    for (int i = 0; i < NODES; i++) {
      assertLimited(
          http(i).post("/a2a/heartbeat", node.secret(), new JsonObject().put("node_id", node.id())),
          3);
    }
  }

  @Test
  @DisplayName("polls of one node sent at once to the three nodes: exactly the limit accepted")
  void pollLimitHoldsAcrossNodes() {
    Node node = HubNodes.hello(http(1));
    List<Future<RawHttp.Response>> polls = new ArrayList<>();
    int extra = 20;
    for (int i = 0; i < POLL_LIMIT + extra; i++) {
      JsonObject body =
          i % 2 == 0 ? flatPoll(node, null, null, null) : envelopePoll(node, null, null, null);
      polls.add(poll(http(i), node, body));
    }
    Future.join(polls).await();
    int accepted = 0;
    for (Future<RawHttp.Response> answer : polls) {
      RawHttp.Response response = answer.result();
      if (response.status() == 200) {
        ok(response);
        accepted++;
      } else {
        assertLimited(response, POLL_LIMIT);
      }
    }
    assertEquals(POLL_LIMIT, accepted, "exactly the limit, however the polls were spread");
    for (int i = 0; i < NODES; i++) {
      assertLimited(poll(http(i), node, flatPoll(node, null, null, null)).await(), POLL_LIMIT);
    }
  }

  /** §4's refusal: 429 rate_limited, Retry-After in whole seconds, the policy that refused. */
  private static void assertLimited(RawHttp.Response response, int limit) {
    JsonObject body = error(response, 429, "rate_limited");
    assertEquals("rate_limited", body.getString("status"));
    String retryAfter = response.header("Retry-After");
    assertTrue(retryAfter != null && Long.parseLong(retryAfter) >= 1, "Retry-After " + retryAfter);
    assertTrue(body.getLong("retry_after_ms") > 0, body.encode());
    assertEquals(limit, body.getJsonObject("policy").getInteger("limit"), body.encode());
    assertEquals(600000, body.getJsonObject("policy").getInteger("window_ms"), body.encode());
  }

  /** Waits until another request than {@code before} holds the node's poll channel; its id. */
  private static String awaitActiveRequestOtherThan(Node node, String before) {
    String[] now = new String[1];
    HubNodes.await(
        "a new request takes the poll channel",
        WITHIN,
        () -> {
          now[0] = HubNodes.activeRequest(cluster.sql(), node);
          return now[0] != null && !Objects.equals(now[0], before);
        });
    return now[0];
  }
}
