package dev.asp.examples.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.client.AspAdminClient;
import dev.asp.client.AspClient;
import dev.asp.client.EventRecorder;
import dev.asp.client.EventStreamOptions;
import dev.asp.client.NewSession;
import dev.asp.operator.ConfigLoader;
import dev.asp.operator.Operator;
import dev.asp.protocol.Event;
import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The echo agent against a whole operator (every verticle, the real gateway on a free loopback
 * port, a real PostgreSQL), talked to by alice through the project's client as a user would.
 *
 * <p>The operator confirms what a WebSocket peer read with a ping once per {@code
 * ASP_CURSOR_FLUSH_MS}; at 60 s here, everything after a connection's first frame stays unconfirmed
 * for the whole test, so a connection cut off without a close frame is sure to be sent those events
 * again on the next one: the case where an agent could answer twice.
 */
@DisplayName("The echo agent (examples/echo-agent)")
class EchoAgentTest {
  private static final String ADMIN_TOKEN = "admin-token-for-the-example-tests";
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static Vertx vertx;
  private static Operator.Running operator;
  private static String url;
  private static AspAdminClient admin;
  private static int agents;

  private Vertx agentVertx;
  private String echoHandle;
  private String echoToken;
  private AspClient alice;
  private EventRecorder aliceSees;

