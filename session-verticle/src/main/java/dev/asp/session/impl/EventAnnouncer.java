package dev.asp.session.impl;

import dev.asp.protocol.bus.Addresses;
import io.vertx.core.eventbus.EventBus;

/**
 * Publishes committed events on {@link Addresses#EVENTS_COMMITTED}, one message per session and
 * command. Call only after commit: a wake-up for events that were rolled back would be a lie.
 * Fire-and-forget (P3): a lost announcement delays delivery, the log still has the events.
 */
public final class EventAnnouncer {
  private final EventBus bus;

  public EventAnnouncer(EventBus bus) {
    this.bus = bus;
  }

  public void announce(Announcement announcement) {
    if (!announcement.isEmpty()) {
      bus.publish(Addresses.EVENTS_COMMITTED, announcement.toJson());
    }
  }
}
