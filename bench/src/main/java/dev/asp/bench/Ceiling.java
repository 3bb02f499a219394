package dev.asp.bench;

import dev.asp.bench.impl.Relay;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Runs the ceiling relay ({@link Relay}) until its time is up or the process is stopped, so a
 * workload can be pointed at it with the same agents file: "operator throughput = X% of a
 * do-nothing relay on this machine".
 */
@Command(
    name = "ceiling",
    description =
        "Run a do-nothing relay speaking the wire subset of pairs/fanout (create, join, send,"
            + " WS /connect), for reference figures.",
    mixinStandardHelpOptions = true)
final class Ceiling implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Interface (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      defaultValue = "8090",
      description = "Port, 0 for any (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--agents",
      required = true,
      description = "The agents file the workloads will use (tokens identify agents).")
  Path agentsFile;

  @Option(
      names = "--seconds",
      defaultValue = "3600",
      description = "Stop after this long (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Override
  public Integer call() throws Exception {
    Map<String, String> handleByToken = new HashMap<>();
    Agents.read(agentsFile).tokens().forEach((handle, token) -> handleByToken.put(token, handle));
    Vertx vertx = Vertx.vertx();
    Relay relay = new Relay(host, port, handleByToken);
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
    try {
      Driver.await(vertx.deployVerticle(relay), Duration.ofSeconds(30));
      main.out().printf("ceiling relay serving on http://%s:%d%n", host, relay.port());
      main.out().flush();
      stop.await(seconds, TimeUnit.SECONDS);
      return 0;
    } finally {
      Driver.await(vertx.close(), Duration.ofSeconds(10));
    }
  }
}
