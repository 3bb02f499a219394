package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import dev.asp.client.AspAdminClient;
import dev.asp.client.AspClient;
import dev.asp.client.AspClientException;
import dev.asp.client.AspEventStream;
import dev.asp.client.EventRecorder;
import dev.asp.client.NewSession;
import dev.asp.operator.logging.JsonLineEncoder;
import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Everything a node logs during a whole agent lifecycle (at DEBUG, for the operator's code),
 * captured through the JSON encoder: every line parses, the lifecycle lines carry the agent and the
 * session id as fields, and no credential ever appears, neither the ones the operator was given
 * (admin token, seed) nor those it issued, nor a wrong one a client tried.
 */
@DisplayName("Structured logs")
class StructuredLogsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String SEEDED_TOKEN = "tok_seeded_secret_0f7a3c9e51";
  private static final String WRONG_TOKEN = "tok_wrong_secret_8d2b6e4a70";
  @TempDir Path dir;

  @Test
  @DisplayName("JSON lines with agent and session_id in context, and never a token")
  void lifecycle() throws IOException {
    Path seed = dir.resolve("seed.json");
    Files.writeString(
        seed,
        "{\"@seeded.logs\": {\"token\": \"" + SEEDED_TOKEN + "\", \"inbound_policy\": \"open\"}}");
    List<String> secrets = new ArrayList<>(List.of(SEEDED_TOKEN, WRONG_TOKEN));
    secrets.add(OperatorHarness.ADMIN_TOKEN);

    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger asp = context.getLogger("dev.asp");
    Level previous = asp.getLevel();
    OutputStreamAppender<ILoggingEvent> capture = new OutputStreamAppender<>();
    capture.setName("structured-logs-test");
    capture.setContext(context);
    JsonLineEncoder encoder = new JsonLineEncoder();
    encoder.setContext(context);
    encoder.start();
    capture.setEncoder(encoder);
    capture.setOutputStream(captured);
    capture.start();
    root.addAppender(capture);
    asp.setLevel(Level.DEBUG);
    String sessionId;
    try (OperatorHarness operator =
        OperatorHarness.start(
            TestDatabase.fresh(),
            Map.of(
                "ASP_SEED_FILE", seed.toString(),
                "ASP_GRACE_MS", "300",
                "ASP_GRACE_SWEEP_MS", "50",
                "ASP_CURSOR_FLUSH_MS", "50"))) {
      AspAdminClient admin = operator.admin;
      AspAdminClient.Credentials aliceCredentials =
          admin.createAgent("@alice.logs", "open", List.of()).await();
      AspAdminClient.Credentials bobCredentials =
          admin.createAgent("@bob.logs", "open", List.of()).await();
      secrets.add(aliceCredentials.token());
      secrets.add(bobCredentials.token());
      secrets.add(admin.createOwner("logs").await().token());
      AspClient alice = operator.client(aliceCredentials.token());
      AspClient bob = operator.client(bobCredentials.token());
      AspClient seeded = operator.client(SEEDED_TOKEN);
      AspClient wrong = operator.client(WRONG_TOKEN);

      AspClientException refused =
          assertThrows(
              AspClientException.class,
              () -> wrong.createSession(NewSession.inviting("@bob.logs")).await());
      assertEquals(401, refused.status());

      EventRecorder bobSees = new EventRecorder();
      AspEventStream stream = bob.connect(bobSees);
      stream.connected().await();
      sessionId =
          alice
              .createSession(NewSession.inviting("@bob.logs", "@seeded.logs").topic("logs"))
              .await()
              .sessionId();
      bob.join(sessionId).await();
      seeded.join(sessionId).await();
      alice.send(sessionId, "hello").await();
      bobSees.awaitType(sessionId, EventType.MESSAGE, WAIT);
      stream.close().await();
      // bob stays away past his grace window: he leaves with grace_expired
      EventRecorder aliceSees = new EventRecorder();
      AspEventStream aliceStream = alice.connect(aliceSees);
      aliceStream.connected().await();
      aliceSees.await(
          e ->
              e.type().equals(EventType.LEFT.wire())
                  && "@bob.logs".equals(e.payload().getString(Fields.AGENT)),
          WAIT);
      secrets.add(admin.rotateTokens("@seeded.logs").await().token());
      alice.end(sessionId).await();
      aliceSees.awaitType(sessionId, EventType.ENDED, WAIT);
      aliceStream.close().await();
      List.of(alice, bob, seeded, wrong).forEach(AspClient::close);
    } finally {
      asp.setLevel(previous);
      root.detachAppender(capture);
      capture.stop();
    }

    String output = captured.toString(StandardCharsets.UTF_8);
    for (String secret : secrets) {
      assertFalse(output.contains(secret), "a credential was logged:\n" + output);
    }
    List<JsonObject> lines = new ArrayList<>();
    for (String line : output.split("\n")) {
      lines.add(new JsonObject(line)); // throws on anything but one JSON object per line
    }
    assertTrue(lines.size() > 5, output);
    assertLogged(lines, "session created", "session_id", sessionId, "agent", "@alice.logs");
    assertLogged(lines, "agent online", "agent", "@bob.logs");
    assertLogged(lines, "agent offline everywhere: grace window started", "agent", "@bob.logs");
    assertLogged(lines, "grace window expired: the agent left its sessions", "agent", "@bob.logs");
    assertLogged(lines, "session ended", "session_id", sessionId, "agent", "@alice.logs");
  }

  /** Some line has this message and these fields (name, value, name, value...). */
  private static void assertLogged(List<JsonObject> lines, String message, String... fields) {
    for (JsonObject line : lines) {
      if (!message.equals(line.getString("message"))) {
        continue;
      }
      boolean all = true;
      for (int i = 0; i < fields.length; i += 2) {
        all &= fields[i + 1].equals(line.getValue(fields[i]));
      }
      if (all) {
        return;
      }
    }
    throw new AssertionError("no line '" + message + "' with " + List.of(fields) + " in " + lines);
  }
}
