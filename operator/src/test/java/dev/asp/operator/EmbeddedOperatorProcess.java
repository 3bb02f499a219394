package dev.asp.operator;

import dev.asp.operator.impl.PostgresProcesses;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Operators as separate JVMs ({@code dev.asp.operator.Main}) on their defaults: no database
 * setting, so each runs the embedded PostgreSQL in the one data directory given here. What a user
 * starts with {@code java -jar}, so it can be stopped with SIGTERM or killed with SIGKILL together
 * with its PostgreSQL. Every start gets fresh ports and its own log, {@code
 * target/nodes/<name>/start-<n>.log}. Only processes started here are ever signalled: the JVMs, and
 * the PostgreSQL a JVM started (the PID in its data directory's {@code postmaster.pid}).
 */
final class EmbeddedOperatorProcess implements AutoCloseable {
  static final String ADMIN_TOKEN = "admin-token-for-the-tests";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  /** One start: its JVM, its ports and its log. */
  record Start(Process process, int httpPort, int managementPort, Path log) {
    String url() {
      return "http://127.0.0.1:" + httpPort;
    }

    String logText() throws IOException {
      return Files.readString(log);
    }
  }

  private final Path dataDir;
  private final Path logs;
  private final List<Start> starts = new ArrayList<>();
  private final List<Long> postmasters = new ArrayList<>();

  EmbeddedOperatorProcess(Path dataDir, String name) {
    this.dataDir = dataDir.toAbsolutePath();
    this.logs = Path.of("target", "nodes", name + "-" + System.nanoTime());
  }

  Path dataDir() {
    return dataDir;
  }

  Path postgresDir() {
    return dataDir.resolve("postgres");
  }

  /** Starts one more operator on the data directory, without waiting for it. */
  Start launch(Map<String, String> settings) throws IOException {
    Files.createDirectories(logs);
    int http = LoopbackCluster.freePort();
    int management = LoopbackCluster.freePort();
    ProcessBuilder builder = new ProcessBuilder(OperatorProcesses.mainCommand());
    builder.environment().keySet().removeIf(key -> key.startsWith("ASP_"));
    builder.environment().put("ASP_DATA_DIR", dataDir.toString());
    builder.environment().put("ASP_HTTP_PORT", "" + http);
    builder.environment().put("ASP_MANAGEMENT_PORT", "" + management);
    builder.environment().put("ASP_ADMIN_TOKEN", ADMIN_TOKEN);
    builder.environment().put("ASP_DATABASE_POOL_SIZE", "4");
    builder.environment().putAll(settings);
    Path log = logs.resolve("start-" + starts.size() + ".log");
    builder.redirectErrorStream(true);
    builder.redirectOutput(log.toFile());
    Start start = new Start(builder.start(), http, management, log);
    starts.add(start);
    return start;
  }

  /**
   * Waits until the start answers HTTP, failing at once when it exited: a start that needs a second
   * try fails here.
   */
  void awaitServing(Start start) throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!start.process().isAlive()) {
        throw new IllegalStateException(
            "the operator exited with " + start.process().exitValue() + "; see " + start.log());
      }
      if (status(start.url() + "/connect") > 0) {
        postmasters.add(postmasterPid());
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the operator did not start in time; see " + start.log());
  }

  /** The embedded PostgreSQL's postmaster, as its {@code postmaster.pid} names it. */
  long postmasterPid() {
    return PostgresProcesses.postmasterPid(postgresDir())
        .orElseThrow(() -> new IllegalStateException("no postmaster.pid in " + postgresDir()));
  }

  /** The HTTP status of a GET, or -1 when nothing answers. */
  static int status(String url) {
    try {
      HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
      connection.setConnectTimeout(500);
      connection.setReadTimeout(2000);
      int status = connection.getResponseCode();
      connection.disconnect();
      return status;
    } catch (IOException e) {
      return -1;
    }
  }

  /** SIGKILL to the JVM and to its PostgreSQL at the same moment, as a power cut would. */
  void killWithDatabase(Start start) throws InterruptedException {
    long postmaster = postmasterPid();
    ProcessHandle.of(postmaster).ifPresent(ProcessHandle::destroyForcibly);
    start.process().destroyForcibly();
    start.process().waitFor();
  }

  /** SIGKILL to the PostgreSQL only: the operator keeps running without its database. */
  void killDatabase() {
    ProcessHandle.of(postmasterPid()).ifPresent(ProcessHandle::destroyForcibly);
  }

  @Override
  public void close() throws InterruptedException {
    for (Start start : starts) {
      start.process().destroyForcibly();
      start.process().waitFor(30, TimeUnit.SECONDS);
    }
    // a PostgreSQL one of these JVMs started and left behind (it outlives a SIGKILLed JVM)
    for (long pid : postmasters) {
      if (PostgresProcesses.runsIn(pid, postgresDir())) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }
}
