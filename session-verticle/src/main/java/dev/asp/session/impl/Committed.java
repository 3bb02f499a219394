package dev.asp.session.impl;

import dev.asp.protocol.Event;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The outcome of a command after its transaction committed: the reply for the caller and the events
 * it appended (in sequence order), to be announced on the bus.
 */
public record Committed(JsonObject reply, List<Event> events) {

  /** A reply that appended nothing (idempotent replays, no-op commands). */
  public static Committed replay(JsonObject reply) {
    return new Committed(reply, List.of());
  }
}
