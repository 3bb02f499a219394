package dev.asp.bench;

import dev.asp.bench.impl.Clock;
import dev.asp.bench.impl.HubHttp;
import dev.asp.bench.impl.Lanes;
import dev.asp.bench.impl.Parallel;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The A2A hub surface under broadcast load: R reader nodes and K sender nodes (all registered here
 * with {@code POST /a2a/hello}) in one public A2A session; the senders post M messages each through
 * {@code POST /a2a/session/message}, and the readers receive them by long-poll ({@code --view
 * poll}: {@code POST /a2a/events/poll} with {@code timeout_ms}, acknowledging implicitly) or over
 * {@code WS /connect} ({@code --view ws}, the same nodes' secrets as ASP tokens). So the write path
 * is the same in both and only the view differs. Every reader must get every message once, in
 * sequence order; the report adds poll round trips per delivered event.
 *
 * <p>The operator must allow the run's hellos and polls: start it with {@code ASP_A2A_HELLO_LIMIT}
 * ≥ R + K and {@code ASP_A2A_POLL_LIMIT} high enough.
 */
@Command(
    name = "a2a-fanout",
    description = "A2A nodes in one session: K senders, R readers by long-poll or WebSocket.",
    mixinStandardHelpOptions = true)
final class A2aFanout extends Workload {
  @Option(
      names = {"-R", "--readers"},
      defaultValue = "50",
      description = "Reader nodes (default: ${DEFAULT-VALUE}).")
  int readers;

  @Option(
      names = {"-K", "--senders"},
      defaultValue = "1",
      description = "Sender nodes (default: ${DEFAULT-VALUE}).")
  int senders;

  @Option(
      names = {"-M", "--messages"},
      defaultValue = "1000",
      description = "Messages per sender (default: ${DEFAULT-VALUE}).")
  int messages;

  @Option(
      names = {"-C", "--concurrency"},
      defaultValue = "4",
      description = "Requests in flight per sender (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--view",
      defaultValue = "poll",
      description = "How readers receive: poll or ws (default: ${DEFAULT-VALUE}).")
  String view;

  @Option(
      names = "--poll-timeout-ms",
      defaultValue = "30000",
      description = "timeout_ms of each long-poll (default: ${DEFAULT-VALUE}).")
  long pollTimeoutMs;

  @Option(
      names = "--poll-limit",
      defaultValue = "100",
      description = "limit of each poll, 1..100 (default: ${DEFAULT-VALUE}).")
  int pollLimit;

  private HttpClient http;
  private String host;
  private int port;
  private volatile boolean polling = true;
  private final AtomicLong roundTrips = new AtomicLong();
  private final List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Map<String, Long> lastSequence = new ConcurrentHashMap<>();
  private final Map<String, Map<Long, Boolean>> seen = new ConcurrentHashMap<>();
  private final Map<Long, Boolean> acked = new ConcurrentHashMap<>();
  private final List<Future<Void>> loops = new ArrayList<>();
  private String sessionId;
  private List<String> readerIds = List.of();

  @Override
  String name() {
    return "a2a-fanout";
  }

  @Override
  JsonObject parameters() {
    return new JsonObject()
        .put("readers", readers)
        .put("senders", senders)
        .put("messages", messages)
        .put("concurrency", concurrency)
        .put("view", view)
        .put("poll_timeout_ms", pollTimeoutMs)
        .put("poll_limit", pollLimit);
  }

  /** A hub node registered by this run. */
  private record Node(String id, String secret) {
    String handle() {
      return "@a2a." + id;
    }
  }

  @Override
  Sent run(Driver driver, Agents agents) {
    if (readers < 1 || senders < 1 || !(view.equals("poll") || view.equals("ws"))) {
      throw new IllegalArgumentException("need R >= 1, K >= 1 and --view poll|ws");
    }
    URI base = URI.create(Driver.nodeUrls(url).get(0));
    host = base.getHost();
    port = base.getPort();
    http =
        driver
            .vertx()
            .createHttpClient(
                new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(readers + senders * concurrency + 8));
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < readers + senders; i++) {
      JsonObject hello = Driver.await(post("/a2a/hello", null, new JsonObject()), TIMEOUT);
      Node node = new Node(hello.getString("node_id"), hello.getString("node_secret"));
      if (node.id() == null || node.secret() == null) {
        throw new IllegalStateException("hello failed: " + hello.encode());
      }
      nodes.add(node);
      agents.tokens().put(node.handle(), node.secret());
    }
    List<Node> sending = nodes.subList(0, senders);
    List<Node> reading = nodes.subList(senders, nodes.size());
    readerIds = reading.stream().map(Node::handle).toList();
    JsonObject created =
        Driver.await(
            post(
                "/a2a/session/create",
                sending.get(0).secret(),
                new JsonObject()
                    .put("title", "asp-bench a2a-fanout")
                    .put("max_participants", readers + senders)),
            TIMEOUT);
    sessionId = created.getString("session_id");
    Driver.await(
        Parallel.forEach(
            nodes.subList(1, nodes.size()),
            16,
            n ->
                post("/a2a/session/join", n.secret(), new JsonObject().put("session_id", sessionId))
                    .map(
                        reply -> {
                          if (reply.containsKey("error")) {
                            throw new IllegalStateException(
                                "join failed: "
                                    + reply.getString("error")
                                    + " (the operator caps max_participants at"
                                    + " ASP_A2A_MAX_PARTICIPANTS; it needs R + K)");
                          }
                          return (Void) null;
                        })),
        Duration.ofSeconds(120));
    if (view.equals("ws")) {
      // the ASP stream of a joined node replays the session from its start: judged gap-free
      driver.checker().expect(sessionId, readerIds);
      Driver.await(driver.connectAll(readerIds), Duration.ofSeconds(60));
    } else {
      for (Node reader : reading) {
        // drain what the join left (joins of the others), then keep one long-poll open each
        Driver.await(post("/a2a/events/poll", reader.secret(), new JsonObject()), TIMEOUT);
        loops.add(pollLoop(driver, reader));
      }
    }
    long start = Clock.epochNanos();
    startMeasuring(driver);
    long deadline = deadline();
    Future<Void> sent =
        Parallel.forEach(
            sending,
            senders,
            sender ->
                Lanes.run(
                    messages,
                    concurrency,
                    deadline,
                    i -> send(driver, sender, i, Clock.epochNanos())));
    Driver.await(sent, Duration.ofSeconds(maxSeconds + 30L));
    return new Sent(readers, start, Clock.epochNanos());
  }

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Future<Void> send(Driver driver, Node sender, long index, long dueNanos) {
    driver.metrics().attempt();
    JsonObject body =
        new JsonObject()
            .put("session_id", sessionId)
            .put("payload", new JsonObject().put("i", index))
            .put("msg_type", "broadcast")
            .put(
                "metadata",
                new JsonObject().put(Driver.RUN, driver.runId()).put(Driver.SENT, dueNanos));
    return post("/a2a/session/message", sender.secret(), body)
        .map(
            reply -> {
              Long sequence = reply.getLong("sequence");
              if (sequence == null) {
                driver.metrics().error("no sequence: " + reply.getString("error"));
              } else {
                driver.metrics().accepted(dueNanos, Clock.epochNanos());
                acked.put(sequence, true);
                driver.checker().acknowledged(sessionId, reply.getString("message_id"), sequence);
              }
              return (Void) null;
            })
        .recover(
            failure -> {
              driver.metrics().error(failure);
              return Future.succeededFuture();
            });
  }

  /** One reader's long-polls, one after the other, until the run is over. */
  private Future<Void> pollLoop(Driver driver, Node reader) {
    Promise<Void> done = Promise.promise();
    pollOnce(driver, reader, done);
    return done.future();
  }

  private void pollOnce(Driver driver, Node reader, Promise<Void> done) {
    if (!polling) {
      done.tryComplete();
      return;
    }
    JsonObject body = new JsonObject().put("timeout_ms", pollTimeoutMs).put("limit", pollLimit);
    post("/a2a/events/poll", reader.secret(), body)
        .onComplete(
            result -> {
              roundTrips.incrementAndGet();
              if (result.failed()) {
                driver.metrics().error(result.cause());
              } else {
                received(driver, reader.handle(), result.result());
              }
              pollOnce(driver, reader, done);
            });
  }

  private void received(Driver driver, String reader, JsonObject poll) {
    long now = Clock.epochNanos();
    JsonArray events = poll.getJsonArray("events", new JsonArray());
    for (Object item : events) {
      JsonObject event = (JsonObject) item;
      if (!"session_message".equals(event.getString("type"))
          || !sessionId.equals(event.getString("session_id"))) {
        continue;
      }
      long sequence = event.getLong("sequence");
      Map<Long, Boolean> mine = seen.computeIfAbsent(reader, r -> new ConcurrentHashMap<>());
      if (mine.put(sequence, true) != null) {
        violations.add(reader + " got sequence " + sequence + " twice");
        continue;
      }
      Long last = lastSequence.put(reader, sequence);
      if (last != null && last > sequence) {
        violations.add(reader + " got " + sequence + " after " + last);
      }
      JsonObject metadata = event.getJsonObject("payload").getJsonObject("metadata");
      driver.metrics().delivered(metadata == null ? null : metadata.getLong(Driver.SENT), now);
    }
  }

  @Override
  JsonObject figures(Driver driver, Sent sent) {
    polling = false;
    long delivered = driver.metrics().delivered();
    JsonObject figures = new JsonObject().put("view", view);
    if (view.equals("poll")) {
      figures
          .put("poll_round_trips", roundTrips.get())
          .put(
              "round_trips_per_delivered_event",
              delivered == 0 ? 0 : Math.round(1000.0 * roundTrips.get() / delivered) / 1000.0);
      for (String reader : readerIds) {
        Map<Long, Boolean> mine = seen.getOrDefault(reader, Map.of());
        long missing = acked.keySet().stream().filter(s -> !mine.containsKey(s)).count();
        if (missing > 0) {
          violations.add(reader + " is missing " + missing + " acknowledged messages");
        }
      }
    }
    return figures;
  }

  @Override
  List<String> violations() {
    return violations;
  }

  private Future<JsonObject> post(String path, String secret, JsonObject body) {
    return new HubHttp(http, host, port).post(path, secret, body, pollTimeoutMs + 30_000);
  }
}
