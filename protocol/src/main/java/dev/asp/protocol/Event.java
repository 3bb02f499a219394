package dev.asp.protocol;

import io.vertx.core.json.JsonObject;

/**
 * One event on the wire: {@code {type, session_id, event_id, sequence, created_at, payload}}. The
 * sequence is per session, shared by every event type, starting at 0, without gaps.
 */
public record Event(
    String type,
    String sessionId,
    String eventId,
    long sequence,
    long createdAt,
    JsonObject payload) {

  public JsonObject toJson() {
    return new JsonObject()
        .put(Fields.TYPE, type)
        .put(Fields.SESSION_ID, sessionId)
        .put(Fields.EVENT_ID, eventId)
        .put(Fields.SEQUENCE, sequence)
        .put(Fields.CREATED_AT, createdAt)
        .put(Fields.PAYLOAD, payload);
  }

  public static Event fromJson(JsonObject json) {
    return new Event(
        json.getString(Fields.TYPE),
        json.getString(Fields.SESSION_ID),
        json.getString(Fields.EVENT_ID),
        json.getLong(Fields.SEQUENCE),
        json.getLong(Fields.CREATED_AT),
        json.getJsonObject(Fields.PAYLOAD));
  }
}
