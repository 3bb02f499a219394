package dev.asp.client;

import static dev.asp.client.FakeOperator.TOKEN;
import static dev.asp.client.FakeOperator.event;
import static dev.asp.client.FakeOperator.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.CloseCodes;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Event;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code WS /connect} from the client's side (spec §6), against a real WebSocket server. Every test
 * drives the stream from the plain test thread, as users and the bench do.
 */
@DisplayName("The event stream")
class AspEventStreamTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration BASE = Duration.ofMillis(20);
  private static final Duration MAX = Duration.ofMillis(200);
  private static final Duration QUIET = BASE.multipliedBy(10);

  private Vertx vertx;
  private FakeOperator operator;
  private final EventRecorder recorder = new EventRecorder();
  private final RecordingListener listener = new RecordingListener();
  private final List<AspClient> clients = new ArrayList<>();
  private final List<AspEventStream> streams = new ArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    operator = new FakeOperator(vertx).start();
  }

  @AfterEach
  void stop() throws Exception {
    for (AspEventStream stream : streams) {
      await(stream.close());
    }
    clients.forEach(AspClient::close);
    vertx.close().await();
  }

  @Test
  @DisplayName("opens <baseUrl>/connect with the agent's bearer token")
  void sendsTheBearerToken() throws Exception {
    AspEventStream stream = connect(operator.baseUrl() + "/asp/", TOKEN, recorder, options());

    await(stream.connected());

    assertEquals(List.of("Bearer " + TOKEN), operator.authorizations);
    assertEquals(List.of("/asp/connect"), operator.paths);
    assertEquals(1, stream.connections());
    assertTrue(stream.isConnected());
  }

  @Test
  @DisplayName("treats a 401 on the upgrade as fatal: connected() fails and it never retries")
  void unauthorizedIsFatal() throws Exception {
    AspEventStream stream = connect(operator.baseUrl(), "tok_wrong", recorder, options());

    Throwable refused = failureOf(stream.connected());
    AspClientException error = assertInstanceOf(AspClientException.class, refused);
    assertEquals(401, error.status());
    assertEquals(ErrorCode.UNAUTHENTICATED.wireCode(), error.code());
    assertSame(refused, failureOf(stream.stopped()));

    vertx.timer(QUIET.toMillis()).await();
    assertEquals(1, operator.authorizations.size());
    assertEquals(0, stream.connections());
    assertEquals(List.of(), listener.copy(listener.failures));
    assertEquals(List.of(refused), listener.copy(listener.stops));
  }

  @Test
  @DisplayName("hands over every event parsed, in arrival order, on one thread")
  void deliversEventsInOrder() throws Exception {
    String[] sessions = {"sess_A", "sess_B", "sess_C"};
    int perSession = 100;
    operator.onSocket(
        (n, ws) -> {
          for (int i = 0; i < sessions.length * perSession; i++) {
            ws.writeTextMessage(frame(event(sessions[i % 3], i / 3)));
          }
        });
    Set<String> threads = ConcurrentHashMap.newKeySet();
    connect(
        operator.baseUrl(),
        TOKEN,
        e -> {
          threads.add(Thread.currentThread().getName());
          recorder.accept(e);
        },
        options());

    for (String session : sessions) {
      List<Event> events = recorder.awaitCount(session, perSession, WAIT);
      for (int seq = 0; seq < perSession; seq++) {
        Event e = events.get(seq);
        assertEquals(seq, e.sequence());
        assertEquals("session.message", e.type());
        assertEquals(session, e.sessionId());
        assertEquals(event(session, seq).eventId(), e.eventId());
        assertEquals(1_700_000_000_000L + seq, e.createdAt());
        assertEquals(seq, e.payload().getLong("n"));
      }
    }
    List<Event> all = recorder.all();
    for (int i = 0; i < all.size(); i++) {
      assertEquals(
          sessions[i % 3] + "#" + i / 3, all.get(i).sessionId() + "#" + all.get(i).sequence());
    }
    assertEquals(1, threads.size(), "delivered on " + threads);
  }

  @Test
  @DisplayName("skips frames that are not events, tells the listener and keeps going")
  void skipsInvalidFrames() throws Exception {
    operator.onSocket(
        (n, ws) -> {
          ws.writeTextMessage(frame(event("sess_A", 0)));
          ws.writeTextMessage("not json");
          ws.writeBinaryMessage(Buffer.buffer(new byte[] {1, 2, 3}));
          ws.writeTextMessage(new JsonObject().put("type", "session.message").encode());
          ws.writeTextMessage(frame(event("sess_A", 1)));
        });
    AspEventStream stream = connect(operator.baseUrl(), TOKEN, recorder, options());

    List<Event> events = recorder.awaitCount("sess_A", 2, WAIT);

    assertEquals(List.of(0L, 1L), events.stream().map(Event::sequence).toList());
    assertEquals(3, stream.invalidFrames());
    assertEquals(3, listener.copy(listener.invalidFrames).size());
    assertTrue(stream.isConnected());
  }

  @Test
  @DisplayName("reconnects after the operator closes, reports the close code, keeps delivering")
  void reconnectsAfterAClose() throws Exception {
    operator.onSocket(
        (n, ws) -> {
          ws.writeTextMessage(frame(event("sess_A", n - 1)));
          if (n <= 3) {
            ws.close(CloseCodes.SLOW_CONSUMER, "slow consumer");
          }
        });
    AspEventStream stream = connect(operator.baseUrl(), TOKEN, recorder, options());

    List<Event> events = recorder.awaitCount("sess_A", 4, WAIT);

    assertEquals(List.of(0L, 1L, 2L, 3L), events.stream().map(Event::sequence).toList());
    assertEquals(4, stream.connections());
    listener.await(l -> l.connects.size() == 4);
    assertEquals(List.of(1, 2, 3, 4), listener.copy(listener.connects));
    short slow = CloseCodes.SLOW_CONSUMER;
    assertEquals(List.of(slow, slow, slow), listener.copy(listener.disconnectCodes));
    assertEquals(slow, stream.lastCloseCode());
    assertEquals("slow consumer", stream.lastCloseReason());
    assertEquals(4, operator.authorizations.size());
  }

  @Test
  @DisplayName("retries a refused connection with growing jittered backoff until closed")
  void retriesWithBackoff() throws Exception {
    HttpServer gone =
        vertx.createHttpServer().requestHandler(r -> {}).listen(0, "127.0.0.1").await();
    int deadPort = gone.actualPort();
    gone.close().await();
    AspEventStream stream = connect("http://127.0.0.1:" + deadPort, TOKEN, recorder, options());

    listener.await(l -> l.failures.size() >= 4);
    List<Duration> retries = listener.copy(listener.retries);
    for (int attempt = 0; attempt < 4; attempt++) {
      long ceiling = Math.min(MAX.toMillis(), BASE.toMillis() << attempt);
      long delay = retries.get(attempt).toMillis();
      assertTrue(delay >= 0 && delay <= ceiling, "retry " + attempt + " after " + delay + " ms");
    }
    await(stream.close());

    assertInstanceOf(IllegalStateException.class, failureOf(stream.connected()));
    assertTrue(stream.stopped().succeeded());
    int failures = listener.copy(listener.failures).size();
    vertx.timer(QUIET.toMillis()).await();
    assertEquals(failures, listener.copy(listener.failures).size());
  }

  @Test
  @DisplayName("close() closes with 1000 and never reconnects")
  void closeStopsReconnecting() throws Exception {
    AspEventStream stream = connect(operator.baseUrl(), TOKEN, recorder, options());
    await(stream.connected());

    await(stream.close());

    assertEquals(List.of((short) 1000), operator.awaitCloses(1));
    assertTrue(stream.stopped().succeeded());
    assertFalse(stream.isConnected());
    vertx.timer(QUIET.toMillis()).await();
    assertEquals(1, operator.authorizations.size());
    assertEquals(1, stream.connections());
    await(stream.close()); // closing again is harmless
  }

  @Test
  @DisplayName("with reconnect off, stops after the first close")
  void reconnectOff() throws Exception {
    operator.onSocket((n, ws) -> ws.close(CloseCodes.GOING_AWAY, "shutting down"));
    AspEventStream stream =
        connect(operator.baseUrl(), TOKEN, recorder, options().setReconnect(false));

    await(stream.stopped());

    assertEquals(1, stream.connections());
    assertEquals(CloseCodes.GOING_AWAY, stream.lastCloseCode());
    vertx.timer(QUIET.toMillis()).await();
    assertEquals(1, operator.authorizations.size());
    List<Throwable> stops = listener.copy(listener.stops);
    assertEquals(1, stops.size());
    assertNull(stops.get(0));
  }

  @Test
  @DisplayName("pause() stops reading so TCP backpressure fills the operator's write queue")
  void pausePushesBackOnTheOperator() throws Exception {
    CompletableFuture<ServerWebSocket> socket = new CompletableFuture<>();
    CompletableFuture<Context> socketContext = new CompletableFuture<>();
    operator.onSocket(
        (n, ws) -> {
          socketContext.complete(Vertx.currentContext());
          socket.complete(ws);
        });
    AspEventStream stream = connect(operator.baseUrl(), TOKEN, recorder, options());
    await(stream.connected());
    ServerWebSocket ws = socket.get(10, TimeUnit.SECONDS);
    await(stream.pause());

    // The operator writes whenever its write queue has room, as a real one does. Were the client
    // reading, the queue would keep draining; paused, it fills and stays full.
    CompletableFuture<Integer> stuck = new CompletableFuture<>();
    CompletableFuture<Void> drained = new CompletableFuture<>();
    new Pump(ws, socketContext.get(10, TimeUnit.SECONDS), stuck, drained).start();
    int sent = stuck.get(10, TimeUnit.SECONDS);
    assertTrue(recorder.size() < sent, "received " + recorder.size() + " of " + sent);

    await(stream.resume());
    drained.get(10, TimeUnit.SECONDS);
    List<Event> events = recorder.awaitCount("sess_A", sent, WAIT);
    for (int seq = 0; seq < sent; seq++) {
      assertEquals(seq, events.get(seq).sequence());
    }
  }

  /**
   * Writes 8 KiB events while the socket's write queue has room. Once the queue has stayed full for
   * {@link #QUIET} without a drain, completes {@code stuck} with the number sent and stops writing;
   * the next drain completes {@code drained}. Runs on the socket's context.
   */
  private static final class Pump {
    private static final JsonObject PADDING = new JsonObject().put("pad", "x".repeat(8192));
    private final ServerWebSocket ws;
    private final Context context;
    private final CompletableFuture<Integer> stuck;
    private final CompletableFuture<Void> drained;
    private int sent;
    private int drains;

    Pump(
        ServerWebSocket ws,
        Context context,
        CompletableFuture<Integer> stuck,
        CompletableFuture<Void> drained) {
      this.ws = ws;
      this.context = context;
      this.stuck = stuck;
      this.drained = drained;
    }

    void start() {
      context.runOnContext(v -> fill());
    }

    private void fill() {
      if (stuck.isDone()) {
        drained.complete(null);
        return;
      }
      while (!ws.writeQueueFull()) {
        ws.writeTextMessage(frame(event("sess_A", sent++, PADDING)));
      }
      int drainsWhenFull = drains;
      ws.drainHandler(
          v -> {
            drains++;
            fill();
          });
      context
          .owner()
          .setTimer(
              QUIET.toMillis(),
              t -> {
                if (drains == drainsWhenFull) {
                  stuck.complete(sent);
                }
              });
    }
  }

  @Test
  @DisplayName("disconnect() drops the connection without a close frame, then reconnects")
  void disconnectDropsAbruptly() throws Exception {
    operator.onSocket((n, ws) -> ws.writeTextMessage(frame(event("sess_A", n - 1))));
    AspEventStream stream = connect(operator.baseUrl(), TOKEN, recorder, options());
    recorder.awaitCount("sess_A", 1, WAIT);

    await(stream.disconnect());

    recorder.awaitCount("sess_A", 2, WAIT);
    assertEquals(2, stream.connections());
    short abnormal = 1006; // no close frame: the RFC 6455 code for an abnormal closure
    assertEquals(List.of(abnormal), operator.awaitCloses(1));
    assertEquals(abnormal, stream.lastCloseCode());
    assertFalse(stream.stopped().isComplete());
  }

  @Test
  @DisplayName("disconnect(stayAway) does not reconnect before stayAway has passed")
  void disconnectStaysAway() throws Exception {
    Duration stayAway = Duration.ofMillis(300);
    AspEventStream stream = connect(operator.baseUrl(), TOKEN, recorder, options());
    await(stream.connected());

    long droppedAt = System.nanoTime();
    await(stream.disconnect(stayAway));

    listener.await(l -> l.connects.size() == 2);
    long away = operator.upgradedAt.get(1) - droppedAt;
    assertTrue(away >= stayAway.toNanos(), "reconnected after " + away / 1_000_000 + " ms");
  }

  @Test
  @DisplayName("tells its listener everything on the stream's one thread")
  void listenerOnTheStreamThread() throws Exception {
    operator.onSocket(
        (n, ws) -> {
          if (n == 1) {
            ws.close(CloseCodes.UNAVAILABLE, "unavailable");
          }
        });
    AspEventStream stream = connect(operator.baseUrl(), TOKEN, recorder, options());
    listener.await(l -> l.connects.size() == 2);
    await(stream.close());
    listener.await(l -> l.stops.size() == 1);

    assertEquals(1, Set.copyOf(listener.copy(listener.threads)).size());
    assertEquals(
        List.of(CloseCodes.UNAVAILABLE, (short) 1000), listener.copy(listener.disconnectCodes));
  }

  private EventStreamOptions options() {
    return new EventStreamOptions().setBackoff(BASE, MAX).setListener(listener);
  }

  private AspEventStream connect(
      String baseUrl, String token, Consumer<Event> onEvent, EventStreamOptions options) {
    AspClient client = AspClient.create(vertx, baseUrl, token);
    clients.add(client);
    AspEventStream stream = client.connect(onEvent, options);
    streams.add(stream);
    return stream;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Throwable failureOf(Future<?> future) throws Exception {
    ExecutionException failed = assertThrows(ExecutionException.class, () -> await(future));
    return failed.getCause();
  }
}
