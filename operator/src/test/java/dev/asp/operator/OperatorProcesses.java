package dev.asp.operator;

import dev.asp.storage.DatabaseSettings;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Operator nodes as separate JVMs ({@code dev.asp.operator.Main}, the same entry point as the
 * runnable jar) forming one Hazelcast cluster on loopback and sharing one PostgreSQL: what a user
 * runs, so a node can be killed with SIGKILL. Each node's output goes to {@code
 * target/nodes/<run>/node-<i>.log}.
 */
final class OperatorProcesses implements AutoCloseable {
  static final String ADMIN_TOKEN = "admin-token-for-the-tests";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final DatabaseSettings db;
  private final Map<String, String> settings;
  private final LoopbackCluster cluster;
  private final List<Integer> httpPorts = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private final Path logs;

  OperatorProcesses(DatabaseSettings db, int size, Map<String, String> settings) {
    this.db = db;
    this.settings = settings;
    for (int i = 0; i < size; i++) {
      httpPorts.add(LoopbackCluster.freePort());
      processes.add(null);
    }
    cluster = new LoopbackCluster("asp-proc-", size);
    logs = Path.of("target", "nodes", cluster.name);
  }

  int port(int index) {
    return httpPorts.get(index);
  }

  String url(int index) {
    return "http://127.0.0.1:" + httpPorts.get(index);
  }

  List<String> urls() {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < httpPorts.size(); i++) {
      urls.add(url(i));
    }
    return urls;
  }

  long pid(int index) {
    return processes.get(index).pid();
  }

  /** Starts node {@code index} (again, after a kill) without waiting for it. */
  void launch(int index) throws IOException {
    launch(index, Map.of());
  }

  /**
   * Starts node {@code index} with settings of its own over the shared ones ({@code ASP_ROLES} for
   * a split deployment), without waiting for it.
   */
  void launch(int index, Map<String, String> own) throws IOException {
    Files.createDirectories(logs);
    ProcessBuilder builder = new ProcessBuilder(mainCommand());
    builder.environment().keySet().removeIf(key -> key.startsWith("ASP_"));
    builder.environment().putAll(environment(index));
    builder.environment().putAll(own);
    builder.redirectErrorStream(true);
    builder.redirectOutput(
        ProcessBuilder.Redirect.appendTo(logs.resolve("node-" + index + ".log").toFile()));
    processes.set(index, builder.start());
  }

  /**
   * The command that runs {@code dev.asp.operator.Main} in a child JVM on this test's classpath,
   * small and quick to start (the runnable jar's entry point, without building the jar).
   */
  static List<String> mainCommand() {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(
        List.of(
            "-Xmx256m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Dhazelcast.phone.home.enabled=false",
            "-Djava.net.preferIPv4Stack=true",
            "--add-modules",
            "java.se",
            "--add-exports",
            "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens",
            "java.base/java.lang=ALL-UNNAMED",
            "--add-opens",
            "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens",
            "java.management/sun.management=ALL-UNNAMED",
            "--add-opens",
            "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName()));
    return command;
  }

  private Map<String, String> environment(int index) {
    Map<String, String> env = new HashMap<>();
    env.put("ASP_HTTP_PORT", "" + httpPorts.get(index));
    env.put("ASP_MANAGEMENT_PORT", "0");
    env.put("ASP_ADMIN_TOKEN", ADMIN_TOKEN);
    env.put(
        "ASP_DATABASE_URL",
        "postgresql://"
            + db.user()
            + (db.password() == null ? "" : ":" + db.password())
            + "@"
            + db.host()
            + ":"
            + db.port()
            + "/"
            + db.database());
    env.put("ASP_DATABASE_POOL_SIZE", "4");
    env.putAll(cluster.settings(index));
    env.putAll(settings);
    return env;
  }

  /** Waits until node {@code index} answers HTTP (its gateway is deployed last). */
  void awaitServing(int index) throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      Process process = processes.get(index);
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "node " + index + " exited with " + process.exitValue() + "; see " + logs);
      }
      if (answers(index)) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("node " + index + " did not start in time; see " + logs);
  }

  private boolean answers(int index) {
    try {
      HttpURLConnection connection =
          (HttpURLConnection) URI.create(url(index) + "/connect").toURL().openConnection();
      connection.setConnectTimeout(500);
      connection.setReadTimeout(2000);
      int status = connection.getResponseCode();
      connection.disconnect();
      return status > 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** SIGKILL: no shutdown hook, no cursor flush, no goodbye to the cluster. */
  void kill(int index) throws InterruptedException {
    Process process = processes.get(index);
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM: the node hands its connections over and leaves the cluster; waits until it exited. */
  void terminate(int index) throws InterruptedException {
    Process process = processes.get(index);
    process.destroy();
    if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
      throw new IllegalStateException("node " + index + " did not stop within 60 s; see " + logs);
    }
  }

  @Override
  public void close() {
    for (Process process : processes) {
      if (process != null && process.isAlive()) {
        process.destroy(); // SIGTERM: the node stops cleanly
      }
    }
    for (Process process : processes) {
      try {
        if (process != null && !process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}
