package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asp.client.AspClient;
import dev.asp.client.NewSession;
import dev.asp.client.Replies.MessageSent;
import dev.asp.protocol.Event;
import dev.asp.protocol.Fields;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default keeps its data: stop the operator and its embedded PostgreSQL, start both
 * again on the same data directory, and sessions, transcripts, tokens and sequences continue.
 */
@DisplayName("Durability across restarts")
class DurabilityTest {
  @TempDir Path dataDir;

  @Test
  @DisplayName("sessions, transcripts and sequences continue where they were after a restart")
  void restart() {
    String aliceToken;
    String bobToken;
    String sessionId;
    MessageSent lastBefore;
    try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDir, 0, 4);
        OperatorHarness first = OperatorHarness.start(database.settings())) {
      aliceToken = first.admin.createAgent("@dur.alice", "open", null).await().token();
      bobToken = first.admin.createAgent("@dur.bob", "open", null).await().token();
      AspClient alice = first.client(aliceToken);
      sessionId =
          alice.createSession(NewSession.inviting("@dur.bob").topic("kept")).await().sessionId();
      first.client(bobToken).join(sessionId).await();
      alice.send(sessionId, "one").await();
      lastBefore = alice.send(sessionId, "two").await();
    }

    try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDir, 0, 4);
        OperatorHarness second = OperatorHarness.start(database.settings())) {
      AspClient bob = second.client(bobToken);
      assertEquals("kept", bob.getSession(sessionId).await().topic());
      MessageSent next = bob.send(sessionId, "three").await();
      assertEquals(lastBefore.sequence() + 1, next.sequence(), "the sequence continues, no gap");
      List<Event> events = second.client(aliceToken).events(sessionId, null, null).await().events();
      assertEquals(
          List.of("one", "two", "three"),
          events.stream()
              .filter(e -> e.type().equals("session.message"))
              .map(e -> e.payload().getString(Fields.CONTENT))
              .toList());
      for (int i = 0; i < events.size(); i++) {
        assertEquals(i, events.get(i).sequence());
      }
    }
  }

  @Test
  @DisplayName("the operator refuses a database migrated by a newer version")
  void refusesNewerSchema() {
    try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDir, 0, 4)) {
      try (OperatorHarness first = OperatorHarness.start(database.settings())) {
        first.count(
            "INSERT INTO session_schema_history (installed_rank, version, description, type, script,"
                + " checksum, installed_by, execution_time, success) VALUES (99, '99', 'from the"
                + " future', 'SQL', 'V99__future.sql', 0, 'test', 0, true) RETURNING 1");
      }
      Vertx vertx = Vertx.vertx();
      try {
        Throwable failure =
            org.junit.jupiter.api.Assertions.assertThrows(
                Throwable.class,
                () ->
                    Operator.start(
                            vertx,
                            ConfigLoader.load(
                                java.util.Map.of("ASP_HTTP_PORT", "0", "ASP_MANAGEMENT_PORT", "0")),
                            database.settings())
                        .await());
        org.junit.jupiter.api.Assertions.assertTrue(
            String.valueOf(failure.getMessage()).contains("session"), failure.toString());
      } finally {
        vertx.close().await();
      }
    }
  }
}
