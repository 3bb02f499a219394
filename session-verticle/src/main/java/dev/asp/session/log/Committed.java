package dev.asp.session.log;

import dev.asp.protocol.Event;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The outcome of a command after its transaction committed: the reply for the caller and what it
 * appended (events in sequence order, participants at commit), to be announced on the bus.
 */
public record Committed(JsonObject reply, Announcement announcement) {

  /** A reply that appended nothing (idempotent replays, no-op commands). */
  public static Committed replay(JsonObject reply) {
    return new Committed(reply, Announcement.none());
  }

  public List<Event> events() {
    return announcement.events();
  }
}
