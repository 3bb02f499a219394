package dev.asp.delivery.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Delivery's meters, registered once: the hot path only increments pre-built meters (no lookups, no
 * tags built per call, no labels that grow with agents or sessions). Updated on the delivery
 * context; the gauges are read by whichever thread scrapes, hence the atomics. Without a registry
 * they record nothing.
 */
public final class DeliveryMeters {
  private static final Duration[] LAG_BUCKETS = {
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60)
  };

  private static final double[] PAGE_BUCKETS = {1, 10, 50, 100, 250, 500, 1000};

  private final AtomicInteger agents = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private final Counter delivered;
  private final Timer liveLag;
  private final Timer replayLag;
  private final DistributionSummary replayPage;

  public DeliveryMeters(MeterRegistry registry) {
    MeterRegistry target = registry == null ? new CompositeMeterRegistry() : registry;
    Gauge.builder("asp.agents.connected", agents, AtomicInteger::get)
        .description("agents with at least one live WebSocket on this node")
        .strongReference(true)
        .register(target);
    Gauge.builder("asp.websockets.open", connections, AtomicInteger::get)
        .description("live WebSocket connections (WS /connect) on this node")
        .strongReference(true)
        .register(target);
    delivered =
        Counter.builder("asp.events.delivered")
            .description("event frames written to agents' WebSockets by this node")
            .register(target);
    liveLag = lag(target, "live", "commit to hand-over to the sockets, events delivered live");
    replayLag =
        lag(target, "replay", "commit to hand-over to the sockets, events read back from the log");
    replayPage =
        DistributionSummary.builder("asp.replay.events")
            .description("events per page read from the log (replay, gap filling, transcripts)")
            .serviceLevelObjectives(PAGE_BUCKETS)
            .register(target);
  }

  private static Timer lag(MeterRegistry target, String path, String description) {
    return Timer.builder("asp.delivery.lag")
        .description(description)
        .tag("path", path)
        .serviceLevelObjectives(LAG_BUCKETS)
        .register(target);
  }

  void agentConnected() {
    agents.incrementAndGet();
  }

  void agentGone() {
    agents.decrementAndGet();
  }

  void connectionOpened() {
    connections.incrementAndGet();
  }

  void connectionClosed() {
    connections.decrementAndGet();
  }

  /** One frame written out to one socket. */
  void delivered() {
    delivered.increment();
  }

  /** An event handed to the agent's sockets, {@code createdAt} being its commit time (ms). */
  void handedOver(long createdAt, boolean live) {
    if (createdAt <= 0) {
      return;
    }
    long lag = Math.max(0, System.currentTimeMillis() - createdAt);
    (live ? liveLag : replayLag).record(lag, TimeUnit.MILLISECONDS);
  }

  void replayPage(int events) {
    replayPage.record(events);
  }
}
