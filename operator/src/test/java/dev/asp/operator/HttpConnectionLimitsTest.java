package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asp.client.AspClient;
import dev.asp.client.AspEventStream;
import dev.asp.client.EventRecorder;
import dev.asp.client.NewSession;
import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Idle, header and connection limits of the public HTTP server (issue 14 item 12), through the real
 * gateway with a small cap and short timeouts set by configuration: raw TCP sockets that never send
 * a request are closed, sockets beyond the cap are closed at once, and the node still serves REST
 * calls, WebSockets and long-polls longer than the idle timeout.
 */
@DisplayName("HTTP connections are bounded: idle and header timeouts, a connection cap")
class HttpConnectionLimitsTest {
  private static final int CAP = 24;
  private static final long IDLE_MS = 3000;
  private static final long HEADER_MS = 2000;
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static OperatorHarness operator;

  @BeforeAll
  static void start() {
    operator =
        OperatorHarness.start(
            TestDatabase.fresh(),
            Map.of(
                "ASP_HTTP_MAX_CONNECTIONS", Integer.toString(CAP),
                "ASP_HTTP_IDLE_TIMEOUT_MS", Long.toString(IDLE_MS),
                "ASP_HTTP_HEADER_TIMEOUT_MS", Long.toString(HEADER_MS)));
  }

  @AfterAll
  static void stop() {
    operator.close();
  }

  @Test
  @DisplayName(
      "a flood of silent connections: those beyond the cap are closed at once, the rest after the"
          + " header timeout; then a REST call and a WebSocket connect succeed")
  void floodThenServe() throws IOException {
    // whatever earlier tests left open times out first, so the cap counts only the flood
    awaitTrue("no connection left open", () -> meter("asp.http.connections.open") == 0);
    double refusedBefore = meter("asp.http.connections.refused");
    List<Socket> admitted = new ArrayList<>();
    List<Socket> beyond = new ArrayList<>();
    try {
      long openedAt = System.nanoTime();
      for (int i = 0; i < CAP; i++) {
        admitted.add(silent());
      }
      awaitTrue("the node counts the flood", () -> meter("asp.http.connections.open") == CAP);
      for (int i = 0; i < 6; i++) {
        beyond.add(silent());
      }
      for (Socket socket : beyond) {
        assertClosed(socket);
      }
      assertEquals(6, meter("asp.http.connections.refused") - refusedBefore, "refused at the cap");
      for (Socket socket : admitted) {
        assertClosed(socket);
      }
      long elapsedMs = (System.nanoTime() - openedAt) / 1_000_000;
      assertTrue(
          elapsedMs >= HEADER_MS, "the admitted ones lived until the header timeout: " + elapsedMs);
      assertTrue(meter("asp.http.header.timeouts") >= CAP, "counted as header timeouts");
    } finally {
      closeAll(admitted);
      closeAll(beyond);
    }

    Agent alice = agent();
    AspEventStream stream = alice.client().connect(alice.events());
    try {
      stream.connected().await();
      assertInvitationArrives(alice);
    } finally {
      stream.close().await();
      alice.client().close();
    }
  }

