package dev.asp.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.client.AspClient;
import dev.asp.client.AspEventStream;
import dev.asp.client.EventRecorder;
import dev.asp.protocol.CloseCodes;
import dev.asp.protocol.DeliveryHub;
import dev.asp.protocol.Event;
import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.SessionAction;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The delivery verticle alone: a fake session verticle on its address (an in-memory log, cursors
 * and presence calls recorded) and a bare WebSocket endpoint that hands sockets to the hub, as the
 * gateway does once a bearer is authenticated.
 */
@DisplayName("The delivery verticle")
class DeliveryVerticleTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String AGENT = "@bob.test";
  private static final String SESSION = "sess_01TEST";

  private Vertx vertx;
  private String url;
  private final List<JsonObject> log = new CopyOnWriteArrayList<>();
  private final List<String> presence = new CopyOnWriteArrayList<>();
  private final List<JsonObject> saved = new CopyOnWriteArrayList<>();
  private final Map<String, JsonObject> state = new ConcurrentHashMap<>();
  private final List<AspEventStream> streams = new ArrayList<>();
  private final java.util.concurrent.atomic.AtomicInteger reads =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Sequences the fake session hides from the agent for good (audience, extension type). */
  private final java.util.Set<Long> hidden = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * Whether the fake session verticle knows {@code AGENT_CONNECT}; one that does not answers it as
   * an older node does: {@code invalid_request}, unknown action.
   */
  private volatile boolean knowsConnect = true;

  /** How many {@code AGENT_CONNECT} requests the fake answered. */
  private final java.util.concurrent.atomic.AtomicInteger connects =
      new java.util.concurrent.atomic.AtomicInteger();

  /** The with_hidden flag of every EVENTS request, in order. */
  private final List<Boolean> askedForHidden = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    startNode(
        new DeliverySettings(
            "node_test", 32 * 1024, 500, 60_000, 120_000, 20, 100, 2_000, 20, 64, null));
  }

  /** A node with only the delivery verticle, the fake session verticle and a bare endpoint. */
  private HttpServer startNode(DeliverySettings settings) {
    return startNode(settings, socket -> AGENT);
  }

  /** Failures no handler caught (a timer's, say): a test that leaves one behind failed. */
  private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();

  /** Such a node whose endpoint names each socket's agent by {@code agentOf}. */
  private HttpServer startNode(
      DeliverySettings settings,
      java.util.function.Function<io.vertx.core.http.ServerWebSocket, String> agentOf) {
    vertx = Vertx.vertx();
    vertx.exceptionHandler(uncaught::add);
    vertx
        .eventBus()
        .<JsonObject>consumer(Addresses.SESSION, this::fakeSession)
        .completion()
        .await();
    vertx.deployVerticle(new DeliveryVerticle(settings)).await();
    HttpServer server =
        vertx
            .createHttpServer()
            .webSocketHandler(socket -> DeliveryHub.of(vertx).attach(agentOf.apply(socket), socket))
            .listen(0, "127.0.0.1")
            .await();
    url = "http://127.0.0.1:" + server.actualPort();
    return server;
  }

  @AfterEach
  void stop() {
    streams.forEach(s -> s.close().await());
    vertx.close().await();
  }

  private void fakeSession(Message<JsonObject> message) {
    JsonObject body = message.body();
    switch (SessionAction.valueOf(message.headers().get(Addresses.ACTION_HEADER))) {
      case AGENT_ONLINE, AGENT_OFFLINE -> {
        presence.add(message.headers().get(Addresses.ACTION_HEADER));
        message.reply(new JsonObject());
      }
      case AGENT_CONNECT -> {
        if (!knowsConnect) {
          message.fail(dev.asp.protocol.ErrorCode.INVALID_REQUEST.busCode(), "unknown action");
          return;
        }
        connects.incrementAndGet();
        presence.add("AGENT_ONLINE"); // it is the online report, with the state and pages
        message.reply(
            new JsonObject().put(BusFields.SESSIONS, connectState(body.getInteger(Fields.LIMIT))));
      }
      case DELIVERY_STATE -> {
        JsonArray sessions = new JsonArray();
        state.values().forEach(sessions::add);
        message.reply(new JsonObject().put(BusFields.SESSIONS, sessions));
      }
      case SAVE_CURSORS -> {
        saved.add(body);
        message.reply(new JsonObject().put(Fields.OK, true));
      }
      case EVENTS -> {
        reads.incrementAndGet();
        boolean withHidden = body.getBoolean(BusFields.WITH_HIDDEN, false);
        askedForHidden.add(withHidden);
        long after = body.getLong(Fields.AFTER_SEQUENCE);
        JsonArray events = new JsonArray();
        JsonArray skipped = new JsonArray();
        for (JsonObject e : log) {
          long sequence = e.getLong(Fields.SEQUENCE);
          if (sequence > after) {
            if (!hidden.contains(sequence)) {
              events.add(e);
            } else if (withHidden) {
              skipped.add(sequence);
            }
          }
        }
        JsonObject page = new JsonObject().put(Fields.EVENTS, events);
        message.reply(withHidden ? page.put(BusFields.HIDDEN, skipped) : page);
      }
      default -> message.fail(4001, "unexpected");
    }
  }

  /** The state with a first page (up to {@code limit} rows) for each session behind its cursor. */
  private JsonArray connectState(int limit) {
    JsonArray sessions = new JsonArray();
    for (JsonObject entry : state.values()) {
      JsonObject session = entry.copy();
      long prefix = session.getLong(BusFields.PREFIX);
      if (session.getLong(BusFields.HEAD) > prefix) {
        JsonArray events = new JsonArray();
        JsonArray skipped = new JsonArray();
        int rows = 0;
        for (JsonObject e : log) {
          long sequence = e.getLong(Fields.SEQUENCE);
          if (sequence <= prefix) {
            continue;
          }
          if (rows == limit) {
            session.put(Fields.NEXT_CURSOR, Long.toString(sequence - 1));
            break;
          }
          rows++;
          if (hidden.contains(sequence)) {
            skipped.add(sequence);
          } else {
            events.add(e);
          }
        }
        session.put(Fields.EVENTS, events).put(BusFields.HIDDEN, skipped);
      }
      sessions.add(session);
    }
    return sessions;
  }

  private JsonObject event(long sequence) {
    JsonObject event =
        new Event(
                "session.message",
                SESSION,
                "evt_" + sequence,
                sequence,
                System.currentTimeMillis(),
                new JsonObject().put(Fields.CONTENT, "m" + sequence).put(Fields.SEQUENCE, sequence))
            .toJson();
    log.add(event);
    return event;
  }

  private void announce(JsonObject... events) {
    JsonObject joined = new JsonObject().put(Fields.HANDLE, AGENT).put(Fields.STATUS, "joined");
    vertx
        .eventBus()
        .publish(
            Addresses.EVENTS_COMMITTED,
            new JsonObject()
                .put(Fields.SESSION_ID, SESSION)
                .put(Fields.EVENTS, new JsonArray(List.of((Object[]) events)))
                .put(BusFields.PARTICIPANTS, new JsonArray().add(joined)));
  }

  /** One event with an audience, announced as the session verticle does: beside the event. */
  private void announceTo(JsonObject event, String... audience) {
    JsonObject joined = new JsonObject().put(Fields.HANDLE, AGENT).put(Fields.STATUS, "joined");
    vertx
        .eventBus()
        .publish(
            Addresses.EVENTS_COMMITTED,
            new JsonObject()
                .put(Fields.SESSION_ID, SESSION)
                .put(Fields.EVENTS, new JsonArray().add(event))
                .put(BusFields.AUDIENCES, new JsonArray().add(new JsonArray(List.of(audience))))
                .put(BusFields.PARTICIPANTS, new JsonArray().add(joined)));
  }

  /** An extension event of the A2A layer, in the log like any other. */
  private JsonObject extensionEvent(long sequence) {
    JsonObject event =
        new Event(
                "a2a.task_board_update",
                SESSION,
                "evt_" + sequence,
                sequence,
                System.currentTimeMillis(),
                new JsonObject().put("added", new JsonArray()))
            .toJson();
    log.add(event);
    return event;
  }

  private AspEventStream connect(EventRecorder recorder) {
    AspEventStream stream = AspClient.create(vertx, url, "unused").connect(recorder);
    stream.connected().await();
    streams.add(stream);
    return stream;
  }

  private static List<Long> sequences(EventRecorder recorder) {
    return recorder.events(SESSION).stream().map(Event::sequence).toList();
  }

  private void awaitPresence(String... expected) {
    long deadline = System.currentTimeMillis() + WAIT.toMillis();
    while (!presence.equals(List.of(expected)) && System.currentTimeMillis() < deadline) {
      vertx.timer(20).await();
    }
    assertEquals(List.of(expected), presence);
  }

  @Test
  @DisplayName("delivers announced events in order and fills a gap from the log before going on")
  void gapFilling() {
    EventRecorder recorder = new EventRecorder();
    connect(recorder);
    awaitPresence("AGENT_ONLINE");
    vertx.timer(100).await();
    announce(event(0));
    recorder.awaitCount(SESSION, 1, WAIT);
    JsonObject one = event(1);
    JsonObject two = event(2);
    announce(two); // 1's announcement is late: 2 must wait for it, read from the log
    recorder.awaitCount(SESSION, 3, WAIT);
    announce(one);
    announce(event(3));
    recorder.awaitCount(SESSION, 4, WAIT);
    assertTrue(recorder.noneMatching(e -> e.sequence() > 3, Duration.ofMillis(300)));
    assertEquals(List.of(0L, 1L, 2L, 3L), sequences(recorder));
  }

  @Test
  @DisplayName(
      "an announcement that overtakes the one before it waits for it briefly: in order, no log"
          + " read")
  void reorderedAnnouncements() {
    EventRecorder recorder = new EventRecorder();
    connect(recorder);
    awaitPresence("AGENT_ONLINE");
    vertx.timer(100).await();
    announce(event(0));
    recorder.awaitCount(SESSION, 1, WAIT);
    int readsBefore = reads.get();
    JsonObject one = event(1);
    JsonObject two = event(2);
    JsonObject three = event(3);
    vertx.runOnContext(
        v -> { // one after the other, well within the 20 ms hold
          announce(three);
          announce(two);
          announce(one);
        });
    recorder.awaitCount(SESSION, 4, WAIT);
    assertEquals(List.of(0L, 1L, 2L, 3L), sequences(recorder));
    assertEquals(readsBefore, reads.get(), "the gap closed by itself: the log was not read");
  }

  @Test
  @DisplayName(
      "replays what lies beyond the saved cursor on connect, saves the cursor once the client's"
          + " pong confirmed the events, and goes offline")
  void replayAndCursor() {
    for (int i = 0; i < 5; i++) {
      event(i);
    }
    state.put(
        SESSION,
        new JsonObject()
            .put(Fields.SESSION_ID, SESSION)
            .put(BusFields.PREFIX, 1)
            .put(BusFields.EXTRAS, new JsonArray().add(3))
            .put(BusFields.HEAD, 4));
    EventRecorder recorder = new EventRecorder();
    AspEventStream stream = connect(recorder);
    recorder.awaitCount(SESSION, 2, WAIT);
    assertEquals(List.of(2L, 4L), sequences(recorder), "after the prefix, skipping what was sent");
    // a clean close confirms nothing (docs/delivery.md): the cursor moves with the pongs
    awaitSavedPrefix(4L);
    stream.close().await();
    streams.remove(stream);
    awaitPresence("AGENT_ONLINE", "AGENT_OFFLINE");
    assertEquals(Long.valueOf(4), lastSavedPrefix());
  }

  /** Waits (bounded) until the last cursor saved for the session has {@code prefix}. */
  private void awaitSavedPrefix(long prefix) {
    long deadline = System.currentTimeMillis() + WAIT.toMillis();
    while (!Long.valueOf(prefix).equals(lastSavedPrefix())
        && System.currentTimeMillis() < deadline) {
      vertx.timer(10).await();
    }
    assertEquals(Long.valueOf(prefix), lastSavedPrefix(), "no cursor saved at " + prefix);
  }

  /** The prefix of the last cursor saved for the session, or null when none was saved. */
  private Long lastSavedPrefix() {
    Long prefix = null;
    for (JsonObject request : saved) {
      for (Object cursor : request.getJsonArray(BusFields.CURSORS)) {
        JsonObject c = (JsonObject) cursor;
        if (SESSION.equals(c.getString(Fields.SESSION_ID))) {
          prefix = c.getLong(BusFields.PREFIX);
        }
      }
    }
    return prefix;
  }

  @Test
  @DisplayName(
      "a peer that vanishes without a close frame before confirming (no pong) gets those events"
          + " again: they were written, not known to be read")
  void unconfirmedAfterVanishing() {
    NetSocket peer =
        vertx.createNetClient().connect(java.net.URI.create(url).getPort(), "127.0.0.1").await();
    StringBuilder received = new StringBuilder();
    peer.handler(
        bytes -> received.append(bytes.toString(java.nio.charset.StandardCharsets.ISO_8859_1)));
    peer.write(
        "GET /connect HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    awaitPresence("AGENT_ONLINE");
    vertx.timer(100).await();
    for (int i = 0; i < 5; i++) {
      announce(event(i));
    }
    long deadline = System.currentTimeMillis() + WAIT.toMillis();
    while (!received.toString().contains("evt_4") && System.currentTimeMillis() < deadline) {
      vertx.timer(20).await();
    }
    assertTrue(received.toString().contains("evt_4"), "the peer read all five frames");
    vertx.timer(300).await(); // several confirmation intervals: pings went out, no pong came back
    peer.close().await(); // gone, without a close frame
    awaitPresence("AGENT_ONLINE", "AGENT_OFFLINE");
    Long prefix = lastSavedPrefix();
    assertTrue(prefix == null || prefix < 0, "nothing confirmed, nothing counted: " + prefix);
  }

  @Test
  @DisplayName(
      "a client that answers pings has its events confirmed: dropped without a close frame, it"
          + " is not sent them again")
  void confirmedByPong() {
    EventRecorder recorder = new EventRecorder();
    AspEventStream stream = connect(recorder);
    awaitPresence("AGENT_ONLINE");
    vertx.timer(100).await();
    for (int i = 0; i < 5; i++) {
      announce(event(i));
    }
    recorder.awaitCount(SESSION, 5, WAIT);
    vertx.timer(300).await(); // the confirmation ping's pong is back
    stream.disconnect(Duration.ofHours(1)).await();
    awaitPresence("AGENT_ONLINE", "AGENT_OFFLINE");
    assertEquals(Long.valueOf(4), lastSavedPrefix());
  }

  @Test
  @DisplayName("reports presence per agent: extra connections opening and closing report nothing")
  void presencePerAgent() {
    AspEventStream first = connect(new EventRecorder());
    EventRecorder second = new EventRecorder();
    AspEventStream other = connect(second);
    awaitPresence("AGENT_ONLINE");
    announce(event(0));
    second.awaitCount(SESSION, 1, WAIT);
    other.close().await();
    streams.remove(other);
    vertx.timer(200).await();
    assertEquals(List.of("AGENT_ONLINE"), presence);
    first.close().await();
    streams.remove(first);
    awaitPresence("AGENT_ONLINE", "AGENT_OFFLINE");
  }

  @Test
  @DisplayName("closes a connection that stops reading with 4001, leaving the others alone")
  void slowConsumer() {
    EventRecorder healthy = new EventRecorder();
    connect(healthy);
    AspEventStream slow = connect(new EventRecorder());
    slow.pause().await();
    awaitPresence("AGENT_ONLINE");
    String big = "y".repeat(64 * 1024);
    for (int i = 0; i < 200; i++) {
      JsonObject e = event(i);
      e.getJsonObject(Fields.PAYLOAD).put(Fields.CONTENT, big);
      announce(e);
    }
    healthy.awaitCount(SESSION, 200, WAIT);
    slow.resume().await();
    long deadline = System.currentTimeMillis() + WAIT.toMillis();
    while (slow.lastCloseCode() == null && System.currentTimeMillis() < deadline) {
      vertx.timer(20).await();
    }
    assertEquals(Short.valueOf(CloseCodes.SLOW_CONSUMER), slow.lastCloseCode());
  }

  @Test
  @DisplayName(
      "closes every idle agent's connection: one close removing its agent does not break the"
          + " check of the others")
  void idleTimeoutOfSeveralAgents() {
    vertx.close().await();
    presence.clear();
    HttpServer server =
        startNode(
            new DeliverySettings(
                "node_test", 32 * 1024, 60_000, 100, 400, 20, 100, 2_000, 20, 64, null),
            socket -> "@" + socket.path().substring("/connect/".length()) + ".test");
    List<NetSocket> peers = new ArrayList<>();
    io.vertx.core.net.NetClient client = vertx.createNetClient();
    for (String name : List.of("a", "b", "c")) {
      // bare TCP peers that complete the upgrade and then never read or answer a ping
      NetSocket peer = client.connect(server.actualPort(), "127.0.0.1").await();
      peer.write(
              "GET /connect/"
                  + name
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .await();
      peers.add(peer);
    }
    long deadline = System.currentTimeMillis() + WAIT.toMillis();
    while (presence.stream().filter("AGENT_OFFLINE"::equals).count() < 3
        && System.currentTimeMillis() < deadline) {
      vertx.timer(20).await();
    }
    assertEquals(3, presence.stream().filter("AGENT_OFFLINE"::equals).count(), presence::toString);
    assertEquals(List.of(), uncaught, "no check of the connections failed");
    peers.forEach(NetSocket::close);
  }

  @Test
  @DisplayName("closes a connection that answers no ping within the idle timeout")
  void idleTimeout() {
    vertx.close().await();
    presence.clear();
    HttpServer server =
        startNode(
            new DeliverySettings(
                "node_test", 32 * 1024, 60_000, 100, 400, 20, 100, 2_000, 20, 64, null));
    // A bare TCP peer that completes the upgrade and then never reads or answers a ping.
    NetSocket peer = vertx.createNetClient().connect(server.actualPort(), "127.0.0.1").await();
    peer.write(
        "GET /connect HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    awaitPresence("AGENT_ONLINE", "AGENT_OFFLINE");
    peer.close();
  }

  @Test
  @DisplayName(
      "a live event whose audience leaves the agent out is passed: the next one goes out at once,"
          + " no log read, and the saved cursor covers both")
  void audienceExcludesLive() {
    EventRecorder recorder = new EventRecorder();
    AspEventStream stream = connect(recorder);
    awaitPresence("AGENT_ONLINE");
    vertx.timer(100).await();
    announce(event(0));
    recorder.awaitCount(SESSION, 1, WAIT);
    int readsBefore = reads.get();
    JsonObject directed = event(1);
    hidden.add(1L);
    announceTo(directed, "@alice.test", "@carol.test");
    announceTo(event(2), AGENT, "@alice.test");
    announce(event(3));
    recorder.awaitCount(SESSION, 3, WAIT);
    assertTrue(recorder.noneMatching(e -> e.sequence() == 1, Duration.ofMillis(300)));
    assertEquals(List.of(0L, 2L, 3L), sequences(recorder));
    assertEquals(readsBefore, reads.get(), "nothing waited for the passed event");
    vertx.timer(300).await(); // the confirmation ping's pong is back
    stream.disconnect(Duration.ofHours(1)).await();
    awaitPresence("AGENT_ONLINE", "AGENT_OFFLINE");
    assertEquals(Long.valueOf(3), lastSavedPrefix());
  }

  @Test
  @DisplayName(
      "an extension event (a2a.*) is never written to a plain connection, and does not hold up the"
          + " events after it")
  void extensionEventsPassed() {
    EventRecorder recorder = new EventRecorder();
    connect(recorder);
    awaitPresence("AGENT_ONLINE");
    vertx.timer(100).await();
    announce(event(0));
    recorder.awaitCount(SESSION, 1, WAIT);
    int readsBefore = reads.get();
    hidden.add(1L);
    announce(extensionEvent(1), event(2));
    recorder.awaitCount(SESSION, 2, WAIT);
    assertTrue(recorder.noneMatching(e -> e.sequence() == 1, Duration.ofMillis(300)));
    assertEquals(List.of(0L, 2L), sequences(recorder));
    assertEquals(readsBefore, reads.get());
  }

  @Test
  @DisplayName(
      "a replay moves the cursor past the events the log reports hidden: saved beyond them, and"
          + " the next live event is next in line")
  void hiddenInReplay() {
    for (int i = 0; i < 4; i++) {
      event(i);
    }
    hidden.add(1L);
    hidden.add(3L);
    state.put(
        SESSION,
        new JsonObject()
            .put(Fields.SESSION_ID, SESSION)
            .put(BusFields.PREFIX, -1)
            .put(BusFields.EXTRAS, new JsonArray())
            .put(BusFields.HEAD, 3));
    EventRecorder recorder = new EventRecorder();
    AspEventStream stream = connect(recorder);
    recorder.awaitCount(SESSION, 2, WAIT);
    assertEquals(List.of(0L, 2L), sequences(recorder));
    assertTrue(askedForHidden.stream().allMatch(Boolean::booleanValue), "delivery asks for them");
    int readsBefore = reads.get();
    announce(event(4));
    recorder.awaitCount(SESSION, 3, WAIT);
    assertEquals(List.of(0L, 2L, 4L), sequences(recorder));
    assertEquals(readsBefore, reads.get(), "4 followed the passed 3 directly");
    vertx.timer(300).await();
    stream.disconnect(Duration.ofHours(1)).await();
    awaitPresence("AGENT_ONLINE", "AGENT_OFFLINE");
    assertEquals(Long.valueOf(4), lastSavedPrefix());
  }

  @Test
  @DisplayName(
      "the first connection is one AGENT_CONNECT: its page is delivered without reading the log,"
          + " the rest of a long replay is read after it, in order")
  void firstPageInTheConnectReply() {
    for (int i = 0; i < 130; i++) {
      event(i);
    }
    state.put(
        SESSION,
        new JsonObject()
            .put(Fields.SESSION_ID, SESSION)
            .put(BusFields.PREFIX, 4)
            .put(BusFields.EXTRAS, new JsonArray().add(6))
            .put(BusFields.HEAD, 129));
    EventRecorder recorder = new EventRecorder();
    connect(recorder); // replay batch 100: a page of 100 rows (5..104), then the log after 104
    recorder.awaitCount(SESSION, 124, WAIT);
    List<Long> expected = new ArrayList<>();
    for (long s = 5; s < 130; s++) {
      if (s != 6) {
        expected.add(s);
      }
    }
    assertEquals(expected, sequences(recorder));
    assertEquals(1, connects.get());
    assertEquals(1, reads.get(), "only what lay beyond the first page was read");
    announce(event(130));
    recorder.awaitCount(SESSION, 125, WAIT);
    assertTrue(recorder.noneMatching(e -> e.sequence() > 130, Duration.ofMillis(300)));
    assertEquals(130L, sequences(recorder).get(124));
  }

  @Test
  @DisplayName(
      "a session service without AGENT_CONNECT (an older node) is asked AGENT_ONLINE and"
          + " DELIVERY_STATE, and the replay is read from the log as before")
  void olderSessionService() {
    knowsConnect = false;
    for (int i = 0; i < 3; i++) {
      event(i);
    }
    state.put(
        SESSION,
        new JsonObject()
            .put(Fields.SESSION_ID, SESSION)
            .put(BusFields.PREFIX, 0)
            .put(BusFields.EXTRAS, new JsonArray())
            .put(BusFields.HEAD, 2));
    EventRecorder recorder = new EventRecorder();
    connect(recorder);
    recorder.awaitCount(SESSION, 2, WAIT);
    assertEquals(List.of(1L, 2L), sequences(recorder));
    awaitPresence("AGENT_ONLINE");
    assertEquals(0, connects.get());
    assertEquals(1, reads.get());
  }
}
