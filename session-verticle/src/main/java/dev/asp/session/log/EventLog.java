package dev.asp.session.log;

import dev.asp.protocol.Event;
import dev.asp.protocol.EventOrigin;
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
import java.util.Collections;
import java.util.List;

/**
 * The events one command appends to one session, inside that command's transaction. Sequences are
 * handed out from the session's {@code next_sequence} read under the row lock, so they continue the
 * log without a gap; {@link #write} stores the events and the advanced counter in the same
 * transaction as the state change (P2). Not thread-safe: one instance per transaction.
 *
 * <p>Every event of one log has the same {@link EventOrigin} (the surface whose command appends
 * them); each may have an audience, stored beside it and announced beside it, never inside the
 * event: the wire envelope is the same with or without one.
 */
public final class EventLog {
  private final String sessionId;
  private final long createdAt;
  private final EventOrigin origin;
  private final List<Event> events = new ArrayList<>();
  private final List<String> subjects = new ArrayList<>();
  private final List<List<String>> audiences = new ArrayList<>();
  private long nextSequence;

  /** A log of an ASP command ({@link EventOrigin#ASP}). */
  public EventLog(String sessionId, long nextSequence, long createdAt) {
    this(sessionId, nextSequence, createdAt, EventOrigin.ASP);
  }

  /**
   * @param nextSequence the session's {@code next_sequence}, read while holding its row lock
   * @param createdAt the command's clock reading, shared by all its events
   * @param origin the surface whose command appends these events
   */
  public EventLog(String sessionId, long nextSequence, long createdAt, EventOrigin origin) {
    if (origin == null) {
      throw new IllegalArgumentException("origin is required");
    }
    this.sessionId = sessionId;
    this.nextSequence = nextSequence;
    this.createdAt = createdAt;
    this.origin = origin;
  }

  public String sessionId() {
    return sessionId;
  }

  public long now() {
    return createdAt;
  }

  public EventOrigin origin() {
    return origin;
  }

  /** The sequence the next appended event gets. */
  public long nextSequence() {
    return nextSequence;
  }

  /**
   * Appends an ASP event seen by every participant eligible for it.
   *
   * @param subject the handle the event is about (stored for the eligibility filter), or null
   */
  public Event append(EventType type, String subject, JsonObject payload) {
    return add(type.wire(), subject, payload, null);
  }

  /**
   * Appends an event of an ASP type or an extension type, optionally restricted to an audience.
   *
   * @param type an {@link EventType} wire name, or an extension type {@code a2a.<name>} ({@link
   *     EventType#EXTENSION}); extension events are never shown on the plain ASP views
   * @param subject the handle the event is about (invitee, joiner, leaver, sender...), or null
   * @param payload the event's payload, never null
   * @param audience null for every eligible participant; otherwise the only handles that may see
   *     the event, on every view (at least one)
   * @throws IllegalArgumentException for any other type, a null payload or an empty audience
   */
  public Event append(String type, String subject, JsonObject payload, List<String> audience) {
    if (EventType.fromWire(type) == null && !EventType.isExtension(type)) {
      throw new IllegalArgumentException("not an event type: " + type);
    }
    if (payload == null) {
      throw new IllegalArgumentException("an event needs a payload");
    }
    if (audience != null && audience.isEmpty()) {
      throw new IllegalArgumentException("an audience names at least one handle (null: everyone)");
    }
    return add(type, subject, payload, audience == null ? null : List.copyOf(audience));
  }

  private Event add(String type, String subject, JsonObject payload, List<String> audience) {
    Event event = new Event(type, sessionId, Ids.newEventId(), nextSequence++, createdAt, payload);
    events.add(event);
    subjects.add(subject);
    audiences.add(audience);
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
    return appendMessage(sender, content, metadata, idempotencyKey, null);
  }

