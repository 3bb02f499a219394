package dev.asp.session.impl;

import dev.asp.protocol.Event;
import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.Addresses;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Publishes committed events on {@link Addresses#EVENTS_COMMITTED}, one message per session. Call
 * only after commit: a wake-up for events that were rolled back would be a lie. Fire-and-forget
 * (P3): a lost announcement delays delivery, the log still has the events.
 */
public final class EventAnnouncer {
  private final EventBus bus;

  public EventAnnouncer(EventBus bus) {
    this.bus = bus;
  }

  public void announce(List<Event> events) {
    Map<String, JsonArray> bySession = new LinkedHashMap<>();
    for (Event event : events) {
      bySession.computeIfAbsent(event.sessionId(), id -> new JsonArray()).add(event.toJson());
    }
    bySession.forEach(
        (sessionId, batch) ->
            bus.publish(
                Addresses.EVENTS_COMMITTED,
                new JsonObject().put(Fields.SESSION_ID, sessionId).put(Fields.EVENTS, batch)));
  }
}
