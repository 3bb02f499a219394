package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.client.AspClient;
import dev.asp.client.AspClientException;
import dev.asp.client.AspEventStream;
import dev.asp.client.EventRecorder;
import dev.asp.client.NewSession;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Event;
import dev.asp.protocol.EventOrigin;
import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.protocol.Ids;
import dev.asp.protocol.SessionKind;
import dev.asp.session.log.EventAnnouncer;
import dev.asp.session.log.EventLog;
import dev.asp.session.log.SessionSnapshot;
import dev.asp.session.log.Sessions;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What the core gained for the A2A layer (hub spec §2.2–§2.4), end to end through the real gateway
 * and {@code WS /connect}: events are appended with the session module's public append path, on the
 * node's own database and event bus, exactly as the A2A verticle appends them.
 */
@DisplayName("Audience, extension events and session kinds, end to end")
class AudienceEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration QUIET = Duration.ofMillis(600);
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static OperatorHarness operator;
  private static Pool pool;
  private final List<AspEventStream> streams = new ArrayList<>();
  private final List<WebSocket> sockets = new ArrayList<>();

  @BeforeAll
  static void start() {
    operator =
        OperatorHarness.start(
            TestDatabase.fresh(),
            Map.of("ASP_CURSOR_FLUSH_MS", "50", "ASP_WS_PING_INTERVAL_MS", "500"));
    pool = operator.db().pool(operator.vertx);
  }

  @AfterAll
  static void stop() {
    pool.close().await();
    operator.close();
  }

  @AfterEach
  void closeStreams() {
    streams.forEach(s -> s.close().await());
    sockets.forEach(s -> s.close().await());
  }

  /** An agent with the open policy: its handle, token, REST client and live stream. */
  private record Agent(String handle, String token, AspClient client, EventRecorder events) {}

  private Agent agent() {
    String handle = "@aud" + COUNTER.incrementAndGet() + ".agent";
    String token = operator.admin.createAgent(handle, "open", List.of()).await().token();
    AspClient client = operator.client(token);
    EventRecorder events = new EventRecorder();
    AspEventStream stream = client.connect(events);
    stream.connected().await();
    streams.add(stream);
    return new Agent(handle, token, client, events);
  }

  /** Every text frame a second, raw connection of the agent receives, exactly as written. */
  private List<String> rawFrames(Agent agent) {
    return rawFrames(agent, "/connect");
  }

  private List<String> rawFrames(Agent agent, String uri) {
    List<String> frames = new CopyOnWriteArrayList<>();
    WebSocket socket =
        operator
            .vertx
            .createWebSocketClient()
            .connect(
                new WebSocketConnectOptions()
                    .setHost("127.0.0.1")
                    .setPort(operator.port())
                    .setURI(uri)
                    .addHeader("Authorization", "Bearer " + agent.token()))
            .await();
    socket.textMessageHandler(frames::add);
    sockets.add(socket);
    return frames;
  }

  /**
   * One command as the A2A verticle runs it: the row lock, a log of origin a2a, commit, then the
   * announcement on this node's bus.
   */
  private static List<Event> append(
      String id, String caller, BiFunction<SqlConnection, EventLog, Future<?>> command) {
    var announcement =
        pool.withTransaction(
                conn ->
                    SessionSnapshot.lock(conn, id, caller)
                        .compose(
                            session -> {
                              EventLog log =
                                  session.log(System.currentTimeMillis(), EventOrigin.A2A);
                              return command.apply(conn, log).compose(v -> log.write(conn));
                            }))
            .await();
    new EventAnnouncer(operator.vertx.eventBus(), null).announce(announcement);
    return announcement.events();
  }

  private static long directed(String id, String sender, String text, String... audience) {
    return append(
            id,
            sender,
            (conn, log) -> {
              log.appendMessage(sender, text, null, null, List.of(audience));
              return Future.succeededFuture();
            })
        .get(0)
        .sequence();
  }

  private static long extension(String id, String by) {
    return append(
            id,
            by,
            (conn, log) -> {
              log.append("a2a.task_board_update", by, new JsonObject().put("by", by), null);
              return Future.succeededFuture();
            })
        .get(0)
        .sequence();
  }

  private static List<Long> sequences(List<Event> events) {
    return events.stream().map(Event::sequence).toList();
  }

  /**
   * a, b and c joined in one ASP session (0, 1: b and c invited; 2, 3: they join), each stream
   * having seen all four events.
   */
  private static String sessionOf(Agent a, Agent b, Agent c) {
    String id =
        a.client().createSession(NewSession.inviting(b.handle(), c.handle())).await().sessionId();
    b.client().join(id).await();
    c.client().join(id).await();
    for (Agent agent : List.of(a, b, c)) {
      agent.events().awaitCount(id, 4, WAIT);
    }
    return id;
  }

  @Test
  @DisplayName(
      "a message with audience [a, b]: a and b get it live and from GET /events, in order; c never"
          + " does, on any view, and c's later events still arrive at once")
  void directedMessage() {
    Agent a = agent();
    Agent b = agent();
    Agent c = agent();
    String id = sessionOf(a, b, c);
    List<String> cFrames = rawFrames(c);

    long secret = directed(id, a.handle(), "for b only", a.handle(), b.handle());
    long after = b.client().send(id, "for everyone").await().sequence();

    assertEquals(List.of(4L, 5L), List.of(secret, after));
    for (Agent member : List.of(a, b)) {
      member.events().awaitCount(id, 6, WAIT);
      assertEquals(List.of(0L, 1L, 2L, 3L, secret, after), sequences(member.events().events(id)));
      assertEquals(
          List.of(0L, 1L, 2L, 3L, secret, after),
          sequences(member.client().events(id, null, null).await().events()));
    }
    c.events().awaitCount(id, 5, WAIT);
    // c has everything but the directed message; its invitation may come before the transcript
    // (when its stream saw it before the join) or in it, so compare as a sorted list
    assertEquals(
        List.of(0L, 1L, 2L, 3L, after),
        sequences(c.events().events(id)).stream().sorted().toList());
    assertEquals(after, sequences(c.events().events(id)).get(4));
    assertEquals(
        List.of(0L, 1L, 2L, 3L, after),
        sequences(c.client().events(id, null, null).await().events()));
    assertTrue(c.events().noneMatching(e -> e.sequence() == secret, QUIET));
    long deadline = System.currentTimeMillis() + WAIT.toMillis();
    while (cFrames.stream().noneMatch(f -> f.contains("for everyone"))
        && System.currentTimeMillis() < deadline) {
      operator.vertx.timer(20).await();
    }
    assertTrue(cFrames.stream().anyMatch(f -> f.contains("for everyone")));
    assertTrue(cFrames.stream().noneMatch(f -> f.contains("for b only")));
    // b's frames are the bare envelope: the audience travels beside the event, never in it
    String bRaw =
        b.client()
            .raw(HttpMethod.GET, "/sessions/" + id + "/events", null, Map.of())
            .await()
            .body()
            .toString();
    assertTrue(bRaw.contains("for b only"));
    assertFalse(bRaw.contains("audience"), bRaw);
    for (String frame : cFrames) {
      assertEquals(
          java.util.Set.of(
              Fields.TYPE,
              Fields.SESSION_ID,
              Fields.EVENT_ID,
              Fields.SEQUENCE,
              Fields.CREATED_AT,
              Fields.PAYLOAD),
          new JsonObject(frame).fieldNames());
    }
  }

  @Test
  @DisplayName(
      "c, away while a directed message and an extension event are written, is replayed what it"
          + " may see when it comes back, and live events follow without a stall")
  void replayPassesHiddenEvents() {
    Agent a = agent();
    Agent b = agent();
    Agent c = agent();
    String id = sessionOf(a, b, c);
    EventRecorder replayed = new EventRecorder();
    streams.forEach(s -> s.close().await());
    streams.clear();
    long secret = directed(id, a.handle(), "for b only", a.handle(), b.handle());
    long board = extension(id, a.handle());
    long visible = a.client().send(id, "while c was away").await().sequence();

    AspEventStream back = c.client().connect(replayed);
    back.connected().await();
    streams.add(back);
    replayed.await(e -> e.sequence() == visible, WAIT);
    long live = b.client().send(id, "c is back").await().sequence();
    replayed.await(e -> e.sequence() == live, WAIT);
    List<Long> seen = sequences(replayed.events(id));
    assertFalse(seen.contains(secret));
    assertFalse(seen.contains(board));
    assertTrue(replayed.events(id).stream().noneMatch(e -> e.type().startsWith("a2a.")));
    // exactly what c may read from its cursor on (presence events of the others included), in
    // order: the hidden events are gaps, nothing after them waited or went missing
    long from = seen.get(0);
    List<Long> readable = sequences(c.client().events(id, null, null).await().events());
    assertEquals(readable.stream().filter(s -> s >= from).toList(), seen);
    assertTrue(seen.contains(visible));
  }

  @Test
  @DisplayName(
      "extension events are never on WS /connect nor GET /events; an ASP session without A2A"
          + " actions shows no gap")
  void extensionEvents() {
    Agent a = agent();
    Agent b = agent();
    String id = a.client().createSession(NewSession.inviting(b.handle())).await().sessionId();
    b.client().join(id).await();
    long first = a.client().send(id, "one").await().sequence();
    assertEquals(
        List.of(0L, 1L, first), sequences(b.client().events(id, null, null).await().events()));
    long board = extension(id, a.handle());
    long next = a.client().send(id, "two").await().sequence();
    b.events().await(e -> e.sequence() == next, WAIT);
    assertTrue(b.events().noneMatching(e -> e.sequence() == board, QUIET));
    assertTrue(b.events().events(id).stream().noneMatch(e -> e.type().startsWith("a2a.")));
    assertEquals(
        List.of(0L, 1L, first, next),
        sequences(b.client().events(id, null, null).await().events()));
  }

  @Test
  @DisplayName(
      "a connection that opts in with ?extensions=a2a gets extension events in ASP's envelope, live"
          + " and in GET /events?extensions=a2a; the agent's plain connection still does not")
  void extensionsOptIn() {
    Agent a = agent();
    Agent b = agent();
    String id = a.client().createSession(NewSession.inviting(b.handle())).await().sessionId();
    b.client().join(id).await();
    b.events().awaitCount(id, 2, WAIT);
    List<String> opted = rawFrames(b, "/connect?extensions=a2a");
    long board = extension(id, a.handle());
    long next = a.client().send(id, "after the board").await().sequence();
    b.events().await(e -> e.sequence() == next, WAIT);
    long deadline = System.currentTimeMillis() + WAIT.toMillis();
    while (opted.stream().noneMatch(f -> f.contains("after the board"))
        && System.currentTimeMillis() < deadline) {
      operator.vertx.timer(20).await();
    }
    List<JsonObject> frames = opted.stream().map(JsonObject::new).toList();
    JsonObject boardFrame =
        frames.stream().filter(f -> f.getLong(Fields.SEQUENCE) == board).findFirst().orElseThrow();
    assertEquals("a2a.task_board_update", boardFrame.getString(Fields.TYPE));
    assertEquals(id, boardFrame.getString(Fields.SESSION_ID));
    assertTrue(boardFrame.containsKey(Fields.PAYLOAD) && boardFrame.containsKey(Fields.EVENT_ID));
    // in order on the opted-in connection, and the plain one never saw it
    List<Long> optedSequences = frames.stream().map(f -> f.getLong(Fields.SEQUENCE)).toList();
    assertTrue(
        optedSequences.indexOf(board) < optedSequences.indexOf(next), optedSequences.toString());
    assertTrue(b.events().noneMatching(e -> e.sequence() == board, QUIET));
    String page =
        operator
            .vertx
            .createHttpClient()
            .request(
                HttpMethod.GET,
                operator.port(),
                "127.0.0.1",
                "/sessions/" + id + "/events?extensions=a2a")
            .compose(r -> r.putHeader("Authorization", "Bearer " + b.token()).send())
            .compose(r -> r.body())
            .await()
            .toString();
    assertTrue(page.contains("a2a.task_board_update"), page);
    assertFalse(
        b.client().events(id, null, null).await().events().stream()
            .anyMatch(e -> e.type().startsWith("a2a.")));
  }

  @Test
  @DisplayName(
      "POST /sessions/{id}/join of a full session is 409 conflict with nothing written; reopen of"
          + " a session that is not kind asp is 409 conflict")
  void fullAndReopen() {
    Agent a = agent();
    Agent b = agent();
    Agent c = agent();
    String id = Ids.newSessionId();
    pool.withTransaction(
            conn ->
                Sessions.insert(
                        conn,
                        id,
                        SessionKind.A2A,
                        Sessions.PUBLIC,
                        2,
                        "two at most",
                        a.handle(),
                        System.currentTimeMillis(),
                        EventOrigin.A2A)
                    .compose(log -> log.write(conn)))
        .await();
    assertEquals(
        List.of(b.handle(), c.handle()), a.client().invite(id, b.handle(), c.handle()).await());
    b.client().join(id).await();
    long next = operator.count("SELECT next_sequence FROM sessions WHERE id = $1", id);

    AspClientException full =
        org.junit.jupiter.api.Assertions.assertThrows(
            AspClientException.class, () -> c.client().join(id).await());
    assertEquals(409, full.status());
    assertEquals(ErrorCode.CONFLICT.wireCode(), full.code());
    assertEquals(next, operator.count("SELECT next_sequence FROM sessions WHERE id = $1", id));
    assertEquals(
        0,
        operator.count(
            "SELECT count(*) FROM participants WHERE session_id = $1 AND handle = $2"
                + " AND status = 'joined'",
            id,
            c.handle()));

    a.client().end(id).await();
    AspClientException reopen =
        org.junit.jupiter.api.Assertions.assertThrows(
            AspClientException.class, () -> a.client().reopen(id, List.of(), null).await());
    assertEquals(409, reopen.status());
    assertEquals(ErrorCode.CONFLICT.wireCode(), reopen.code());
    assertEquals(
        "ended",
        pool.preparedQuery("SELECT state FROM sessions WHERE id = $1")
            .execute(io.vertx.sqlclient.Tuple.of(id))
            .await()
            .iterator()
            .next()
            .getString(0));
    assertTrue(a.events().noneMatching(e -> e.type().equals(EventType.REOPENED.wire()), QUIET));
  }
}
