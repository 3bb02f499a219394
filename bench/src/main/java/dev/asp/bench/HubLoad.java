package dev.asp.bench;

import dev.asp.bench.impl.Clock;
import dev.asp.bench.impl.HubHttp;
import dev.asp.bench.impl.Lanes;
import dev.asp.bench.impl.Parallel;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The measured phase of the A2A request workloads: every node's requests in order, {@code
 * concurrency} in flight per node, all nodes at once; each answer counted accepted (with its ack
 * latency) or as an error, an {@code error} body also a violation.
 */
final class HubLoad {
  /** One request: who sends it (its secret), where, and what. */
  record Request(String secret, String path, JsonObject body) {}

  private final Driver driver;
  private final HubHttp hub;
  private final long timeoutMs;
  private final List<String> violations;

  HubLoad(Driver driver, HubHttp hub, long timeoutMs, List<String> violations) {
    this.driver = driver;
    this.hub = hub;
    this.timeoutMs = timeoutMs;
    this.violations = violations;
  }

  /** Runs {@code perNode} until done or {@code deadline}; {@code onReply} sees each success. */
  void run(
      List<List<Request>> perNode,
      int concurrency,
      long deadline,
      int maxSeconds,
      Consumer<JsonObject> onReply) {
    List<Integer> lanes = new ArrayList<>();
    for (int n = 0; n < perNode.size(); n++) {
      lanes.add(n);
    }
    Future<Void> done =
        Parallel.forEach(
            lanes,
            perNode.size(),
            n -> {
              List<Request> requests = perNode.get(n);
              return Lanes.run(
                  requests.size(),
                  concurrency,
                  deadline,
                  i -> call(requests.get((int) i), onReply));
            });
    Driver.await(done, Duration.ofSeconds(maxSeconds + 30L));
  }

  private Future<Void> call(Request request, Consumer<JsonObject> onReply) {
    driver.metrics().attempt();
    long due = Clock.epochNanos();
    return hub.post(request.path(), request.secret(), request.body(), timeoutMs)
        .map(
            reply -> {
              if (reply.containsKey("error")) {
                driver.metrics().error(reply.getString("error"));
                violations.add(request.path() + " answered " + reply.getString("error"));
              } else {
                driver.metrics().accepted(due, Clock.epochNanos());
                onReply.accept(reply);
              }
              return (Void) null;
            })
        .recover(
            failure -> {
              driver.metrics().error(failure);
              return Future.succeededFuture();
            });
  }
}
