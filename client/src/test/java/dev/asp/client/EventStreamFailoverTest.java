package dev.asp.client;

import static dev.asp.client.FakeOperator.TOKEN;
import static dev.asp.client.FakeOperator.event;
import static dev.asp.client.FakeOperator.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.CloseCodes;
import dev.asp.protocol.Event;
import dev.asp.protocol.EventType;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One stream over several operator nodes: which node it connects to, and what it hands over when a
 * node taking over replays events the stream already had. Each node is a {@link FakeOperator}.
 */
@DisplayName("The event stream over several nodes")
class EventStreamFailoverTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String MARKER = "sess_MARK";

  private Vertx vertx;
  private FakeOperator nodeA;
  private FakeOperator nodeB;
  private final EventRecorder recorder = new EventRecorder();
  private final RecordingListener listener = new RecordingListener();
  private final List<AspClient> clients = new ArrayList<>();
  private final List<AspEventStream> streams = new ArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    nodeA = new FakeOperator(vertx).start();
    nodeB = new FakeOperator(vertx).start();
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
  @DisplayName("connects to the first endpoint rather than the client's base URL")
  void firstEndpoint() throws Exception {
    AspEventStream stream = connect(nodeB.baseUrl(), options(nodeA, nodeB));

    await(stream.connected());

    assertEquals(nodeA.baseUrl(), stream.currentEndpoint());
    assertEquals(1, nodeA.accepted());
    assertEquals(List.of(), nodeB.authorizations);
  }

  @Test
  @DisplayName("without endpoints, connects to the client's base URL")
  void baseUrlByDefault() throws Exception {
    AspEventStream stream = connect(nodeB.baseUrl(), options().setEndpoints(null));

    await(stream.connected());

    assertEquals(nodeB.baseUrl(), stream.currentEndpoint());
    assertEquals(1, nodeB.accepted());
  }

  @Test
  @DisplayName("moves to the next endpoint when one refuses the upgrade")
  void refusedUpgrade() throws Exception {
    nodeA.refuse(503);
    AspEventStream stream = connect(nodeA.baseUrl(), options(nodeA, nodeB));

    await(stream.connected());

    assertEquals(nodeB.baseUrl(), stream.currentEndpoint());
    List<Throwable> failures = listener.copy(listener.failures);
    assertEquals(1, failures.size());
    assertEquals(503, assertInstanceOf(AspClientException.class, failures.get(0)).status());
    assertEquals(1, nodeA.authorizations.size());
    assertEquals(0, nodeA.accepted());
    assertEquals(1, nodeB.accepted());
  }

  @Test
  @DisplayName("moves to the next endpoint when one is down")
  void endpointDown() throws Exception {
    HttpServer gone =
        vertx.createHttpServer().requestHandler(r -> {}).listen(0, "127.0.0.1").await();
    String dead = "http://127.0.0.1:" + gone.actualPort();
    gone.close().await();
    AspEventStream stream = connect(dead, options().setEndpoints(List.of(dead, nodeB.baseUrl())));

    await(stream.connected());

    assertEquals(nodeB.baseUrl(), stream.currentEndpoint());
    assertEquals(1, listener.copy(listener.failures).size());
  }

  @Test
  @DisplayName("moves on after every close, round-robin: A, then B, then A again")
  void roundRobin() throws Exception {
    nodeA.onSocket((n, ws) -> closeFirst(n, ws));
    nodeB.onSocket((n, ws) -> closeFirst(n, ws));
    AspEventStream stream = connect(nodeA.baseUrl(), options(nodeA, nodeB));

    listener.await(l -> l.connects.size() == 3);

    assertEquals(nodeA.baseUrl(), stream.currentEndpoint());
    assertEquals(2, nodeA.accepted());
    assertEquals(1, nodeB.accepted());
    assertTrue(nodeA.upgradedAt.get(0) < nodeB.upgradedAt.get(0));
    assertTrue(nodeB.upgradedAt.get(0) < nodeA.upgradedAt.get(1));
    assertEquals(List.of(), listener.copy(listener.failures));
  }

  @Test
  @DisplayName("drops what the node taking over sends again after a crash, hands over the rest")
  void dropsTheReplayedRepeats() throws Exception {
    crashAfterTenThenReplayFromSeven();
    AspEventStream stream = connect(nodeA.baseUrl(), options(nodeA, nodeB));

    recorder.await("the marker", e -> MARKER.equals(e.sessionId()), WAIT);

    assertEquals(range(0, 12), sequences("sess_A"));
    assertEquals(4, stream.duplicatesDropped());
    assertEquals(nodeB.baseUrl(), stream.currentEndpoint());
  }

  @Test
  @DisplayName("with duplicates kept, hands over the raw stream, repeats included")
  void keepsDuplicatesWhenAsked() throws Exception {
    crashAfterTenThenReplayFromSeven();
    AspEventStream stream =
        connect(nodeA.baseUrl(), options(nodeA, nodeB).setDropDuplicates(false));

    recorder.await("the marker", e -> MARKER.equals(e.sessionId()), WAIT);

    List<Long> expected = new ArrayList<>(range(0, 10));
    expected.addAll(range(7, 12));
    assertEquals(expected, sequences("sess_A"));
    assertEquals(0, stream.duplicatesDropped());
  }

  @Test
  @DisplayName("hands over the transcript after an invitation, dropping only a repeated invitation")
  void invitationThenTranscript() throws Exception {
    nodeA.onSocket(
        (n, ws) -> {
          ws.writeTextMessage(frame(event("sess_A", 5)));
          LongStream.rangeClosed(0, 6)
              .forEach(seq -> ws.writeTextMessage(frame(event("sess_A", seq))));
          ws.writeTextMessage(frame(event(MARKER, 0)));
        });
    AspEventStream stream = connect(nodeA.baseUrl(), options());

    recorder.await("the marker", e -> MARKER.equals(e.sessionId()), WAIT);

    assertEquals(List.of(5L, 0L, 1L, 2L, 3L, 4L, 6L), sequences("sess_A"));
    assertEquals(1, stream.duplicatesDropped());
  }

  @Test
  @DisplayName("refuses an endpoint that is not an http(s) or ws(s) URL with a host")
  void refusesBadEndpoints() {
    EventStreamOptions options = new EventStreamOptions();
    for (String bad : List.of("127.0.0.1:8080", "ftp://host", "http:///connect", "not a url")) {
      assertThrows(IllegalArgumentException.class, () -> options.setEndpoints(List.of(bad)), bad);
    }
    assertEquals(List.of(), options.getEndpoints());
  }

  /**
   * Node A writes sess_A 0..10 and goes away; node B, replaying from a cursor saved earlier, sends
   * 7..12 and then a marker event.
   */
  private void crashAfterTenThenReplayFromSeven() {
    nodeA.onSocket(
        (n, ws) -> {
          LongStream.rangeClosed(0, 10)
              .forEach(seq -> ws.writeTextMessage(frame(event("sess_A", seq))));
          // How the connection ends does not matter to the client: any end is a reconnect.
          ws.close(CloseCodes.GOING_AWAY, "crashed");
        });
    nodeB.onSocket(
        (n, ws) -> {
          LongStream.rangeClosed(7, 12)
              .forEach(seq -> ws.writeTextMessage(frame(event("sess_A", seq))));
          ws.writeTextMessage(
              frame(new Event(EventType.MESSAGE.wire(), MARKER, "evt_M", 0, 0, null)));
        });
  }

  private static void closeFirst(int n, ServerWebSocket ws) {
    if (n == 1) {
      ws.close(CloseCodes.GOING_AWAY, "shutting down");
    }
  }

  private List<Long> sequences(String session) {
    return recorder.events(session).stream().map(Event::sequence).toList();
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  private EventStreamOptions options(FakeOperator... nodes) {
    List<String> endpoints = new ArrayList<>();
    for (FakeOperator node : nodes) {
      endpoints.add(node.baseUrl());
    }
    return new EventStreamOptions()
        .setEndpoints(endpoints)
        .setBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
        .setListener(listener);
  }

  private AspEventStream connect(String baseUrl, EventStreamOptions options) {
    AspClient client = AspClient.create(vertx, baseUrl, TOKEN);
    clients.add(client);
    AspEventStream stream = client.connect(recorder, options);
    streams.add(stream);
    return stream;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }
}
