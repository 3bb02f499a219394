package dev.asp.session.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

/**
 * The session verticle's meters, registered once and then only incremented: nothing is looked up or
 * tagged per call. Every instance of the verticle on a node shares them (a registry returns the
 * same meter for the same name). Without a registry they record nothing.
 */
public final class SessionMeters {
  private final Counter committed;
  private final Counter graceExpiries;

  public SessionMeters(MeterRegistry registry) {
    MeterRegistry target = registry == null ? new CompositeMeterRegistry() : registry;
    committed =
        Counter.builder("asp.events.committed")
            .description("events committed to session logs by this node (announced after commit)")
            .register(target);
    graceExpiries =
        Counter.builder("asp.grace.expiries")
            .description("agents whose grace window expired (they left with grace_expired)")
            .register(target);
  }

  void committed(int events) {
    committed.increment(events);
  }

  void graceExpired() {
    graceExpiries.increment();
  }
}
