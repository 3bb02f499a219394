package dev.asp.session.log;

import dev.asp.protocol.Event;
import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.protocol.Ids;
import dev.asp.protocol.ParticipantStatus;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * The events one command appends to one session, inside that command's transaction. Sequences are
 * handed out from the session's {@code next_sequence} read under the row lock, so they continue the
 * log without a gap; {@link #write} stores the events and the advanced counter in the same
 * transaction as the state change (P2). Not thread-safe: one instance per transaction.
 */
public final class EventLog {
  private final String sessionId;
  private final long createdAt;
  private final List<Event> events = new ArrayList<>();
  private final List<String> subjects = new ArrayList<>();
  private long nextSequence;

  /**
   * @param nextSequence the session's {@code next_sequence}, read while holding its row lock
   * @param createdAt the command's clock reading, shared by all its events
   */
  public EventLog(String sessionId, long nextSequence, long createdAt) {
    this.sessionId = sessionId;
    this.nextSequence = nextSequence;
    this.createdAt = createdAt;
  }

  public String sessionId() {
    return sessionId;
  }

  public long now() {
    return createdAt;
  }

  /** The sequence the next appended event gets. */
  public long nextSequence() {
    return nextSequence;
  }

  /**
   * @param subject the handle the event is about (stored for the eligibility filter), or null
   */
  public Event append(EventType type, String subject, JsonObject payload) {
    Event event =
        new Event(type.wire(), sessionId, Ids.newEventId(), nextSequence++, createdAt, payload);
    events.add(event);
    subjects.add(subject);
    return event;
  }

  /**
   * Appends a {@code session.message} whose payload is the Message envelope of spec §4, with no
   * other fields; its {@code sequence} is the event's.
   *
   * @param idempotencyKey echoed in the envelope when the sender gave one, else null
   * @param metadata null when absent
   */
  public Event appendMessage(
      String sender, Object content, JsonObject metadata, String idempotencyKey) {
    JsonObject message =
        new JsonObject()
            .put(Fields.ID, Ids.newMessageId())
            .put(Fields.SESSION_ID, sessionId)
            .put(Fields.SENDER, sender)
            .put(Fields.SEQUENCE, nextSequence)
            .put(Fields.CONTENT, content)
            .put(Fields.CREATED_AT, createdAt);
    if (idempotencyKey != null) {
      message.put(Fields.IDEMPOTENCY_KEY, idempotencyKey);
    }
    if (metadata != null) {
      message.put(Fields.METADATA, metadata);
    }
    return append(EventType.MESSAGE, sender, message);
  }

  public List<Event> events() {
    return List.copyOf(events);
  }

  /**
   * Stores the appended events and the advanced counter on the transaction's connection, then reads
   * the session's participants for the announcement. Call after the command's last participant
   * change: under the row lock nothing else changes them, so this is their state at commit.
   */
  public Future<Announcement> write(SqlConnection conn) {
    if (events.isEmpty()) {
      return Future.succeededFuture(Announcement.none());
    }
    List<Tuple> rows = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      Event event = events.get(i);
      rows.add(
          Tuple.of(
              sessionId,
              event.sequence(),
              event.eventId(),
              event.type(),
              subjects.get(i),
              event.createdAt(),
              event.payload()));
    }
    if (rows.size() == 1) {
      return conn.preparedQuery(LogQueries.APPEND_ONE_EVENT)
          .execute(rows.get(0).addValue(nextSequence))
          .map(
              participants ->
                  new Announcement(sessionId, events(), participantsJson(participants)));
    }
    return conn.preparedQuery(LogQueries.INSERT_EVENT)
        .executeBatch(rows)
        .compose(
            inserted ->
                conn.preparedQuery(LogQueries.ADVANCE_SEQUENCE)
                    .execute(Tuple.of(sessionId, nextSequence)))
        .compose(
            updated ->
                conn.preparedQuery(LogQueries.SELECT_ANNOUNCED_PARTICIPANTS)
                    .execute(Tuple.of(sessionId)))
        .map(participants -> new Announcement(sessionId, events(), participantsJson(participants)));
  }

  private static JsonArray participantsJson(RowSet<Row> rows) {
    JsonArray participants = new JsonArray();
    for (Row row : rows) {
      String status = row.getString("status");
      JsonObject participant =
          new JsonObject().put(Fields.HANDLE, row.getString("handle")).put(Fields.STATUS, status);
      if (ParticipantStatus.LEFT.wire().equals(status)) {
        // A left participant that never had the transcript (left while invited) reads nothing.
        Long leftSequence = row.getLong("left_sequence");
        participant.put(BusFields.LEFT_SEQUENCE, leftSequence == null ? -1L : leftSequence);
      }
      participants.add(participant);
    }
    return participants;
  }
}
