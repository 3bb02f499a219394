package dev.asp.client;

import dev.asp.protocol.Event;
import dev.asp.protocol.Fields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Typed replies of the ASP REST surface. */
public final class Replies {
  private Replies() {}

  /** {@code 201} of {@code POST /sessions}; {@code sequence} is the initial message's, or null. */
  public record SessionCreated(String sessionId, Long sequence) {
    static SessionCreated fromJson(JsonObject json) {
      return new SessionCreated(json.getString(Fields.SESSION_ID), json.getLong(Fields.SEQUENCE));
    }
  }

  /** {@code 201} of {@code POST /sessions/{id}/messages}. */
  public record MessageSent(String messageId, long sequence) {
    static MessageSent fromJson(JsonObject json) {
      return new MessageSent(json.getString(Fields.MESSAGE_ID), json.getLong(Fields.SEQUENCE));
    }
  }

  /** One entry of a session's participant list. */
  public record Participant(String handle, String status, Long joinedAt, Long leftAt) {}

  /** {@code GET /sessions/{id}}. */
  public record SessionView(
      String id,
      String state,
      String topic,
      List<Participant> participants,
      long createdAt,
      Long endedAt) {
    static SessionView fromJson(JsonObject json) {
      List<Participant> participants = new ArrayList<>();
      for (Object item : json.getJsonArray(Fields.PARTICIPANTS, new JsonArray())) {
        JsonObject p = (JsonObject) item;
        participants.add(
            new Participant(
                p.getString(Fields.HANDLE),
                p.getString(Fields.STATUS),
                p.getLong(Fields.JOINED_AT),
                p.getLong(Fields.LEFT_AT)));
      }
      return new SessionView(
          json.getString(Fields.ID),
          json.getString(Fields.STATE),
          json.getString(Fields.TOPIC),
          participants,
          json.getLong(Fields.CREATED_AT),
          json.getLong(Fields.ENDED_AT));
    }

    /** The status of one participant, or null if it is not listed. */
    public String statusOf(String handle) {
      return participants.stream()
          .filter(p -> p.handle().equals(handle))
          .map(Participant::status)
          .findFirst()
          .orElse(null);
    }
  }

  /** {@code GET /sessions/{id}/events}: a page of events and the cursor of the next one. */
  public record EventsPage(List<Event> events, String nextCursor) {
    static EventsPage fromJson(JsonObject json) {
      List<Event> events = new ArrayList<>();
      for (Object item : json.getJsonArray(Fields.EVENTS, new JsonArray())) {
        events.add(Event.fromJson((JsonObject) item));
      }
      return new EventsPage(events, json.getString(Fields.NEXT_CURSOR));
    }
  }
}