  @Test
  @DisplayName(
      "a keep-alive connection with no request is closed after the idle timeout, a WebSocket is"
          + " not")
  void idleKeepAliveClosedWebSocketKept() throws IOException {
    Agent alice = agent();
    AspEventStream stream = alice.client().connect(alice.events());
    try (Socket socket = new Socket("127.0.0.1", operator.running.port())) {
      stream.connected().await();
      socket.setSoTimeout((int) WAIT.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET /sessions/none HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      String head = readHead(socket.getInputStream());
      long answeredAt = System.nanoTime();
      assertTrue(head.startsWith("HTTP/1.1 401"), head);
      assertTrue(head.toLowerCase().contains("keep-alive: timeout=1"), "advertised: " + head);
      skipToEnd(socket.getInputStream());
      long idleMs = (System.nanoTime() - answeredAt) / 1_000_000;
      assertTrue(idleMs >= IDLE_MS - 100, "closed by the idle timeout, not before: " + idleMs);

      // the WebSocket outlived the idle timeout on the same connection it started with
      assertInvitationArrives(alice);
      assertEquals(1, stream.connections(), "the WebSocket was never cut");
    } finally {
      stream.close().await();
      alice.client().close();
    }
  }

  @Test
  @DisplayName("a request whose headers trickle in is closed after the header timeout")
  void slowHeadersClosed() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", operator.running.port())) {
      long openedAt = System.nanoTime();
      OutputStream out = socket.getOutputStream();
      out.write("GET /sessions HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      // one more header line whenever the server stayed silent for 200 ms: bytes keep coming,
      // the headers never end
      socket.setSoTimeout(200);
      InputStream in = socket.getInputStream();
      long deadline = openedAt + WAIT.toNanos();
      while (true) {
        if (System.nanoTime() > deadline) {
          fail("the slow request was not closed");
        }
        try {
          int read = in.read();
          assertEquals(-1, read, "closed without an answer");
          break;
        } catch (SocketTimeoutException stillOpen) {
          try {
            out.write("X-Slow: 1\r\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
          } catch (IOException closed) {
            break;
          }
        } catch (IOException reset) {
          break;
        }
      }
      long elapsedMs = (System.nanoTime() - openedAt) / 1_000_000;
      assertTrue(elapsedMs >= HEADER_MS - 100, "closed at the header timeout: " + elapsedMs);
    }
  }

  @Test
  @DisplayName("a long-poll longer than the idle timeout completes normally")
  void longPollOutlivesIdleTimeout() {
    try (RawHttp http = new RawHttp(operator.vertx, "127.0.0.1", operator.running.port())) {
      HubNodes.Node node = HubNodes.hello(http);
      long waitMs = 2 * Math.max(IDLE_MS, HEADER_MS);
      long startedAt = System.nanoTime();
      JsonObject reply =
          HubNodes.ok(
              http.post(
                  "/a2a/events/poll",
                  node.secret(),
                  new JsonObject().put("node_id", node.id()).put("timeout_ms", waitMs)));
      long elapsedMs = (System.nanoTime() - startedAt) / 1_000_000;
      assertEquals(0, reply.getJsonArray("events").size(), reply.encode());
      assertTrue(elapsedMs >= waitMs - 100, "it waited its whole timeout: " + elapsedMs);
    }
  }

  private record Agent(String handle, AspClient client, EventRecorder events) {}

  private static Agent agent() {
    String handle = "@conn" + COUNTER.incrementAndGet() + ".agent";
    return new Agent(handle, operator.agent(handle, "open"), new EventRecorder());
  }

  /** Another agent invites {@code agent}; the invitation reaches its WebSocket. */
  private static void assertInvitationArrives(Agent agent) {
    Agent bob = agent();
    try {
      String session =
          bob.client().createSession(NewSession.inviting(agent.handle())).await().sessionId();
      agent.events().await(e -> session.equals(e.sessionId()), WAIT);
    } finally {
      bob.client().close();
    }
  }

  private static double meter(String name) {
    MeterRegistry registry = operator.running.meterRegistry();
    var gauge = registry.find(name).gauge();
    return gauge != null ? gauge.value() : registry.find(name).functionCounter().count();
  }

  /** A TCP connection that sends nothing. */
  private static Socket silent() throws IOException {
    Socket socket = new Socket("127.0.0.1", operator.running.port());
    socket.setSoTimeout((int) WAIT.toMillis());
    return socket;
  }

  /** The server closed the socket: end of stream (or a reset) without a byte, within the wait. */
  private static void assertClosed(Socket socket) {
    try {
      assertEquals(-1, socket.getInputStream().read(), "closed without an answer");
    } catch (SocketTimeoutException e) {
      fail("still open after " + WAIT);
    } catch (IOException reset) {
      // a reset is closed too
    }
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        fail("closed before the response headers: " + head);
      }
      head.append((char) b);
    }
    return head.toString();
  }

  /** Reads the rest of the response and waits for the server to close; fails after the wait. */
  private static void skipToEnd(InputStream in) throws IOException {
    try {
      while (in.read() >= 0) {
        // the 401 body, then nothing until the server closes
      }
    } catch (SocketTimeoutException e) {
      fail("the idle connection was not closed within " + WAIT);
    } catch (IOException reset) {
      // closed
    }
  }

  private static void closeAll(List<Socket> sockets) {
    for (Socket socket : sockets) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // already closed by the server
      }
    }
  }

  private static void awaitTrue(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail(what + ": not within " + WAIT);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(20_000_000); // polling, bounded above
    }
  }
}
