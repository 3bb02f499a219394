package dev.asp.bench;

import dev.asp.bench.impl.Clock;
import dev.asp.bench.impl.HubHttp;
import dev.asp.bench.impl.Parallel;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The A2A structured processes under load (issue 13's figures). N nodes (default 5) and one
 * initiator; D processes at once:
 *
 * <ul>
 *   <li>{@code --op deliberation}: D deliberations of all N nodes; in the measured phase every node
 *       posts, in every deliberation, a respond (diverging), an agree (challenging) and an approve
 *       vote (converging), C posts in flight per node, so each deliberation moves through its three
 *       phases by contributions: 3 × N × D dialog posts, 3 × D phase transitions;
 *   <li>{@code --op message}: as many plain broadcast messages by the same nodes into D sessions
 *       they all joined, the comparison for a dialog post;
 *   <li>{@code --op deadlines}: D deliberations of one round with the shortest phase timeout (1 s)
 *       and nobody posting, so every phase ends by its deadline: the figure is the lateness, how
 *       long after {@code phase_deadline} each phase event was committed (read from the log);
 *   <li>{@code --op pipeline}: D pipelines of N steps, step i taken by node i; each assignee
 *       advances as soon as its step is current: N × D advances.
 * </ul>
 *
 * The operator must allow the run's hellos ({@code ASP_A2A_HELLO_LIMIT}) and pick N participants
 * ({@code ASP_A2A_DELIBERATION_MAX_AGENTS} ≥ N).
 */
@Command(
    name = "a2a-process",
    description = "A2A deliberations and pipelines: D at once, N nodes.",
    mixinStandardHelpOptions = true)
final class A2aProcess extends Workload {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Option(
      names = {"-D", "--processes"},
      defaultValue = "100",
      description = "Deliberations, pipelines or sessions at once (default: ${DEFAULT-VALUE}).")
  int processes;

  @Option(
      names = {"-N", "--nodes"},
      defaultValue = "5",
      description = "Participant nodes / pipeline steps (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(
      names = {"-C", "--concurrency"},
      defaultValue = "4",
      description = "Requests in flight per node (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--op",
      defaultValue = "deliberation",
      description = "deliberation, message, deadlines or pipeline.")
  String op;

  private HttpClient http;
  private HubHttp hub;
  private String host;
  private int port;
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final List<Long> lateness = Collections.synchronizedList(new ArrayList<>());
  private final List<String> backing = new CopyOnWriteArrayList<>();
  private Node initiator;
  private Driver driverRef;

  @Override
  String name() {
    return "a2a-process";
  }

  @Override
  JsonObject parameters() {
    return new JsonObject()
        .put("processes", processes)
        .put("nodes", nodes)
        .put("concurrency", concurrency)
        .put("op", op);
  }

  private record Node(String id, String secret) {}

  /** One request of the measured phase. */
  private record Op(Node node, String path, JsonObject body) {}

  @Override
  Sent run(Driver driver, Agents agents) {
    if (processes < 1
        || nodes < 2
        || !List.of("deliberation", "message", "deadlines", "pipeline").contains(op)) {
      throw new IllegalArgumentException(
          "need D >= 1, N >= 2 and --op deliberation|message|deadlines|pipeline");
    }
    URI base = URI.create(Driver.nodeUrls(url).get(0));
    host = base.getHost();
    port = base.getPort();
    http =
        driver
            .vertx()
            .createHttpClient(
                new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(nodes * concurrency + 8));
    hub = new HubHttp(http, host, port);
    // the run's own capability word, so earlier runs' nodes are never picked
    String word = "run" + Long.toString(System.nanoTime(), 36);
    initiator = hello(new JsonArray().add("chairing"));
    List<Node> team = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      team.add(hello(new JsonArray().add(word).add(word + "s" + i)));
    }
    List<Integer> indexes = new ArrayList<>();
    for (int k = 0; k < processes; k++) {
      indexes.add(k);
    }
    List<String> ids = new CopyOnWriteArrayList<>();
    driverRef = driver;
    long deadline;
    long start = Clock.epochNanos();
    switch (op) {
      case "deliberation", "deadlines" -> {
        boolean deadlines = op.equals("deadlines");
        if (deadlines) {
          start = Clock.epochNanos();
          startMeasuring(driver);
        }
        Driver.await(
            Parallel.forEach(indexes, 8, k -> startDeliberation(word, k, deadlines).map(ids::add)),
            Duration.ofSeconds(300));
        if (deadlines) {
          awaitCompleted(ids);
          return new Sent(0, start, Clock.epochNanos());
        }
        List<List<Op>> perNode = new ArrayList<>();
        for (Node n : team) {
          List<Op> ops = new ArrayList<>();
          for (String type : List.of("respond", "agree", "vote")) {
            for (String id : ids) {
              Object content =
                  type.equals("vote")
                      ? new JsonObject().put("vote", "approve").put("confidence", 0.8)
                      : type + " from " + n.id();
              ops.add(
                  new Op(
                      n,
                      "/a2a/dialog",
                      new JsonObject()
                          .put("deliberation_id", id)
                          .put("dialog_type", type)
                          .put("content", content)));
            }
          }
          perNode.add(ops);
        }
        start = Clock.epochNanos();
        startMeasuring(driver);
        deadline = deadline();
        // phase by phase: every node's respond in every deliberation, then the agrees, the votes
        for (int phase = 0; phase < 3; phase++) {
          int from = phase * ids.size();
          List<List<Op>> slice = new ArrayList<>();
          for (List<Op> ops : perNode) {
            slice.add(ops.subList(from, from + ids.size()));
          }
          runAll(driver, slice, deadline);
        }
      }
      case "message" -> {
        Driver.await(
            Parallel.forEach(indexes, 8, k -> createSession(team, k).map(ids::add)),
            Duration.ofSeconds(300));
        List<List<Op>> perNode = new ArrayList<>();
        for (Node n : team) {
          List<Op> ops = new ArrayList<>();
          for (int r = 0; r < 3; r++) {
            for (String id : ids) {
              ops.add(
                  new Op(
                      n,
                      "/a2a/session/message",
                      new JsonObject()
                          .put("session_id", id)
                          .put("payload", "message " + r + " from " + n.id())));
            }
          }
          perNode.add(ops);
        }
        start = Clock.epochNanos();
        startMeasuring(driver);
        runAll(driver, perNode, deadline());
      }
      default -> {
        Driver.await(
            Parallel.forEach(indexes, 8, k -> createPipeline(word, k).map(ids::add)),
            Duration.ofSeconds(300));
        start = Clock.epochNanos();
        startMeasuring(driver);
        deadline = deadline();
        // step s of every pipeline belongs to node s: it advances them all, then the next node
        for (int s = 0; s < nodes; s++) {
          Node n = team.get(s);
          List<Op> ops = new ArrayList<>();
          for (String id : ids) {
            ops.add(
                new Op(
                    n,
                    "/a2a/pipeline/" + id + "/advance",
                    new JsonObject().put("output_data", new JsonObject().put("step", s + 1))));
          }
          runAll(driver, List.of(ops), deadline);
        }
      }
    }
    return new Sent(0, start, Clock.epochNanos());
  }

  @Override
  JsonObject figures(Driver driver, Sent sent) {
    JsonObject figures = new JsonObject().put("op", op);
    if (op.equals("deadlines")) {
      List<Long> sorted = new ArrayList<>(lateness);
      Collections.sort(sorted);
      figures
          .put("phase_ends", sorted.size())
          .put("lateness_ms_p50", percentile(sorted, 0.50))
          .put("lateness_ms_p99", percentile(sorted, 0.99))
          .put("lateness_ms_max", sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1));
    }
    return figures;
  }

  private static long percentile(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return 0;
    }
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }

  private Node hello(JsonArray capabilities) {
    JsonObject hello =
        Driver.await(
            post("/a2a/hello", null, new JsonObject().put("capabilities", capabilities)), TIMEOUT);
    if (hello.getString("node_id") == null) {
      throw new IllegalStateException("hello failed: " + hello.encode());
    }
    return new Node(hello.getString("node_id"), hello.getString("node_secret"));
  }

  private Future<String> startDeliberation(String word, int k, boolean shortPhases) {
    JsonObject config = new JsonObject().put("max_agents", nodes).put("min_agents", nodes);
    if (shortPhases) {
      config.put("timeout_per_round_ms", 1000);
    }
    return post(
            "/a2a/deliberation/start",
            initiator.secret(),
            new JsonObject()
                .put("title", "asp-bench " + word + " " + k)
                .put("body", "decide " + word)
                .put("max_rounds", 1)
                .put("config", config))
        .map(
            reply -> {
              String id = reply.getString("deliberation_id");
              if (id == null) {
                throw new IllegalStateException("start failed: " + reply.encode());
              }
              backing.add(reply.getString("session_id"));
              return id;
            });
  }

  /** Waits for every deliberation to complete, then reads the lateness of each phase end. */
  private void awaitCompleted(List<String> ids) {
    long until = Clock.epochNanos() + Duration.ofSeconds(maxSeconds).toNanos();
    for (String id : ids) {
      while (true) {
        JsonObject status = Driver.await(get("/a2a/deliberation/" + id + "/status"), TIMEOUT);
        if ("completed".equals(status.getString("status"))) {
          break;
        }
        if (Clock.epochNanos() > until) {
          violations.add(id + " did not complete in time");
          return;
        }
        Driver.await(driverRef.vertx().timer(50), TIMEOUT);
      }
    }
    for (String session : backing) {
      JsonObject page =
          Driver.await(get("/sessions/" + session + "/events?extensions=a2a"), TIMEOUT);
      long previousDeadline = -1;
      for (Object item : page.getJsonArray("events", new JsonArray())) {
        JsonObject event = (JsonObject) item;
        String type = event.getString("type");
        if (type == null || !type.startsWith("a2a.deliberation_")) {
          continue;
        }
        JsonObject payload = event.getJsonObject("payload");
        // ASP events carry epoch milliseconds; the A2A payloads ISO instants
        Object at = event.getValue("created_at");
        long created =
            at instanceof Number n
                ? n.longValue()
                : Instant.parse(String.valueOf(at)).toEpochMilli();
        if (previousDeadline > 0) {
          lateness.add(created - previousDeadline);
        }
        String next = payload.getString("phase_deadline");
        previousDeadline = next == null ? -1 : Instant.parse(next).toEpochMilli();
      }
    }
  }

  private Future<String> createSession(List<Node> team, int k) {
    JsonArray invite = new JsonArray();
    team.forEach(n -> invite.add(n.id()));
    return post(
            "/a2a/session/create",
            initiator.secret(),
            new JsonObject()
                .put("title", "asp-bench a2a-process " + k)
                .put("invite_node_ids", invite))
        .compose(
            created -> {
              String id = created.getString("session_id");
              List<Future<JsonObject>> joins = new ArrayList<>();
              for (Node n : team) {
                joins.add(
                    post("/a2a/session/join", n.secret(), new JsonObject().put("session_id", id)));
              }
              return Future.all(joins).map(v -> id);
            });
  }

  private Future<String> createPipeline(String word, int k) {
    JsonArray steps = new JsonArray();
    for (int s = 0; s < nodes; s++) {
      steps.add(new JsonObject().put("role", word + "s" + s));
    }
    return post(
            "/a2a/pipeline/create",
            initiator.secret(),
            new JsonObject()
                .put("name", "asp-bench " + word + " " + k)
                .put("steps", steps)
                .put("input_data", new JsonObject().put("k", k)))
        .map(
            reply -> {
              String id = reply.getString("pipeline_id");
              if (id == null || !"active".equals(reply.getString("status"))) {
                throw new IllegalStateException("create failed: " + reply.encode());
              }
              return id;
            });
  }

  private void runAll(Driver driver, List<List<Op>> perNode, long deadline) {
    List<List<HubLoad.Request>> requests = new ArrayList<>();
    for (List<Op> ops : perNode) {
      requests.add(
          ops.stream()
              .map(op -> new HubLoad.Request(op.node().secret(), op.path(), op.body()))
              .toList());
    }
    new HubLoad(driver, hub, TIMEOUT.toMillis(), violations)
        .run(requests, concurrency, deadline, maxSeconds, reply -> {});
  }

  @Override
  List<String> violations() {
    return violations;
  }

  private Future<JsonObject> post(String path, String secret, JsonObject body) {
    return hub.post(path, secret, body, TIMEOUT.toMillis());
  }

  private Future<JsonObject> get(String path) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost(host)
            .setPort(port)
            .setURI(path)
            .setTimeout(TIMEOUT.toMillis())
            .putHeader("Authorization", "Bearer " + initiator.secret());
    return http.request(options)
        .compose(request -> request.send())
        .compose(response -> response.body().map(b -> new JsonObject(b)));
  }
}
