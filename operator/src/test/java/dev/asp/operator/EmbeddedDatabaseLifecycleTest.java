package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.client.AspAdminClient;
import dev.asp.client.AspClient;
import dev.asp.client.AspEventStream;
import dev.asp.client.EventRecorder;
import dev.asp.client.EventStreamOptions;
import dev.asp.operator.EmbeddedOperatorProcess.Start;
import dev.asp.operator.impl.PostgresProcesses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded PostgreSQL's life as a user lives it (issue 14, items 3 to 5): real operator
 * processes on one data directory, no database setting, signalled by PID.
 */
@DisplayName("The embedded PostgreSQL's life across operator processes")
class EmbeddedDatabaseLifecycleTest {
  private static final int CRASHES = 3;
  private static final Duration WITHIN = Duration.ofSeconds(15);

  @TempDir Path dataDir;

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  @DisplayName(
      "a second operator on the data directory is refused at once and touches nothing; after kill"
          + " -9 of the JVM and its PostgreSQL together the next start succeeds at the first try"
          + " with every acknowledged write; PostgreSQL dying under a running operator makes it"
          + " not live")
  void oneOperatorPerDirectoryCrashesAndADyingDatabase() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (EmbeddedOperatorProcess operators = new EmbeddedOperatorProcess(dataDir, "embedded")) {
      Start first = operators.launch(Map.of());
      operators.awaitServing(first);
      long postmaster = operators.postmasterPid();
      List<String> acknowledged = new ArrayList<>();
      register(vertx, first, "@crash0.agent", acknowledged);

      // item 3: refused at once, naming the directory and the holder; the live database untouched
      Start second = operators.launch(Map.of());
      assertTrue(second.process().waitFor(20, TimeUnit.SECONDS), "the second one exits at once");
      assertNotEquals(0, second.process().exitValue());
      String refusal = second.logText();
      assertTrue(
          refusal.contains(dataDir.toAbsolutePath().toString())
              && refusal.contains("pid " + first.process().pid()),
          refusal);
      assertEquals(postmaster, operators.postmasterPid(), "the live PostgreSQL is the same");
      assertTrue(PostgresProcesses.runsIn(postmaster, operators.postgresDir()), "and runs");
      register(vertx, first, "@crash1.agent", acknowledged);

      // item 4: kill -9 of both at once, then one start, at once, with everything acknowledged
      Start current = first;
      for (int crash = 0; crash < CRASHES; crash++) {
        operators.killWithDatabase(current);
        current = operators.launch(Map.of());
        operators.awaitServing(current);
        assertEquals(sorted(acknowledged), handles(vertx, current), "after crash " + crash);
        register(vertx, current, "@crash" + (crash + 2) + ".agent", acknowledged);
      }

      // item 5: the database dies under a running operator: liveness says so, in bounded time
      String live = "http://127.0.0.1:" + current.managementPort() + "/health/live";
      assertEquals(200, EmbeddedOperatorProcess.status(live));
      operators.killDatabase();
      await(
          "liveness DOWN once PostgreSQL died", () -> EmbeddedOperatorProcess.status(live) == 503);
    } finally {
      vertx.close().await();
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  @DisplayName(
      "SIGTERM with an agent connected: the node drains before PostgreSQL stops, nothing fails,"
          + " the process exits 0 and leaves no PostgreSQL behind")
  void sigtermStopsTheDatabaseLast() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (EmbeddedOperatorProcess operators = new EmbeddedOperatorProcess(dataDir, "sigterm")) {
      Start node = operators.launch(Map.of("ASP_GRACE_MS", "1000", "ASP_GRACE_SWEEP_MS", "100"));
      operators.awaitServing(node);
      long postmaster = operators.postmasterPid();
      AspAdminClient admin =
          AspAdminClient.create(vertx, node.url(), EmbeddedOperatorProcess.ADMIN_TOKEN);
      String token = admin.createAgent("@stop.agent", "open", List.of()).await().token();
      AspEventStream stream =
          AspClient.create(vertx, node.url(), token)
              .connect(new EventRecorder(), new EventStreamOptions().setReconnect(false));
      stream.connected().await();
      int before = node.logText().length();

      node.process().destroy(); // SIGTERM
      assertTrue(node.process().waitFor(60, TimeUnit.SECONDS), "stopped in time");
      String stop = node.logText().substring(before);
      assertEquals(0, node.process().exitValue(), stop);
      for (String line : stop.split("\n")) {
        boolean warnOrError = line.contains(" WARN ") || line.contains(" ERROR ");
        assertTrue(!(warnOrError && line.toLowerCase().contains("fail")), stop);
      }
      assertTrue(
          stop.indexOf("ASP operator stopped") < stop.indexOf("embedded PostgreSQL stopped")
              && stop.contains("ASP operator stopped"),
          "the node stopped, then its database: " + stop);
      assertTrue(!PostgresProcesses.runsIn(postmaster, operators.postgresDir()), "no orphan");
      stream.close();
    } finally {
      vertx.close().await();
    }
  }

  private static void register(Vertx vertx, Start node, String handle, List<String> registered) {
    AspAdminClient admin =
        AspAdminClient.create(vertx, node.url(), EmbeddedOperatorProcess.ADMIN_TOKEN);
    admin.createAgent(handle, "open", List.of()).await(); // 201: committed
    registered.add(handle);
  }

  private static List<String> handles(Vertx vertx, Start node) {
    JsonArray agents =
        AspAdminClient.create(vertx, node.url(), EmbeddedOperatorProcess.ADMIN_TOKEN)
            .listAgents()
            .await();
    List<String> handles = new ArrayList<>();
    for (Object agent : agents) {
      handles.add(((JsonObject) agent).getString("handle"));
    }
    handles.sort(null);
    return handles;
  }

  private static List<String> sorted(List<String> handles) {
    List<String> copy = new ArrayList<>(handles);
    copy.sort(null);
    return copy;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WITHIN.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + WITHIN);
      }
      Thread.sleep(100);
    }
  }
}
