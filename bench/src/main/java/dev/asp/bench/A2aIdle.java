package dev.asp.bench;

import dev.asp.bench.impl.Clock;
import dev.asp.bench.impl.HubHttp;
import dev.asp.bench.impl.Parallel;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What N idle A2A nodes cost the server (issue 11's memory figure): N hub nodes say hello (not
 * measured), then each holds one idle long-poll ({@code --view poll}: {@code POST /a2a/events/poll}
 * with the longest wait, polling again whenever one returns) or one idle WebSocket ({@code --view
 * ws}: {@code WS /connect} with the same node secrets), for the hold time. With {@code
 * --server-pid}, the server's resident memory is read before and with them open, and the difference
 * is reported per node. Run each view on a fresh operator so both start alike.
 */
@Command(
    name = "a2a-idle",
    description = "N idle A2A nodes on long-polls or WebSockets: server memory per node.",
    mixinStandardHelpOptions = true)
final class A2aIdle extends Workload {
  private static final long POLL_WAIT_MS = 55_000;

  @Option(
      names = {"-N", "--nodes"},
      defaultValue = "1000",
      description = "Idle nodes (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--view", defaultValue = "poll", description = "poll or ws.")
  String view;

  @Option(
      names = "--hold-seconds",
      defaultValue = "20",
      description = "How long to hold them before measuring (default: ${DEFAULT-VALUE}).")
  int holdSeconds;

  private final JsonObject figures = new JsonObject();
  private final ConcurrentLinkedQueue<WebSocket> sockets = new ConcurrentLinkedQueue<>();
  private final AtomicInteger polling = new AtomicInteger();
  private volatile boolean holding = true;

  @Override
  String name() {
    return "a2a-idle";
  }

  @Override
  JsonObject parameters() {
    return new JsonObject().put("nodes", nodes).put("view", view).put("hold_seconds", holdSeconds);
  }

  private record Node(String id, String secret) {}

  @Override
  Sent run(Driver driver, Agents agents) {
    if (nodes < 1 || !(view.equals("poll") || view.equals("ws"))) {
      throw new IllegalArgumentException("need N >= 1 and --view poll|ws");
    }
    URI base = URI.create(Driver.nodeUrls(url).get(0));
    HttpClient http =
        driver
            .vertx()
            .createHttpClient(
                new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(nodes + 8));
    HubHttp hub = new HubHttp(http, base.getHost(), base.getPort());
    List<Node> team = new ArrayList<>();
    List<Integer> indexes = IntStream.range(0, nodes).boxed().toList();
    List<Node> hellos = java.util.Collections.synchronizedList(new ArrayList<>());
    Driver.await(
        Parallel.forEach(
            indexes,
            16,
            i ->
                hub.post("/a2a/hello", null, new JsonObject(), 30_000)
                    .map(
                        reply -> {
                          if (reply.getString("node_secret") == null) {
                            throw new IllegalStateException("hello failed: " + reply.encode());
                          }
                          hellos.add(
                              new Node(reply.getString("node_id"), reply.getString("node_secret")));
                          return null;
                        })),
        Duration.ofSeconds(maxSeconds));
    team.addAll(hellos);
    ServerProbe probe = probe();
    long heapBefore = probe == null ? -1 : heapUsedKib(probe.pids().get(0));
    ServerProbe.Sample before = probe == null ? null : probe.sample();
    long start = Clock.epochNanos();
    startMeasuring(driver);
    WebSocketClient ws =
        driver
            .vertx()
            .createWebSocketClient(
                new WebSocketClientOptions().setMaxConnections(nodes).setConnectTimeout(10_000));
    if (view.equals("ws")) {
      Driver.await(
          Parallel.forEach(
              team,
              100,
              node -> {
                driver.metrics().attempt();
                return ws.connect(
                        new WebSocketConnectOptions()
                            .setHost(base.getHost())
                            .setPort(base.getPort())
                            .setURI("/connect")
                            .putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + node.secret()))
                    .<Void>map(
                        socket -> {
                          socket.textMessageHandler(text -> {}).exceptionHandler(e -> {});
                          sockets.add(socket);
                          return null;
                        })
                    .recover(
                        failure -> {
                          driver.metrics().error(failure);
                          return Future.succeededFuture();
                        });
              }),
          Duration.ofSeconds(maxSeconds));
    } else {
      // each poll is started here and holds its connection until it returns
      team.forEach(
          node -> {
            driver.metrics().attempt();
            poll(hub, node);
          });
      driver.awaitCondition(() -> polling.get() >= team.size(), Duration.ofSeconds(maxSeconds));
    }
    long opened = Clock.epochNanos();
    driver.awaitCondition(() -> false, Duration.ofSeconds(holdSeconds));
    int open =
        view.equals("ws")
            ? (int) sockets.stream().filter(s -> !s.isClosed()).count()
            : polling.get();
    figures.put("open", open).put("open_seconds", (opened - start) / 1e9);
    if (probe != null) {
      ServerProbe.Sample held = probe.sample();
      long heapOpen = heapUsedKib(probe.pids().get(0));
      long delta = held.rssKib() - before.rssKib();
      figures
          .put("server_rss_before_kib", before.rssKib())
          .put("server_rss_open_kib", held.rssKib())
          .put("server_rss_kib_per_node", open == 0 ? 0 : (double) delta / open)
          .put("server_heap_before_kib", heapBefore)
          .put("server_heap_open_kib", heapOpen)
          .put(
              "server_heap_kib_per_node",
              open == 0 || heapBefore < 0 || heapOpen < 0
                  ? 0
                  : (double) (heapOpen - heapBefore) / open);
    }
    holding = false;
    Driver.await(ws.close(), Duration.ofSeconds(30));
    // the polls still open fail as the client closes; none is started again
    Driver.await(http.close(), Duration.ofSeconds(30));
    return new Sent(0, start, opened);
  }

  /**
   * The JVM's live heap after a full collection ({@code jcmd PID GC.run}, then {@code
   * GC.heap_info}'s "used"), in KiB, or -1 when jcmd cannot tell: resident memory alone moves with
   * the collector, not with what is held.
   */
  private static long heapUsedKib(long pid) {
    try {
      run("jcmd", Long.toString(pid), "GC.run");
      String info = run("jcmd", Long.toString(pid), "GC.heap_info");
      java.util.regex.Matcher used =
          java.util.regex.Pattern.compile("heap\\s+total \\d+K, used (\\d+)K").matcher(info);
      return used.find() ? Long.parseLong(used.group(1)) : -1;
    } catch (java.io.IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static String run(String... command) throws java.io.IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes());
    process.waitFor();
    return out;
  }

  /** One idle long-poll at a time for {@code node}, again whenever one returns, while holding. */
  private void poll(HubHttp hub, Node node) {
    if (!holding) {
      return;
    }
    polling.incrementAndGet();
    hub.post(
            "/a2a/events/poll",
            node.secret(),
            new JsonObject().put("node_id", node.id()).put("timeout_ms", POLL_WAIT_MS),
            POLL_WAIT_MS + 30_000)
        .onComplete(
            done -> {
              polling.decrementAndGet();
              if (holding) {
                poll(hub, node);
              }
            });
  }

  @Override
  JsonObject figures(Driver driver, Sent sent) {
    return figures;
  }
}
