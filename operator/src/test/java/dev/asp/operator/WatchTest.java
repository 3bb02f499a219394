package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.client.AspAdminClient;
import dev.asp.client.AspClient;
import dev.asp.client.NewSession;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Watch} as a user runs it: its own JVM against a real node, standard output and standard
 * error captured apart. Standard output must be something {@code jq} reads: one JSON event per line
 * and nothing else; the watcher's status belongs on standard error.
 */
@DisplayName("Watch")
class WatchTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static OperatorHarness node;

  @BeforeAll
  static void start() {
    node = OperatorHarness.start(TestDatabase.fresh());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  @DisplayName(
      "prints only JSON events on stdout, one per line, and connected / closed with code /"
          + " reconnecting / stopped on stderr")
  void stdoutIsEventsOnly(@TempDir Path dir) throws Exception {
    AspAdminClient admin = node.admin;
    AspClient alice = node.agent("@alice.watch", "open");
    AspAdminClient.Credentials bob = admin.createAgent("@bob.watch", "open", List.of()).await();
    AspClient bobClient = node.client(bob.token());
    Path out = dir.resolve("stdout");
    Path err = dir.resolve("stderr");
    Process watch = watch(bob.token(), out, err);
    try {
      await(err, text -> text.contains("watch: connected to " + node.url + "/connect"), watch);

      String id = alice.createSession(NewSession.inviting("@bob.watch")).await().sessionId();
      bobClient.join(id).await();
      alice.send(id, "hello bob").await();
      await(out, text -> text.lines().count() >= 3, watch);

      // revoking bob's tokens closes his socket with 4003; the reconnect is refused (401)
      admin.rotateTokens("@bob.watch").await();
      assertTrue(watch.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "watch did not stop");
      assertEquals(1, watch.exitValue(), "a refused token ends the watch with status 1");
    } finally {
      watch.destroyForcibly();
    }

    List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
    assertEquals(3, lines.size(), String.join("\n", lines));
    List<String> types = List.of("session.invited", "session.joined", "session.message");
    for (int i = 0; i < lines.size(); i++) {
      JsonObject event = new JsonObject(lines.get(i)); // fails on anything but a JSON object
      assertEquals(types.get(i), event.getString("type"));
      assertEquals(i, event.getLong("sequence"));
      assertTrue(event.containsKey("session_id") && event.containsKey("event_id"), lines.get(i));
    }
    String status = Files.readString(err, StandardCharsets.UTF_8);
    assertTrue(status.contains("watch: closed with code 4003"), status);
    assertTrue(status.contains("reconnecting"), status);
    assertTrue(status.contains("watch: stopped:"), status);
    String events = Files.readString(out, StandardCharsets.UTF_8);
    assertFalse(events.contains("watch:"), events);
  }

  /** {@code Watch} in a JVM of its own, on the test classpath (the jar's classes and logback). */
  private static Process watch(String token, Path out, Path err) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder builder =
        new ProcessBuilder(
            java,
            "-Xmx128m",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            Watch.class.getName(),
            node.url,
            token);
    builder.redirectOutput(out.toFile());
    builder.redirectError(err.toFile());
    return builder.start();
  }

  /** Polls a captured stream until it satisfies {@code done}, failing if the watch dies first. */
  private static void await(Path file, Predicate<String> done, Process watch) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String text = "";
    while (System.nanoTime() < deadline) {
      text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
      if (done.test(text)) {
        return;
      }
      assertTrue(watch.isAlive(), "watch exited early: " + text);
      Thread.sleep(20);
    }
    throw new AssertionError("not seen within " + WAIT + ": " + text);
  }
}
