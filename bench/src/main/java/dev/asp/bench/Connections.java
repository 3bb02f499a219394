package dev.asp.bench;

import dev.asp.bench.impl.Clock;
import dev.asp.bench.impl.Parallel;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * N idle WebSockets ({@code WS /connect}) held open for a while, round-robin over the agents of the
 * file (an agent may hold several connections) and over source addresses 127.0.0.F … 127.0.0.F+S-1,
 * so more than one address's ~28k ephemeral ports can be used. One process is bounded by its open
 * file limit (often 20k): for more, run several processes with different {@code --first-source}.
 * With {@code --server-pid}, the server's resident memory is read before and with the sockets open,
 * and the difference is reported per connection.
 */
@Command(
    name = "connections",
    description = "Open N idle WebSockets, hold them, report server memory per connection.",
    mixinStandardHelpOptions = true)
final class Connections extends Workload {
  @Option(
      names = {"-N", "--connections"},
      defaultValue = "1000",
      description = "WebSockets to open (default: ${DEFAULT-VALUE}).")
  int connections;

  @Option(
      names = "--source-addresses",
      defaultValue = "1",
      description = "Loopback source addresses to spread over (default: ${DEFAULT-VALUE}).")
  int sources;

  @Option(
      names = "--first-source",
      defaultValue = "1",
      description = "Last octet of the first source address 127.0.0.F (default: ${DEFAULT-VALUE}).")
  int firstSource;

  @Option(
      names = "--hold-seconds",
      defaultValue = "5",
      description = "How long to hold them open before measuring (default: ${DEFAULT-VALUE}).")
  int holdSeconds;

  @Option(
      names = "--open-parallelism",
      defaultValue = "100",
      description = "Handshakes in flight (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(
      names = "--processes",
      defaultValue = "1",
      description =
          "Driver processes sharing the N connections, each with its own source addresses and"
              + " open-file limit; this one measures (default: ${DEFAULT-VALUE}).")
  int processes;

  /** Set on the helper processes this one starts: report on stdout, hold until stdin closes. */
  @Option(names = "--helper", hidden = true)
  boolean helper;

  private final ConcurrentLinkedQueue<WebSocket> open = new ConcurrentLinkedQueue<>();
  private final JsonObject figures = new JsonObject();

  @Override
  String name() {
    return "connections";
  }

  @Override
  JsonObject parameters() {
    return new JsonObject()
        .put("connections", connections)
        .put("source_addresses", sources)
        .put("first_source", firstSource)
        .put("hold_seconds", holdSeconds)
        .put("processes", processes);
  }

  @Override
  Sent run(Driver driver, Agents agents) {
    List<String> handles = agents.handles();
    if (handles.isEmpty()
        || sources < 1
        || processes < 1
        || firstSource < 1
        || firstSource + processes * sources > 255) {
      throw new IllegalArgumentException(
          "need agents, and source addresses (processes × source-addresses) within 127.0.0.1-254");
    }
    int own = helper || processes == 1 ? connections : share(0);
    List<WebSocketClient> clients = new ArrayList<>();
    for (int s = 0; s < sources; s++) {
      clients.add(
          driver
              .vertx()
              .createWebSocketClient(
                  new WebSocketClientOptions()
                      .setLocalAddress("127.0.0." + (firstSource + s))
                      .setMaxConnections(connections)
                      .setConnectTimeout(10_000)));
    }
    ServerProbe probe = probe();
    ServerProbe.Sample before = probe == null ? null : probe.sample();
    HelperProcesses helpers = helper || processes == 1 ? null : startHelpers();
    long start = Clock.epochNanos();
    startMeasuring(driver);
    List<Integer> indexes = IntStream.range(0, own).boxed().toList();
    Driver.await(
        Parallel.forEach(
            indexes,
            parallelism,
            i -> {
              driver.metrics().attempt();
              String token = agents.token(handles.get(i % handles.size()));
              return clients
                  .get(i % clients.size())
                  .connect(options(token))
                  .<Void>map(
                      ws -> {
                        ws.textMessageHandler(text -> {}).exceptionHandler(e -> {});
                        open.add(ws);
                        return null;
                      })
                  .recover(
                      failure -> {
                        driver.metrics().error(failure);
                        return Future.succeededFuture();
                      });
            }),
        Duration.ofSeconds(maxSeconds));
    if (helper) {
      holdForParent();
      Driver.await(
          Future.join(clients.stream().map(WebSocketClient::close).toList()),
          Duration.ofSeconds(30));
      return new Sent(0, start, Clock.epochNanos());
    }
    int helpersOpen = helpers == null ? 0 : helpers.awaitOpen(Duration.ofSeconds(maxSeconds + 60L));
    long opened = Clock.epochNanos();
    driver.awaitCondition(() -> false, Duration.ofSeconds(holdSeconds));
    figures.put("open", open.size() + helpersOpen).put("open_seconds", (opened - start) / 1e9);
    if (probe != null) {
      ServerProbe.Sample held = probe.sample();
      long delta = held.rssKib() - before.rssKib();
      int total = open.size() + helpersOpen;
      figures
          .put("server_rss_before_kib", before.rssKib())
          .put("server_rss_open_kib", held.rssKib())
          .put("server_kib_per_connection", total == 0 ? 0 : (double) delta / total);
    }
    long stillOpen = open.stream().filter(ws -> !ws.isClosed()).count();
    if (helpers != null) {
      stillOpen += helpers.release(Duration.ofSeconds(60));
    }
    figures.put("still_open", stillOpen);
    Driver.await(
        Future.join(clients.stream().map(WebSocketClient::close).toList()), Duration.ofSeconds(30));
    return new Sent(0, start, opened);
  }

  @Override
  JsonObject figures(Driver driver, Sent sent) {
    return figures;
  }

  private WebSocketConnectOptions options(String token) {
    URI uri = URI.create(Driver.nodeUrls(url).get(0));
    String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("/$", "");
    return new WebSocketConnectOptions()
        .setHost(uri.getHost())
        .setPort(uri.getPort() == -1 ? 80 : uri.getPort())
        .setURI(path + "/connect")
        .putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token);
  }

  /** Connections of process {@code i} (0 = this one): N spread as evenly as possible. */
  private int share(int i) {
    return connections / processes + (i < connections % processes ? 1 : 0);
  }

  private HelperProcesses startHelpers() {
    List<List<String>> commands = new ArrayList<>();
    for (int i = 1; i < processes; i++) {
      commands.add(
          List.of(
              "connections",
              "--helper",
              "--url",
              url,
              "--agents",
              agentsFile.toString(),
              "-N",
              Integer.toString(share(i)),
              "--source-addresses",
              Integer.toString(sources),
              "--first-source",
              Integer.toString(firstSource + i * sources),
              "--open-parallelism",
              Integer.toString(parallelism),
              "--max-seconds",
              Integer.toString(maxSeconds),
              "--event-loops",
              Integer.toString(eventLoops)));
    }
    return HelperProcesses.start(commands);
  }

  /**
   * In a helper: says how many opened, then holds them until the parent closes our stdin (bounded),
   * and says how many were still open.
   */
  private void holdForParent() {
    PrintStream parent = main.out(); // a helper's stdout is read by the process that started it
    parent.println(HelperProcesses.OPEN + " " + open.size());
    parent.flush();
    HelperProcesses.awaitStdinClosed(Duration.ofSeconds(maxSeconds + holdSeconds + 600L));
    parent.println(
        HelperProcesses.STILL_OPEN + " " + open.stream().filter(ws -> !ws.isClosed()).count());
    parent.flush();
  }
}
