package dev.asp.bench;

import dev.asp.bench.impl.Clock;
import dev.asp.bench.impl.HubHttp;
import dev.asp.bench.impl.Parallel;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The A2A task board under load (issue 12's figure): S public A2A sessions with the same N nodes
 * joined in each; in the measured phase each session's owner adds T tasks (board updates of five,
 * every task assigned to one of the nodes in turn) and then every node submits its tasks, all
 * sessions at once, C requests in flight per node. With {@code --op message} the same nodes send
 * the same number of requests as plain broadcast messages to the same sessions instead, so the two
 * runs compare a board operation with a message send on the same write path. Every operation must
 * answer 200; the report's accepted rate, latencies and CPU per accepted operation are the board's.
 *
 * <p>The operator must allow the run's hellos and sessions: {@code ASP_A2A_HELLO_LIMIT} ≥ N, and a
 * converge window longer than the run if the sessions should stay open.
 */
@Command(
    name = "a2a-board",
    description = "A2A task boards: S sessions x T tasks, N nodes submitting concurrently.",
    mixinStandardHelpOptions = true)
final class A2aBoard extends Workload {
  private static final int ADD_BATCH = 5;
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String ASSET = "sha256:" + "0123456789abcdef".repeat(4);

  @Option(
      names = {"-S", "--sessions"},
      defaultValue = "100",
      description = "Sessions (default: ${DEFAULT-VALUE}).")
  int sessions;

  @Option(
      names = {"-T", "--tasks"},
      defaultValue = "20",
      description = "Tasks per session (default: ${DEFAULT-VALUE}).")
  int tasks;

  @Option(
      names = {"-N", "--nodes"},
      defaultValue = "5",
      description = "Nodes, each joined in every session (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(
      names = {"-C", "--concurrency"},
      defaultValue = "4",
      description = "Requests in flight per node (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--op",
      defaultValue = "board",
      description = "board (updates and submits) or message (as many plain sends).")
  String op;

  private HttpClient http;
  private String host;
  private int port;
  private final List<String> violations = new CopyOnWriteArrayList<>();

  @Override
  String name() {
    return "a2a-board";
  }

  @Override
  JsonObject parameters() {
    return new JsonObject()
        .put("sessions", sessions)
        .put("tasks", tasks)
        .put("nodes", nodes)
        .put("concurrency", concurrency)
        .put("op", op);
  }

  private record Node(String id, String secret) {}

  /** One request of the measured phase. */
  private record Op(Node node, String path, JsonObject body) {}

  @Override
  Sent run(Driver driver, Agents agents) {
    if (sessions < 1 || tasks < 1 || nodes < 2 || !(op.equals("board") || op.equals("message"))) {
      throw new IllegalArgumentException("need S >= 1, T >= 1, N >= 2 and --op board|message");
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
    List<Node> team = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      JsonObject hello = Driver.await(post("/a2a/hello", null, new JsonObject()), TIMEOUT);
      if (hello.getString("node_id") == null) {
        throw new IllegalStateException("hello failed: " + hello.encode());
      }
      team.add(new Node(hello.getString("node_id"), hello.getString("node_secret")));
    }
    List<String> ids = new CopyOnWriteArrayList<>();
    List<Integer> indexes = new ArrayList<>();
    for (int s = 0; s < sessions; s++) {
      indexes.add(s);
    }
    Driver.await(
        Parallel.forEach(indexes, 8, s -> createSession(team, s).map(ids::add)),
        Duration.ofSeconds(300));

    // every node's operations, in order: the owners' adds first, then each node's submits
    List<List<Op>> adds = new ArrayList<>();
    List<List<Op>> submits = new ArrayList<>();
    team.forEach(
        n -> {
          adds.add(new ArrayList<>());
          submits.add(new ArrayList<>());
        });
    for (int s = 0; s < ids.size(); s++) {
      int owner = s % nodes;
      for (int first = 0; first < tasks; first += ADD_BATCH) {
        JsonArray batch = new JsonArray();
        for (int t = first; t < Math.min(tasks, first + ADD_BATCH); t++) {
          batch.add(
              new JsonObject()
                  .put("title", "task " + t)
                  .put("signals", new JsonArray().add("bench"))
                  .put("assigned_to", team.get(t % nodes).id()));
        }
        adds.get(owner)
            .add(
                new Op(
                    team.get(owner),
                    "/a2a/session/board/update",
                    new JsonObject().put("session_id", ids.get(s)).put("add_tasks", batch)));
      }
    }
    long start = Clock.epochNanos();
    startMeasuring(driver);
    long deadline = deadline();
    if (op.equals("message")) {
      // as many plain sends as board operations, by the same nodes into the same sessions
      List<List<Op>> sends = new ArrayList<>();
      team.forEach(n -> sends.add(new ArrayList<>()));
      int perSession = (tasks + ADD_BATCH - 1) / ADD_BATCH + tasks;
      for (int s = 0; s < ids.size(); s++) {
        for (int k = 0; k < perSession; k++) {
          int n = k % nodes;
          sends
              .get(n)
              .add(
                  new Op(
                      team.get(n),
                      "/a2a/session/message",
                      new JsonObject()
                          .put("session_id", ids.get(s))
                          .put("payload", new JsonObject().put("k", k))));
        }
      }
      runAll(driver, sends, deadline);
    } else {
      runAll(driver, adds, deadline);
      // the adds answered with the task ids: each node submits what is assigned to it
      for (int n = 0; n < nodes; n++) {
        submits.get(n).addAll(submitsOf(team.get(n), n));
      }
      runAll(driver, submits, deadline);
    }
    return new Sent(0, start, Clock.epochNanos());
  }

