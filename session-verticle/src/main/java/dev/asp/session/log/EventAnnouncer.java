package dev.asp.session.log;

import dev.asp.protocol.Event;
import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.HandedOver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.vertx.core.eventbus.EventBus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Publishes committed events on {@link Addresses#EVENTS_COMMITTED}, one message per session and
 * command. Call only after commit: a wake-up for events that were rolled back would be a lie.
 * Fire-and-forget (P3): a lost announcement delays delivery, the log still has the events.
 *
 * <p>Every commit passes here, so this is also where committed events are counted and where a
 * session's end is logged, whatever ended it (an explicit end, the last participant leaving, a
 * grace expiry, a block, or an A2A command).
 *
 * <p>Thread-safe: one instance may serve every verticle instance of a module.
 */
public final class EventAnnouncer {
  private static final Logger LOG = LoggerFactory.getLogger(EventAnnouncer.class);
  private static final String ENDED = EventType.ENDED.wire();

  private final EventBus bus;
  private final Counter committed;

  /**
   * @param registry where {@code asp.events.committed} is counted, or null for nowhere; every
   *     announcer of a node shares the one counter (a registry returns the same meter for a name)
   */
  public EventAnnouncer(EventBus bus, MeterRegistry registry) {
    this.bus = bus;
    HandedOver.register(bus);
    this.committed =
        Counter.builder("asp.events.committed")
            .description("events committed to session logs by this node (announced after commit)")
            .register(registry == null ? new CompositeMeterRegistry() : registry);
  }

  /** Announces every session's events a command committed, in order. */
  public void announce(Committed committed) {
    for (Announcement announcement : committed.announcements()) {
      announce(announcement);
    }
  }

  public void announce(Announcement announcement) {
    if (!announcement.isEmpty()) {
      committed.increment(announcement.events().size());
      // built for this publish alone, and its consumers (delivery, the A2A pulls) only read it
      bus.publish(Addresses.EVENTS_COMMITTED, announcement.toJson(), HandedOver.options());
      for (Event event : announcement.events()) {
        if (ENDED.equals(event.type())) {
          String by = event.payload().getString(Fields.ENDED_BY);
          LoggingEventBuilder line = LOG.atInfo().addKeyValue("session_id", event.sessionId());
          // no ended_by: the last joined participant left
          (by == null ? line : line.addKeyValue("agent", by)).log("session ended");
        }
      }
    }
  }
}
