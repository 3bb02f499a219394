package dev.asp.bench;

import dev.asp.bench.impl.Clock;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A fixed offered load (open model): message i is due at start + i/R whatever happened to the
 * earlier ones, and both latencies are measured from that due time, so a stall shows up in the
 * percentiles instead of silently slowing the driver down (no coordinated omission). Messages go
 * round-robin over S two-agent sessions set up as in {@code pairs}. A send that would exceed {@code
 * --max-in-flight} is not made and counted as the error {@code skipped_overload}.
 */
@Command(
    name = "rate",
    description = "Fixed offered load of R messages/s for D seconds over S pair sessions.",
    mixinStandardHelpOptions = true)
final class Rate extends Workload {
  @Option(
      names = {"-R", "--rate"},
      defaultValue = "1000",
      description = "Messages per second offered (default: ${DEFAULT-VALUE}).")
  int rate;

  @Option(
      names = {"-D", "--seconds"},
      defaultValue = "10",
      description = "Duration in seconds (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(
      names = {"-S", "--sessions"},
      defaultValue = "50",
      description = "Sessions the load is spread over (default: ${DEFAULT-VALUE}).")
  int sessions;

  @Option(
      names = "--max-in-flight",
      defaultValue = "10000",
      description = "Bound on outstanding requests (default: ${DEFAULT-VALUE}).")
  int maxInFlight;

  @Override
  String name() {
    return "rate";
  }

  @Override
  JsonObject parameters() {
    return new JsonObject()
        .put("rate", rate)
        .put("seconds", seconds)
        .put("sessions", sessions)
        .put("max_in_flight", maxInFlight);
  }

  @Override
  Sent run(Driver driver, Agents agents) {
    if (rate < 1 || seconds < 1) {
      throw new IllegalArgumentException("--rate and --seconds must be positive");
    }
    List<Pairs.Pair> pairs =
        Pairs.setUp(driver, agents.take(2 * sessions, "rate -S " + sessions), sessions);
    long total = Math.min((long) rate * seconds, (long) rate * maxSeconds);
    double intervalNanos = 1e9 / rate;
    AtomicLong scheduled = new AtomicLong();
    AtomicLong inFlight = new AtomicLong();
    Promise<Void> allDue = Promise.promise();
    startMeasuring(driver);
    long start = Clock.epochNanos();
    // A 1 ms tick sends everything that has come due since the last one, each stamped with its own
    // due time: a late tick delays sends, and that delay is measured.
    long timer =
        driver
            .vertx()
            .setPeriodic(
                1,
                id -> {
                  long now = Clock.epochNanos();
                  long due = Math.min(total, (long) ((now - start) / intervalNanos) + 1);
                  for (long i = scheduled.get(); i < due; i = scheduled.incrementAndGet()) {
                    long dueNanos = start + (long) (i * intervalNanos);
                    if (inFlight.get() >= maxInFlight) {
                      driver.metrics().error("skipped_overload");
                      continue;
                    }
                    Pairs.Pair p = pairs.get((int) (i % pairs.size()));
                    inFlight.incrementAndGet();
                    driver
                        .send(p.creator(), p.sessionId(), i, dueNanos)
                        .onComplete(ar -> inFlight.decrementAndGet());
                  }
                  if (scheduled.get() >= total) {
                    allDue.tryComplete();
                  }
                });
    try {
      Driver.await(allDue.future(), Duration.ofSeconds(Math.min(seconds, maxSeconds) + 30L));
    } finally {
      driver.vertx().cancelTimer(timer);
    }
    driver.awaitCondition(() -> inFlight.get() == 0, Duration.ofSeconds(30));
    return new Sent(2, start, Clock.epochNanos());
  }
}