  private final List<JsonObject> added = new CopyOnWriteArrayList<>();

  private List<Op> submitsOf(Node node, int index) {
    List<Op> ops = new ArrayList<>();
    for (JsonObject task : added) {
      if (node.id().equals(task.getString("assigned_to"))) {
        ops.add(
            new Op(
                node,
                "/a2a/session/submit",
                new JsonObject()
                    .put("session_id", task.getString("session_id"))
                    .put("task_id", task.getString("task_id"))
                    .put("result_asset_id", ASSET)));
      }
    }
    return ops;
  }

  private void runAll(Driver driver, List<List<Op>> perNode, long deadline) {
    HubLoad load =
        new HubLoad(driver, new HubHttp(http, host, port), TIMEOUT.toMillis(), violations);
    load.run(
        requests(perNode),
        concurrency,
        deadline,
        maxSeconds,
        reply -> {
          JsonArray tasksAdded = reply.getJsonArray("added");
          if (tasksAdded != null) {
            tasksAdded.forEach(t -> added.add((JsonObject) t));
          }
        });
  }

  private static List<List<HubLoad.Request>> requests(List<List<Op>> perNode) {
    List<List<HubLoad.Request>> requests = new ArrayList<>();
    for (List<Op> ops : perNode) {
      requests.add(
          ops.stream()
              .map(op -> new HubLoad.Request(op.node().secret(), op.path(), op.body()))
              .toList());
    }
    return requests;
  }

  private Future<String> createSession(List<Node> team, int index) {
    Node owner = team.get(index % team.size());
    JsonArray invite = new JsonArray();
    team.stream().filter(n -> n != owner).forEach(n -> invite.add(n.id()));
    return post(
            "/a2a/session/create",
            owner.secret(),
            new JsonObject()
                .put("title", "asp-bench a2a-board " + index)
                .put("invite_node_ids", invite))
        .compose(
            created -> {
              String id = created.getString("session_id");
              if (id == null) {
                return Future.failedFuture("create failed: " + created.encode());
              }
              List<Future<JsonObject>> joins = new ArrayList<>();
              for (Node n : team) {
                if (n != owner) {
                  joins.add(
                      post(
                          "/a2a/session/join", n.secret(), new JsonObject().put("session_id", id)));
                }
              }
              return Future.all(joins).map(v -> id);
            });
  }

  @Override
  List<String> violations() {
    return violations;
  }

  private Future<JsonObject> post(String path, String secret, JsonObject body) {
    return new HubHttp(http, host, port).post(path, secret, body, TIMEOUT.toMillis());
  }
}
