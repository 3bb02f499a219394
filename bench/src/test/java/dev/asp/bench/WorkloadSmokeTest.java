package dev.asp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.operator.ConfigLoader;
import dev.asp.operator.Operator;
import dev.asp.protocol.BuildInfo;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One short run of each workload, through the command line, against a real operator started here
 * (loopback, port 0, real PostgreSQL): the checker must find nothing and the counts must add up.
 */
class WorkloadSmokeTest {
  private static final String ADMIN_TOKEN = "admin-token-for-the-bench-tests";

  @TempDir static Path dir;
  private static Vertx vertx;
  private static Operator.Running operator;
  private static String url;
  private static Path agents;

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
                        "ASP_A2A_POLL_LIMIT", "100000")),
                TestDatabase.fresh())
            .await();
    url = "http://127.0.0.1:" + operator.port();
    agents = dir.resolve("agents.json");
    Run provision =
        run(
            "provision",
            "--url",
            url,
            "--admin-token",
            ADMIN_TOKEN,
            "-N",
            "8",
            "--agents",
            agents.toString());
    assertEquals(0, provision.exitCode(), provision.out());
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

  record Run(int exitCode, String out, JsonObject report) {}

  private static Run run(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code = Main.execute(new PrintStream(bytes, true, StandardCharsets.UTF_8), args);
    return new Run(code, bytes.toString(StandardCharsets.UTF_8), null);
  }

  private static Run workload(String name, String... options) throws Exception {
    Path json = dir.resolve(name + ".json");
    List<String> args = new ArrayList<>(List.of(name, "--url", url, "--agents", agents.toString()));
    args.addAll(List.of("--max-seconds", "30", "--json", json.toString()));
    args.addAll(List.of(options));
    Run run = run(args.toArray(String[]::new));
    assertEquals(0, run.exitCode(), run.out());
    return new Run(run.exitCode(), run.out(), new JsonObject(Files.readString(json)));
  }

  private static void assertClean(Run run, long accepted, long deliveries) {
    JsonObject r = run.report();
    assertTrue(r.getJsonObject("verdict").getBoolean("clean"), run.out());
    assertTrue(r.getJsonObject("errors").isEmpty(), run.out());
    assertEquals(accepted, r.getLong("accepted"), run.out());
    assertEquals(deliveries, r.getLong("delivered"), run.out());
    assertEquals(
        deliveries - accepted,
        r.getJsonObject("end_to_end_latency").getLong("count"),
        "one latency per delivery to a participant other than the sender");
    assertTrue(run.out().contains("verdict      OK"), run.out());
  }

  @Test
  @DisplayName(
      "set-up errors exit 2 at once with one line: an unreachable --url, a missing --agents file")
  void setUpErrors() {
    long start = System.nanoTime();
    Run unreachable = run("pairs", "--url", "http://127.0.0.1:1", "--agents", agents.toString());
    assertEquals(2, unreachable.exitCode(), unreachable.out());
    assertTrue(
        System.nanoTime() - start < java.time.Duration.ofSeconds(20).toNanos(),
        "refused at once, not after the run's timeout");
    Run missing = run("pairs", "--url", url, "--agents", dir.resolve("nope.json").toString());
    assertEquals(2, missing.exitCode(), missing.out());
  }

  @Test
  @DisplayName("pairs: every creator's messages reach both participants, in order, once")
  void pairs() throws Exception {
    Path html = dir.resolve("pairs.html");
    assertClean(
        workload(
            "pairs", "-S", "3", "-M", "10", "-C", "2", "--warmup", "5", "--html", html.toString()),
        30,
        60);
    String page = Files.readString(html);
    assertTrue(page.contains("asp-bench pairs"));
    // the operator's own GET /version, fetched by the run
    BuildInfo build = BuildInfo.current();
    assertTrue(
        page.contains("<td>" + build.version() + " (commit " + build.commit() + ")</td>"), page);
  }

  @Test
  @DisplayName("fanout: every sender's messages reach all participants, in order, once")
  void fanout() throws Exception {
    assertClean(workload("fanout", "-P", "5", "-K", "2", "-M", "10", "-C", "2"), 20, 100);
  }

  @Test
  @DisplayName("a2a-fanout: every message reaches every reader once, in order, by long-poll and WS")
  void a2aFanout() throws Exception {
    for (String view : List.of("poll", "ws")) {
      Run run =
          workload(
              "a2a-fanout",
              "-R",
              "4",
              "-K",
              "2",
              "-M",
              "10",
              "-C",
              "2",
              "--view",
              view,
              "--poll-timeout-ms",
              "5000");
      JsonObject r = run.report();
      assertTrue(r.getJsonObject("verdict").getBoolean("clean"), run.out());
      assertTrue(r.getJsonObject("errors").isEmpty(), run.out());
      assertEquals(20, r.getLong("accepted"), run.out());
      assertEquals(80, r.getLong("delivered"), run.out());
      assertEquals(80, r.getJsonObject("end_to_end_latency").getLong("count"), run.out());
      assertTrue(!run.out().contains("VIOLATION"), run.out());
      if (view.equals("poll")) {
        assertTrue(r.getJsonObject("figures").getLong("poll_round_trips") > 0, run.out());
      }
    }
  }

  @Test
  @DisplayName("rate: a fixed offered load is sent in full and delivered to both sides")
  void rate() throws Exception {
    assertClean(workload("rate", "-R", "50", "-D", "1", "-S", "2"), 50, 100);
  }

  @Test
  @DisplayName("storm: everything missed while all sockets were down arrives after reconnecting")
  void storm() throws Exception {
    Run run = workload("storm", "-A", "4", "-K", "5", "--jitter-ms", "200");
    assertClean(run, 10, 20);
    assertTrue(run.report().getJsonObject("figures").getDouble("catch_up_seconds") >= 0);
  }

  @Test
  @DisplayName("connections: N idle WebSockets over two source addresses all open and stay open")
  void connections() throws Exception {
    assertAllOpenAndHeld(20, "1");
  }

  @Test
  @DisplayName(
      "connections over two driver processes: the helper's share is opened, held and counted")
  void connectionsOverTwoProcesses() throws Exception {
    assertAllOpenAndHeld(15, "2");
  }

  private static void assertAllOpenAndHeld(int count, String processes) throws Exception {
    Run run =
        workload(
            "connections",
            "-N",
            Integer.toString(count),
            "--processes",
            processes,
            "--source-addresses",
            "2",
            "--hold-seconds",
            "1",
            "--server-pid",
            Long.toString(ProcessHandle.current().pid()));
    assertEquals(0, run.exitCode(), run.out());
    JsonObject figures = run.report().getJsonObject("figures");
    assertEquals(count, figures.getInteger("open"), run.out());
    assertEquals(count, figures.getInteger("still_open"), run.out());
    assertTrue(figures.containsKey("server_kib_per_connection"), run.out());
    assertTrue(run.report().getJsonObject("errors").isEmpty(), run.out());
  }

  @Test
  @DisplayName("A workload needing more agents than the file holds exits 2 without running")
  void tooFewAgents() {
    Run run = run("pairs", "--url", url, "--agents", agents.toString(), "-S", "50");
    assertEquals(2, run.exitCode());
  }
}
