package dev.asp.session.impl;

import dev.asp.protocol.Event;
import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.Addresses;
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
 * grace expiry, a block).
 */
public final class EventAnnouncer {
  private static final Logger LOG = LoggerFactory.getLogger(EventAnnouncer.class);
  private static final String ENDED = EventType.ENDED.wire();

  private final EventBus bus;
  private final SessionMeters meters;

  public EventAnnouncer(EventBus bus, SessionMeters meters) {
    this.bus = bus;
    this.meters = meters;
  }

  public void announce(Announcement announcement) {
    if (!announcement.isEmpty()) {
      meters.committed(announcement.events().size());
      bus.publish(Addresses.EVENTS_COMMITTED, announcement.toJson());
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
