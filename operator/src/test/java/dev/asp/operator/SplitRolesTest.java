package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.client.AspClient;
import dev.asp.client.AspEventStream;
import dev.asp.client.EventRecorder;
import dev.asp.client.EventStreamOptions;
import dev.asp.client.NewSession;
import dev.asp.client.RawResponse;
import dev.asp.client.Replies.MessageSent;
import dev.asp.protocol.Event;
import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * P9: a cluster of split roles — a gateway-only node (REST), a session+trust node (the database)
 * and a delivery-only node (the WebSockets) — behaves like one all-in-one node.
 */
@DisplayName("A cluster of split roles")
class SplitRolesTest {
  static final Duration WAIT = Duration.ofSeconds(15);
  private static final int GATEWAY = 0;
  private static final int CORE = 1;
  private static final int DELIVERY = 2;
  private static ClusterHarness cluster;

  @BeforeAll
  static void start() {
    cluster = new ClusterHarness(TestDatabase.fresh(), 3);
    Map<String, String> settings =
        Map.of("ASP_GRACE_MS", "3000", "ASP_GRACE_SWEEP_MS", "50", "ASP_CURSOR_FLUSH_MS", "50");
    cluster.start(CORE, "session,trust", settings);
    cluster.start(GATEWAY, "gateway", settings);
    cluster.start(DELIVERY, "delivery", settings);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static AspEventStream stream(String token, EventRecorder events) {
    AspEventStream stream =
        cluster
            .client(GATEWAY, token)
            .connect(events, new EventStreamOptions().setEndpoints(List.of(cluster.url(DELIVERY))));
    stream.connected().await();
    return stream;
  }

  @Test
  @DisplayName("each node serves only its part, and says so")
  void partsServed() {
    assertEquals(-1, cluster.nodes.get(CORE).port(), "the core node serves no HTTP");
    String token = cluster.agent(GATEWAY, "@split.parts");
    RawResponse rest =
        cluster
            .client(DELIVERY, token)
            .raw(HttpMethod.GET, "/sessions/sess_0", null, Map.of())
            .await();
    assertEquals(404, rest.status(), "the delivery node serves no REST API");
    RawResponse stream =
        cluster.client(GATEWAY, token).raw(HttpMethod.GET, "/connect", null, Map.of()).await();
    assertEquals(404, stream.status(), "the gateway-only node serves no streams");
    assertTrue(stream.body().toString().contains("delivery"), stream.body().toString());
  }

  @Test
  @DisplayName("the seed flow works end to end across the three roles, grace window included")
  void flowAcrossRoles() {
    String aliceToken = cluster.agent(GATEWAY, "@split.alice");
    String bobToken = cluster.agent(GATEWAY, "@split.bob");
    AspClient alice = cluster.client(GATEWAY, aliceToken);
    AspClient bob = cluster.client(GATEWAY, bobToken);
    EventRecorder aliceSees = new EventRecorder();
    EventRecorder bobSees = new EventRecorder();
    AspEventStream aliceStream = stream(aliceToken, aliceSees);
    AspEventStream bobStream = stream(bobToken, bobSees);
    try {
      String id = alice.createSession(NewSession.inviting("@split.bob")).await().sessionId();
      bob.join(id).await();
      MessageSent hello = alice.send(id, "hello").await();
      MessageSent hi = bob.send(id, "hi").await();
      for (EventRecorder events : List.of(aliceSees, bobSees)) {
        events.await(e -> e.sessionId().equals(id) && e.sequence() == hi.sequence(), WAIT);
        assertEquals(
            List.of(0L, 1L, hello.sequence(), hi.sequence()),
            events.events(id).stream().map(Event::sequence).toList());
      }

      bobStream.close().await();
      aliceSees.await(
          e -> e.type().equals(EventType.DISCONNECTED.wire()) && e.sessionId().equals(id), WAIT);
      EventRecorder bobAgain = new EventRecorder();
      bobStream = stream(bobToken, bobAgain);
      Event back =
          aliceSees.await(
              e -> e.type().equals(EventType.RECONNECTED.wire()) && e.sessionId().equals(id), WAIT);
      assertEquals("@split.bob", back.payload().getString(Fields.AGENT));
    } finally {
      aliceStream.close().await();
      bobStream.close().await();
    }
  }
}
