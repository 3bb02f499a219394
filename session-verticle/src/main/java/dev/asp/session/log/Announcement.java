package dev.asp.session.log;

import dev.asp.protocol.Event;
import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What one command committed to one session, as announced on {@link Addresses#EVENTS_COMMITTED}:
 * the events in sequence order, each event's audience, and every participant row as it stood at
 * commit, so delivery can apply {@code Eligibility} without asking back.
 *
 * @param audiences parallel to {@code events}: null for an event every eligible participant may
 *     see, else the handles it is restricted to
 * @param participants {@code [{handle, status, left_sequence?}]}, ordered by handle; {@code
 *     left_sequence} is present exactly for left participants (-1 when they may read nothing)
 */
public record Announcement(
    String sessionId, List<Event> events, List<List<String>> audiences, JsonArray participants) {

  private static final Announcement NONE = new Announcement(null, List.of(), new JsonArray());

  /** Audiences may hold nulls, so they are copied by hand (List.copyOf refuses nulls). */
  public Announcement {
    events = List.copyOf(events);
    audiences =
        audiences == null
            ? Collections.nCopies(events.size(), null)
            : Collections.unmodifiableList(new ArrayList<>(audiences));
    if (audiences.size() != events.size()) {
      throw new IllegalArgumentException("one audience per event");
    }
  }

  /** Events without audiences. */
  public Announcement(String sessionId, List<Event> events, JsonArray participants) {
    this(sessionId, events, null, participants);
  }

  /** Nothing committed, nothing to announce. */
  public static Announcement none() {
    return NONE;
  }

  public boolean isEmpty() {
    return events.isEmpty();
  }

  /**
   * The bus body {@code {session_id, events:[event], audiences:[null | [handle]],
   * participants:[...]}}. Each event is exactly its wire envelope: a WebSocket frame is the event
   * as announced, so the audience travels beside it, never in it.
   */
  public JsonObject toJson() {
    JsonArray batch = new JsonArray();
    JsonArray audienceBatch = new JsonArray();
    for (int i = 0; i < events.size(); i++) {
      batch.add(events.get(i).toJson());
      List<String> audience = audiences.get(i);
      if (audience == null) {
        audienceBatch.addNull();
      } else {
        audienceBatch.add(new JsonArray(new ArrayList<>(audience)));
      }
    }
    return new JsonObject()
        .put(Fields.SESSION_ID, sessionId)
        .put(Fields.EVENTS, batch)
        .put(BusFields.AUDIENCES, audienceBatch)
        .put(BusFields.PARTICIPANTS, participants);
  }
}