  /**
   * {@link #appendMessage(String, Object, JsonObject, String)} restricted to an audience: a message
   * directed to one participant has audience {@code [sender, recipient]}.
   *
   * @param audience null for every eligible participant, else the handles that may see it
   * @throws IllegalArgumentException for an empty audience
   */
  public Event appendMessage(
      String sender,
      Object content,
      JsonObject metadata,
      String idempotencyKey,
      List<String> audience) {
    JsonObject message =
        messageEnvelope(
            Ids.newMessageId(),
            sessionId,
            sender,
            nextSequence,
            content,
            createdAt,
            idempotencyKey,
            metadata);
    return append(EventType.MESSAGE.wire(), sender, message, audience);
  }

  /**
   * The Message envelope of spec §4, the payload of a {@code session.message}: {@code {id,
   * session_id, sender, sequence, content, created_at, idempotency_key?, metadata?}}, nothing else.
   * The one definition, for messages appended here and for those of a whole group of sends ({@code
   * LogQueries#SEND_MESSAGES}).
   */
  public static JsonObject messageEnvelope(
      String messageId,
      String sessionId,
      String sender,
      long sequence,
      Object content,
      long createdAt,
      String idempotencyKey,
      JsonObject metadata) {
    JsonObject message =
        new JsonObject()
            .put(Fields.ID, messageId)
            .put(Fields.SESSION_ID, sessionId)
            .put(Fields.SENDER, sender)
            .put(Fields.SEQUENCE, sequence)
            .put(Fields.CONTENT, content)
            .put(Fields.CREATED_AT, createdAt);
    if (idempotencyKey != null) {
      message.put(Fields.IDEMPOTENCY_KEY, idempotencyKey);
    }
    if (metadata != null) {
      message.put(Fields.METADATA, metadata);
    }
    return message;
  }

  public List<Event> events() {
    return List.copyOf(events);
  }

  /**
   * Widens a pending event of this log to everyone eligible before it is written (see {@link
   * Reveal} for events already stored): its audience is cleared for the row and the announcement.
   *
   * @return whether an appended event has that sequence
   */
  public boolean reveal(long sequence) {
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).sequence() == sequence) {
        audiences.set(i, null);
        return true;
      }
    }
    return false;
  }

  /** Each event's audience (null: no restriction), parallel to {@link #events()}. */
  public List<List<String>> audiences() {
    return Collections.unmodifiableList(new ArrayList<>(audiences));
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
      List<String> audience = audiences.get(i);
      rows.add(
          Tuple.tuple()
              .addValue(sessionId)
              .addValue(event.sequence())
              .addValue(event.eventId())
              .addValue(event.type())
              .addValue(subjects.get(i))
              .addValue(event.createdAt())
              .addValue(event.payload())
              .addValue(audience == null ? null : audience.toArray(String[]::new))
              .addValue(origin.wire()));
    }
    if (rows.size() == 1) {
      return conn.preparedQuery(LogQueries.APPEND_ONE_EVENT)
          .execute(rows.get(0).addValue(nextSequence))
          .map(participants -> announcement(participantsJson(participants)));
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
        .map(participants -> announcement(participantsJson(participants)));
  }

  private Announcement announcement(JsonArray participants) {
    return new Announcement(sessionId, events(), audiences(), participants);
  }

  private static JsonArray participantsJson(RowSet<Row> rows) {
    JsonArray participants = new JsonArray();
    for (Row row : rows) {
      participants.add(
          participant(
              row.getString("handle"), row.getString("status"), row.getLong("left_sequence")));
    }
    return participants;
  }

  /**
   * The participants of an {@link Announcement} from parallel columns (handle order), as {@code
   * asp_send_messages} returns them.
   */
  public static JsonArray participantsJson(String[] handles, String[] statuses, Long[] lefts) {
    JsonArray participants = new JsonArray();
    for (int i = 0; i < handles.length; i++) {
      participants.add(participant(handles[i], statuses[i], lefts[i]));
    }
    return participants;
  }

  private static JsonObject participant(String handle, String status, Long leftSequence) {
    JsonObject participant = new JsonObject().put(Fields.HANDLE, handle).put(Fields.STATUS, status);
    if (ParticipantStatus.LEFT.wire().equals(status)) {
      // A left participant that never had the transcript (left while invited) reads nothing.
      participant.put(BusFields.LEFT_SEQUENCE, leftSequence == null ? -1L : leftSequence);
    }
    return participant;
  }
}