  @BeforeAll
  static void startOperator() {
    vertx = Vertx.vertx();
    operator =
        Operator.start(
                vertx,
                ConfigLoader.load(
                    Map.of(
                        "ASP_HTTP_PORT", "0",
                        "ASP_MANAGEMENT_PORT", "0",
                        "ASP_ADMIN_TOKEN", ADMIN_TOKEN,
                        "ASP_BUS_TIMEOUT_MS", "5000",
                        "ASP_CURSOR_FLUSH_MS", "60000",
                        "ASP_WS_PING_INTERVAL_MS", "60000",
                        "ASP_WS_IDLE_TIMEOUT_MS", "180000",
                        "ASP_SHUTDOWN_TIMEOUT_MS", "2000")),
                TestDatabase.fresh())
            .await();
    url = "http://127.0.0.1:" + operator.port();
    admin = AspAdminClient.create(vertx, url, ADMIN_TOKEN);
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close().await();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  /** A fresh pair per test (each its own owner), so no test sees another's sessions. */
  @BeforeEach
  void registerAgents() {
    agents++;
    echoHandle = "@echo" + agents + ".bot";
    echoToken = admin.createAgent(echoHandle, "open", null).await().token();
    String aliceToken =
        admin.createAgent("@alice" + agents + ".test", "open", null).await().token();
    alice = AspClient.create(vertx, url, aliceToken);
    aliceSees = new EventRecorder();
    alice.connect(aliceSees).connected().await();
    agentVertx = Vertx.vertx();
  }

  @AfterEach
  void stopAgents() {
    agentVertx.close().await();
    alice.close();
  }

  private EchoAgent startAgent(List<String> endpoints) {
    EchoAgent agent =
        new EchoAgent(
            new EchoAgent.Settings(
                url,
                echoToken,
                echoHandle,
                endpoints,
                new EventStreamOptions()
                    .setBackoff(Duration.ofMillis(20), Duration.ofMillis(200))));
    agentVertx.deployVerticle(agent).await();
    return agent;
  }

  @Test
  @DisplayName(
      "joins the sessions it is invited to, before and after it connects, and answers each message"
          + " with its content; with a dead node listed first it connects to the next")
  void joinsAndAnswers() throws IOException {
    String offline = alice.createSession(NewSession.inviting(echoHandle)).await().sessionId();
    String dead = "http://127.0.0.1:" + closedPort();
    EchoAgent agent = startAgent(List.of(dead, url));
    assertEquals(url, agent.stream().currentEndpoint(), "moved on from the dead node");
    awaitJoined(offline);
    String online =
        alice.createSession(NewSession.inviting(echoHandle).topic("after")).await().sessionId();
    awaitJoined(online);

    long first = alice.send(offline, "hello echo").await().sequence();
    assertEquals("hello echo", awaitAnswer(offline, first).payload().getValue(Fields.CONTENT));
    JsonObject parts = new JsonObject().put("type", "text").put("text", "in parts");
    long second = alice.send(online, new JsonArray().add(parts)).await().sequence();
    assertEquals(
        new JsonArray().add(parts), awaitAnswer(online, second).payload().getValue(Fields.CONTENT));
    assertEquals(1, answersIn(offline));
    assertEquals(1, answersIn(online));
  }

  @Test
  @DisplayName(
      "reconnects by itself after its connection is cut off, drops what the operator sends again"
          + " and answers nothing twice")
  void reconnectsWithoutRepeating() {
    EchoAgent agent = startAgent(List.of());
    String session = alice.createSession(NewSession.inviting(echoHandle)).await().sessionId();
    awaitJoined(session);
    long first = alice.send(session, "before the drop").await().sequence();
    awaitAnswer(session, first);
    awaitTrue(() -> agent.answers() == 1, "the agent saw its answer accepted");

    agent.stream().disconnect().await(); // no close frame: what the operator holds unconfirmed
    awaitTrue(() -> agent.stream().connections() == 2, "the agent reconnected");
    long second = alice.send(session, "after the drop").await().sequence();
    awaitAnswer(session, second);
    awaitTrue(() -> agent.answers() >= 2, "the agent saw its second answer accepted");

    assertTrue(
        agent.stream().duplicatesDropped() > 0,
        "the operator replayed what the cut-off connection had read (the case under test)");
    assertEquals(2, agent.answers(), "one answer per message, none for a replayed one");
    assertEquals(2, answersIn(session), "the log holds one answer per message");
  }

  @Test
  @DisplayName(
      "restarted after being cut off, it is sent the message again and answers it with the same"
          + " idempotency key: the log still holds one answer")
  void restartedAgentAnswersOnce() {
    EchoAgent first = startAgent(List.of());
    String session = alice.createSession(NewSession.inviting(echoHandle)).await().sessionId();
    awaitJoined(session);
    long message = alice.send(session, "answer me once").await().sequence();
    awaitAnswer(session, message);
    first.stream().disconnect(Duration.ofHours(1)).await(); // cut off, as a crashed host would be
    agentVertx.close().await();

    agentVertx = Vertx.vertx();
    EchoAgent second = startAgent(List.of());
    awaitTrue(() -> second.answers() == 1, "the restarted agent answered the replayed message");
    long later = alice.send(session, "and this one").await().sequence();
    awaitAnswer(session, later);
    awaitTrue(() -> second.answers() >= 2, "the agent saw its second answer accepted");

    assertEquals(2, second.answers());
    assertEquals(2, answersIn(session), "the replayed message's answer was not appended again");
    assertEquals(1, answersTo(session, message));
  }

  // ---------------------------------------------------------------------------------------------

  private void awaitJoined(String session) {
    aliceSees.await(
        echoHandle + " joined " + session,
        e ->
            e.sessionId().equals(session)
                && EventType.JOINED.wire().equals(e.type())
                && echoHandle.equals(e.payload().getString(Fields.AGENT)),
        WAIT);
  }

  private Event awaitAnswer(String session, long sequence) {
    return aliceSees.await(
        "the answer to " + session + " #" + sequence,
        e -> e.sessionId().equals(session) && answers(e, sequence),
        WAIT);
  }

  private boolean answers(Event e, long sequence) {
    JsonObject metadata = e.payload().getJsonObject(Fields.METADATA);
    return EventType.MESSAGE.wire().equals(e.type())
        && echoHandle.equals(e.payload().getString(Fields.SENDER))
        && metadata != null
        && Long.valueOf(sequence).equals(metadata.getLong(EchoAgent.ECHO_OF));
  }

  /** The agent's messages in the session's log, read back through REST (the truth, not a view). */
  private long answersIn(String session) {
    return log(session).stream()
        .filter(e -> EventType.MESSAGE.wire().equals(e.type()))
        .filter(e -> echoHandle.equals(e.payload().getString(Fields.SENDER)))
        .count();
  }

  private long answersTo(String session, long sequence) {
    return log(session).stream().filter(e -> answers(e, sequence)).count();
  }

  private List<Event> log(String session) {
    return alice.events(session, null, 1000).await().events();
  }

  private static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
      vertx.timer(10).await();
    }
  }

  /** A loopback port nothing listens on (bound, then released). */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
