package dev.asp.bench;

import dev.asp.bench.impl.Clock;
import dev.asp.bench.impl.Lanes;
import dev.asp.bench.impl.Parallel;
import dev.asp.client.NewSession;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * S two-agent sessions: the creator invites, the other joins, both are connected before anything is
 * sent; then every creator sends M messages with C requests in flight, all sessions at once. Needs
 * 2·S agents. Each message is delivered twice (the sender gets its own).
 */
@Command(
    name = "pairs",
    description = "S two-agent sessions; each creator sends M messages, C in flight.",
    mixinStandardHelpOptions = true)
final class Pairs extends Workload {
  @Option(
      names = {"-S", "--sessions"},
      defaultValue = "100",
      description = "Sessions (default: ${DEFAULT-VALUE}).")
  int sessions;

  @Option(
      names = {"-M", "--messages"},
      defaultValue = "100",
      description = "Messages per session (default: ${DEFAULT-VALUE}).")
  int messages;

  @Option(
      names = {"-C", "--concurrency"},
      defaultValue = "2",
      description = "Requests in flight per session (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--warmup",
      defaultValue = "0",
      description =
          "Messages per session sent (and checked) before measuring, to warm up both JVMs"
              + " (default: ${DEFAULT-VALUE}).")
  int warmup;

  /** A session of two: its creator sends, the other receives. */
  record Pair(String creator, String other, String sessionId) {}

  @Override
  String name() {
    return "pairs";
  }

  @Override
  JsonObject parameters() {
    return new JsonObject()
        .put("sessions", sessions)
        .put("messages", messages)
        .put("concurrency", concurrency)
        .put("warmup", warmup);
  }

  @Override
  Sent run(Driver driver, Agents agents) {
    List<Pair> pairs = setUp(driver, agents.take(2 * sessions, "pairs -S " + sessions), sessions);
    if (warmup > 0) {
      Driver.await(
          sendAll(driver, pairs, warmup, deadline()), Duration.ofSeconds(maxSeconds + 30L));
      Metrics metrics = driver.metrics();
      driver.awaitCondition(
          () -> metrics.delivered() >= 2 * metrics.accepted(), Duration.ofSeconds(drainSeconds));
      metrics.reset();
    }
    long start = Clock.epochNanos();
    startMeasuring(driver);
    Future<Void> sending = sendAll(driver, pairs, messages, deadline());
    Driver.await(sending, Duration.ofSeconds(maxSeconds + 30L));
    return new Sent(2, start, Clock.epochNanos());
  }

  private Future<Void> sendAll(Driver driver, List<Pair> pairs, int count, long deadline) {
    return Parallel.forEach(
        pairs,
        pairs.size(),
        p ->
            Lanes.run(
                count,
                concurrency,
                deadline,
                i -> driver.send(p.creator(), p.sessionId(), i, Clock.epochNanos())));
  }

  /** Connects every agent, then creates and joins the sessions; the checker expects both. */
  static List<Pair> setUp(Driver driver, List<String> handles, int count) {
    Driver.await(driver.connectAll(handles), Duration.ofSeconds(60));
    List<Integer> indexes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      indexes.add(i);
    }
    Pair[] pairs = new Pair[count];
    Future<Void> created =
        Parallel.forEach(
            indexes,
            16,
            i -> {
              String creator = handles.get(2 * i);
              String other = handles.get(2 * i + 1);
              return driver
                  .client(creator)
                  .createSession(NewSession.inviting(other).topic("asp-bench pairs"))
                  .compose(
                      session ->
                          driver
                              .client(other)
                              .join(session.sessionId())
                              .map(v -> pairs[i] = new Pair(creator, other, session.sessionId())));
            });
    Driver.await(created, Duration.ofSeconds(120));
    for (Pair p : pairs) {
      driver.checker().expect(p.sessionId(), List.of(p.creator(), p.other()));
    }
    return List.of(pairs);
  }
}
