package dev.asp.bench;

import dev.asp.bench.impl.Clock;
import dev.asp.bench.impl.HubHttp;
import dev.asp.bench.impl.Lanes;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code POST /a2a/discover} over a large board (issue 12's figure): before measuring, N owner
 * nodes create S public sessions of T open, unassigned tasks each (S × T tasks, default 10,000),
 * worded from a fixed vocabulary with a seeded random, so every run builds the same corpus. The
 * measured phase is Q discovers by one node that joined nothing, C in flight, cycling through the
 * four request forms: a two-word query, a query with capabilities, capabilities alone, and neither
 * (newest first). Every discover must answer 200; the report's latencies are the discovers'.
 */
@Command(
    name = "a2a-discover",
    description = "A2A discover: S sessions x T open tasks, then Q ranked discovers.",
    mixinStandardHelpOptions = true)
final class A2aDiscover extends Workload {
  private static final int ADD_BATCH = 5;
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String[] WORDS = {
    "memory",
    "leak",
    "parser",
    "cache",
    "index",
    "query",
    "planner",
    "network",
    "socket",
    "retry",
    "timeout",
    "schema",
    "migration",
    "deploy",
    "cluster",
    "replica",
    "shard",
    "vector",
    "search",
    "ranking",
    "token",
    "session",
    "stream",
    "buffer",
    "codec",
    "compress",
    "encrypt",
    "verify",
    "audit",
    "metric",
    "trace",
    "profile",
    "latency",
    "throughput",
    "storage",
    "journal",
    "commit",
    "rollback",
    "lock",
    "queue",
    "worker",
    "sweeper",
    "scheduler",
    "backoff",
    "gateway",
    "router",
    "proxy",
    "translate",
    "summarise",
    "classify",
    "label",
    "dataset",
    "train",
    "evaluate",
    "benchmark",
    "document",
    "review",
    "refactor",
    "design",
    "test"
  };
  private static final String[] SIGNALS = {
    "python",
    "java",
    "rust",
    "go",
    "sql",
    "ml",
    "nlp",
    "vision",
    "devops",
    "security",
    "frontend",
    "backend",
    "data",
    "docs",
    "testing",
    "infra",
    "mobile",
    "research",
    "design",
    "ops"
  };

  @Option(
      names = {"-S", "--sessions"},
      defaultValue = "500",
      description = "Sessions (default: ${DEFAULT-VALUE}).")
  int sessions;

  @Option(
      names = {"-T", "--tasks"},
      defaultValue = "20",
      description = "Open tasks per session (default: ${DEFAULT-VALUE}).")
  int tasks;

  @Option(
      names = {"-N", "--owners"},
      defaultValue = "10",
      description = "Owner nodes the sessions are spread over (default: ${DEFAULT-VALUE}).")
  int owners;

  @Option(
      names = {"-Q", "--discovers"},
      defaultValue = "2000",
      description = "Discovers in the measured phase (default: ${DEFAULT-VALUE}).")
  int discovers;

  @Option(
      names = {"-C", "--concurrency"},
      defaultValue = "4",
      description = "Discovers in flight (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--vocabulary",
      defaultValue = "0",
      description =
          "0: the built-in 60 words, drawn uniformly (dense: a word is in about a fifth of the"
              + " tasks); N > 0: N synthetic words drawn with Zipf's law (s = 1), as words of a"
              + " natural language are (default: ${DEFAULT-VALUE}).")
  int vocabulary;

  @Option(
      names = "--limit",
      defaultValue = "10",
      description = "The discover limit (default: ${DEFAULT-VALUE}).")
  int limit;

  private HttpClient http;
  private String host;
  private int port;
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final Map<String, Node> ownerOf = new ConcurrentHashMap<>();

  @Override
  String name() {
    return "a2a-discover";
  }

  @Override
  JsonObject parameters() {
    return new JsonObject()
        .put("sessions", sessions)
        .put("tasks", tasks)
        .put("owners", owners)
        .put("discovers", discovers)
        .put("concurrency", concurrency)
        .put("limit", limit)
        .put("vocabulary", vocabulary);
  }

  private record Node(String id, String secret) {}

  @Override
  Sent run(Driver driver, Agents agents) {
    if (sessions < 1 || tasks < 1 || owners < 1 || discovers < 1 || limit < 1 || limit > 50) {
      throw new IllegalArgumentException("need S, T, N, Q >= 1 and 1 <= limit <= 50");
    }
    URI base = URI.create(Driver.nodeUrls(url).get(0));
    host = base.getHost();
    port = base.getPort();
    http =
        driver
            .vertx()
            .createHttpClient(
                new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(Math.max(concurrency, 8) + 8));
    List<Node> team = new ArrayList<>();
    for (int i = 0; i < owners; i++) {
      team.add(hello());
    }
    Node caller = hello();
    Random random = new Random(42);
    words = vocabulary == 0 ? new Words(WORDS, null) : Words.zipf(vocabulary);
    List<JsonObject> updates = new ArrayList<>();
    List<Integer> indexes = new ArrayList<>();
    for (int s = 0; s < sessions; s++) {
      indexes.add(s);
    }
    List<String> ids = new CopyOnWriteArrayList<>();
    Driver.await(
        Parallel.forEach(indexes, 8, s -> createSession(team.get(s % owners), s).map(ids::add)),
        Duration.ofSeconds(600));
    for (String id : ids) {
      for (int first = 0; first < tasks; first += ADD_BATCH) {
        JsonArray batch = new JsonArray();
        for (int t = first; t < Math.min(tasks, first + ADD_BATCH); t++) {
          batch.add(
              new JsonObject()
                  .put("title", words(random, 3))
                  .put("description", words(random, 10))
                  .put(
                      "signals",
                      new JsonArray()
                          .add(SIGNALS[random.nextInt(SIGNALS.length)])
                          .add(SIGNALS[random.nextInt(SIGNALS.length)])));
        }
        updates.add(new JsonObject().put("session_id", id).put("add_tasks", batch));
      }
    }
    // the owner of each session adds its tasks
    List<Integer> updateIndexes = new ArrayList<>();
    for (int u = 0; u < updates.size(); u++) {
      updateIndexes.add(u);
    }
    Driver.await(
        Parallel.forEach(
            updateIndexes,
            8,
            u -> {
              JsonObject update = updates.get(u);
              Node owner = ownerOf.get(update.getString("session_id"));
              return post("/a2a/session/board/update", owner.secret(), update)
                  .map(
                      reply -> {
                        if (reply.containsKey("error")) {
                          throw new IllegalStateException("board update failed: " + reply);
                        }
                        return reply;
                      });
            }),
        Duration.ofSeconds(900));

    List<JsonObject> bodies = new ArrayList<>();
    for (int q = 0; q < discovers; q++) {
      JsonObject body = new JsonObject().put("limit", limit);
      JsonArray caps =
          new JsonArray()
              .add(SIGNALS[random.nextInt(SIGNALS.length)])
              .add(SIGNALS[random.nextInt(SIGNALS.length)]);
      switch (q % 4) {
        case 0 -> body.put("query", words(random, 2));
        case 1 -> body.put("query", words(random, 1)).put("capabilities", caps);
        case 2 -> body.put("capabilities", caps);
        default -> {}
      }
      bodies.add(body);
    }
    long start = Clock.epochNanos();
    startMeasuring(driver);
    long deadline = deadline();
    Driver.await(
        Lanes.run(
            bodies.size(), concurrency, deadline, i -> call(driver, caller, bodies.get((int) i))),
        Duration.ofSeconds(maxSeconds + 30L));
    return new Sent(0, start, Clock.epochNanos());
  }

  private Words words;

  private String words(Random random, int n) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        text.append(' ');
      }
      text.append(words.pick(random));
    }
    return text.toString();
  }

  /** A vocabulary: uniform picks, or picks weighted by a cumulative distribution. */
  private record Words(String[] words, double[] cumulative) {
    /** {@code n} made-up words of two to four syllables, the k-th drawn with weight 1/k. */
    static Words zipf(int n) {
      String[] syllables = {
        "ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "ve", "du", "ga", "sho", "ben", "tor", "lin"
      };
      String[] words = new String[n];
      double[] cumulative = new double[n];
      double total = 0;
      for (int k = 0; k < n; k++) {
        StringBuilder word = new StringBuilder();
        int rest = k;
        do {
          word.append(syllables[rest % syllables.length]);
          rest /= syllables.length;
        } while (rest > 0 || word.length() < 4);
        words[k] = word.toString();
        total += 1.0 / (k + 1);
        cumulative[k] = total;
      }
      for (int k = 0; k < n; k++) {
        cumulative[k] /= total;
      }
      return new Words(words, cumulative);
    }

    String pick(Random random) {
      if (cumulative == null) {
        return words[random.nextInt(words.length)];
      }
      int at = Arrays.binarySearch(cumulative, random.nextDouble());
      return words[Math.min(words.length - 1, at < 0 ? -at - 1 : at)];
    }
  }

  private Node hello() {
    JsonObject hello = Driver.await(post("/a2a/hello", null, new JsonObject()), TIMEOUT);
    if (hello.getString("node_id") == null) {
      throw new IllegalStateException("hello failed: " + hello.encode());
    }
    return new Node(hello.getString("node_id"), hello.getString("node_secret"));
  }

  private Future<String> createSession(Node owner, int index) {
    return post(
            "/a2a/session/create",
            owner.secret(),
            new JsonObject().put("title", "asp-bench a2a-discover " + index))
        .map(
            created -> {
              String id = created.getString("session_id");
              if (id == null) {
                throw new IllegalStateException("create failed: " + created.encode());
              }
              ownerOf.put(id, owner);
              return id;
            });
  }

  private Future<Void> call(Driver driver, Node caller, JsonObject body) {
    driver.metrics().attempt();
    long due = Clock.epochNanos();
    return post("/a2a/discover", caller.secret(), body)
        .map(
            reply -> {
              if (reply.containsKey("error") || !"lexical".equals(reply.getString("method"))) {
                driver.metrics().error(String.valueOf(reply.getString("error")));
                violations.add("discover answered " + reply.encode());
              } else {
                driver.metrics().accepted(due, Clock.epochNanos());
              }
              return (Void) null;
            })
        .recover(
            failure -> {
              driver.metrics().error(failure);
              return Future.succeededFuture();
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
