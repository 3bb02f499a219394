package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.client.AspClient;
import dev.asp.client.AspEventStream;
import dev.asp.client.EventRecorder;
import dev.asp.client.EventStreamOptions;
import dev.asp.client.NewSession;
import dev.asp.client.Replies.MessageSent;
import dev.asp.protocol.Event;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restart the operator mid-conversation on the same database and port: the agents' streams
 * reconnect by themselves and replay from their cursors, without loss or duplicates.
 */
@DisplayName("Live delivery across an operator restart")
class RestartDeliveryTest {
  @TempDir Path dataDir;

  @Test
  @DisplayName("agents reconnect and replay from their cursors without loss or duplicates")
  void restartMidConversation() throws IOException {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    Map<String, String> settings =
        Map.of(
            "ASP_HTTP_PORT",
            String.valueOf(port),
            "ASP_GRACE_MS",
            "20000",
            "ASP_CURSOR_FLUSH_MS",
            "100");
    Vertx clients = Vertx.vertx();
    EventStreamOptions quickRetry =
        new EventStreamOptions().setBackoff(Duration.ofMillis(50), Duration.ofMillis(300));
    EventRecorder aliceSees = new EventRecorder();
    EventRecorder bobSees = new EventRecorder();
    try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDir, 0, 4)) {
      String url = "http://127.0.0.1:" + port;
      AspClient alice;
      AspClient bob;
      AspEventStream aliceStream;
      AspEventStream bobStream;
      String id;
      try (OperatorHarness first = OperatorHarness.start(database.settings(), settings)) {
        alice =
            AspClient.create(
                clients, url, first.admin.createAgent("@rs.alice", "open", null).await().token());
        bob =
            AspClient.create(
                clients, url, first.admin.createAgent("@rs.bob", "open", null).await().token());
        aliceStream = alice.connect(aliceSees, quickRetry);
        bobStream = bob.connect(bobSees, quickRetry);
        aliceStream.connected().await();
        bobStream.connected().await();
        id = alice.createSession(NewSession.inviting("@rs.bob")).await().sessionId();
        bob.join(id).await();
        for (int i = 0; i < 3; i++) {
          MessageSent m = alice.send(id, "before restart " + i).await();
          bobSees.await(e -> e.sequence() == m.sequence(), LiveDeliveryTest.WAIT);
        }
      }
      try (OperatorHarness second = OperatorHarness.start(database.settings(), settings)) {
        MessageSent last = null;
        for (int i = 0; i < 3; i++) {
          last = alice.send(id, "after restart " + i).await();
        }
        long lastSequence = last.sequence();
        bobSees.await(
            e -> e.sessionId().equals(id) && e.sequence() == lastSequence, LiveDeliveryTest.WAIT);
        aliceSees.await(
            e -> e.sessionId().equals(id) && e.sequence() == lastSequence, LiveDeliveryTest.WAIT);
        assertTrue(bobStream.connections() >= 2, "bob's stream reconnected");
        for (EventRecorder recorder : List.of(aliceSees, bobSees)) {
          List<Long> sequences = recorder.events(id).stream().map(Event::sequence).toList();
          for (int i = 0; i < sequences.size(); i++) {
            assertEquals(i, sequences.get(i), "each event exactly once, in order: " + sequences);
          }
        }
        aliceStream.close().await();
        bobStream.close().await();
      }
    } finally {
      clients.close().await();
    }
  }
}
