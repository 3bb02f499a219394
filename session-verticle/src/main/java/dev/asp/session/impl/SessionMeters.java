package dev.asp.session.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

/**
 * The session verticle's meters (besides {@code asp.events.committed}, which {@link
 * dev.asp.session.log.EventAnnouncer} counts), registered once and then only incremented: nothing
 * is looked up or tagged per call. Every instance of the verticle on a node shares them (a registry
 * returns the same meter for the same name). Without a registry they record nothing.
 */
public final class SessionMeters {
  private final Counter graceExpiries;

  public SessionMeters(MeterRegistry registry) {
    MeterRegistry target = registry == null ? new CompositeMeterRegistry() : registry;
    graceExpiries =
        Counter.builder("asp.grace.expiries")
            .description("agents whose grace window expired (they left with grace_expired)")
            .register(target);
  }

  void graceExpired() {
    graceExpiries.increment();
  }
}
