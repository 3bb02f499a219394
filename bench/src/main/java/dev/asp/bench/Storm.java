package dev.asp.bench;

import dev.asp.bench.impl.Clock;
import dev.asp.bench.impl.Lanes;
import dev.asp.bench.impl.Parallel;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A reconnect storm: A agents in A/2 two-agent sessions, all connected; every socket is dropped at
 * once (no close frame, as a crashed host or lost network), each creator sends K messages while
 * both are away, then all reconnect, each after a random delay within the jitter window. The figure
 * is the catch-up time: from the first reconnect until every agent has every missed event (the
 * checker then proves they arrived in order, once). Sending must finish within the operator's grace
 * window ({@code ASP_GRACE_MS}, 30 s by default), or the agents leave and miss events.
 */
@Command(
    name = "storm",
    description =
        "A agents drop their sockets at once, K messages each are sent meanwhile, all reconnect"
            + " with jitter; time until everything missed is delivered.",
    mixinStandardHelpOptions = true)
final class Storm extends Workload {
  private static final Logger LOG = LoggerFactory.getLogger(Storm.class);

  @Option(
      names = {"-A", "--agents-count"},
      defaultValue = "100",
      description = "Agents (even; in A/2 sessions) (default: ${DEFAULT-VALUE}).")
  int agentCount;

  @Option(
      names = {"-K", "--missed"},
      defaultValue = "20",
      description = "Messages sent per session while away (default: ${DEFAULT-VALUE}).")
  int missed;

  @Option(
      names = "--jitter-ms",
      defaultValue = "1000",
      description = "Reconnects are spread uniformly over this window (default: ${DEFAULT-VALUE}).")
  int jitterMs;

  @Option(
      names = {"-C", "--concurrency"},
      defaultValue = "2",
      description = "Requests in flight per session while away (default: ${DEFAULT-VALUE}).")
  int concurrency;

  private long reconnectStart;

  @Option(
      names = "--max-in-flight",
      defaultValue = "256",
      description =
          "Sends in flight over all sessions while the agents are away (default: ${DEFAULT-VALUE}).")
  int maxInFlight;

  @Option(
      names = "--settle-ms",
      defaultValue = "1000",
      description =
          "Wait before the drops (delivered set-up events get confirmed) and after them before"
              + " sending (the server has seen every socket close) (default: ${DEFAULT-VALUE}).")
  long settleMs;

  private long reconnected;

  @Override
  String name() {
    return "storm";
  }

  @Override
  JsonObject parameters() {
    return new JsonObject()
        .put("agents", agentCount)
        .put("missed", missed)
        .put("jitter_ms", jitterMs)
        .put("max_in_flight", maxInFlight)
        .put("settle_ms", settleMs)
        .put("concurrency", concurrency);
  }

  @Override
  Sent run(Driver driver, Agents agents) {
    int sessions = agentCount / 2;
    List<String> handles = agents.take(2 * sessions, "storm -A " + agentCount);
    List<Pairs.Pair> pairs = Pairs.setUp(driver, handles, sessions);
    // Drop only once set-up is delivered (invitation and join on both sides): a frame in flight
    // when a socket is cut without a close may be lost to the peer and replayed, which is not what
    // this workload measures.
    Checker checker = driver.checker();
    driver.awaitCondition(
        () ->
            pairs.stream()
                .allMatch(
                    p ->
                        checker.count(p.creator(), p.sessionId()) >= 2
                            && checker.count(p.other(), p.sessionId()) >= 2),
        Duration.ofSeconds(30));
    // ...and confirmed: an operator may count a frame as delivered only once the peer answered a
    // ping sent after it (this one does), and replays what was not when the socket is cut.
    driver.awaitCondition(() -> false, Duration.ofMillis(settleMs));
    Driver.await(Parallel.forEach(handles, 64, driver::drop), Duration.ofSeconds(60));
    // ASP has no acknowledgements: a frame written into a socket whose peer is gone but whose close
    // the server has not processed yet counts as sent, and a crashed peer loses it. The workload
    // measures catch-up after a drop, not that window (docs/delivery.md), so it waits it out.
    driver.awaitCondition(() -> false, Duration.ofMillis(settleMs));
    long start = Clock.epochNanos();
    startMeasuring(driver);
    long deadline = deadline();
    Driver.await(
        Parallel.forEach(
            pairs,
            Math.max(1, maxInFlight / Math.max(1, concurrency)),
            p ->
                Lanes.run(
                    missed,
                    concurrency,
                    deadline,
                    i -> driver.send(p.creator(), p.sessionId(), i, Clock.epochNanos()))),
        Duration.ofSeconds(maxSeconds + 30L));
    long sent = Clock.epochNanos();
    if (sent - start > Duration.ofSeconds(25).toNanos()) {
      LOG.warn(
          "sending took {} s: beyond the default grace window agents leave", (sent - start) / 1e9);
    }
    reconnectStart = sent;
    List<Future<Void>> reconnects = new ArrayList<>();
    for (String handle : handles) {
      Promise<Void> back = Promise.promise();
      long delay = 1 + ThreadLocalRandom.current().nextLong(Math.max(1, jitterMs));
      driver.vertx().setTimer(delay, id -> driver.connect(handle).onComplete(back));
      reconnects.add(back.future());
    }
    Driver.await(Future.join(reconnects), Duration.ofSeconds(60 + jitterMs / 1000));
    reconnected = Clock.epochNanos();
    return new Sent(2, start, sent);
  }

  @Override
  JsonObject figures(Driver driver, Sent sent) {
    return new JsonObject()
        .put("missed_messages_per_agent", missed)
        .put("all_reconnected_seconds", (reconnected - reconnectStart) / 1e9)
        .put(
            "catch_up_seconds",
            (Math.max(driver.metrics().lastDeliveryNanos(), reconnectStart) - reconnectStart)
                / 1e9);
  }
}
