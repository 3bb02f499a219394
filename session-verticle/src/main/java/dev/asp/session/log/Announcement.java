package dev.asp.session.log;

import dev.asp.protocol.Event;
import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What one command committed to one session, as announced on {@link Addresses#EVENTS_COMMITTED}:
 * the events in sequence order and every participant row as it stood at commit, so delivery can
 * apply {@code Eligibility} without asking back.
 *
 * @param participants {@code [{handle, status, left_sequence?}]}, ordered by handle; {@code
 *     left_sequence} is present exactly for left participants (-1 when they may read nothing)
 */
public record Announcement(String sessionId, List<Event> events, JsonArray participants) {

  private static final Announcement NONE = new Announcement(null, List.of(), new JsonArray());

  /** Nothing committed, nothing to announce. */
  public static Announcement none() {
    return NONE;
  }

  public boolean isEmpty() {
    return events.isEmpty();
  }

  /** The bus body {@code {session_id, events:[event], participants:[...]}}. */
  public JsonObject toJson() {
    JsonArray batch = new JsonArray();
    events.forEach(event -> batch.add(event.toJson()));
    return new JsonObject()
        .put(Fields.SESSION_ID, sessionId)
        .put(Fields.EVENTS, batch)
        .put(BusFields.PARTICIPANTS, participants);
  }
}
