package dev.asp.a2a.impl;

import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.protocol.SessionKind;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.a2a.A2aPayloads;
import dev.asp.protocol.a2a.A2aTimes;
import dev.asp.protocol.a2a.NodeIds;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

/**
 * Turns a stored event into what an A2A view shows of it (hub spec §5.1, §5.2), or {@code null}
 * when the view passes over it in silence (its position still moves). A payload is built only from
 * the stored event and the immutable facts of its session, so an event handed out again is
 * identical and {@code event_id} lets clients drop the repeat.
 */
public final class EventViews {
  /** The A2A type names of §5.2. */
  public static final String SESSION_INVITE = "session_invite";

  public static final String SESSION_JOINED = "session_joined";
  public static final String SESSION_LEFT = "session_left";
  public static final String SESSION_ENDED = "session_ended";
  public static final String SESSION_MESSAGE = "session_message";
  public static final String DELIBERATION_INVITE = "deliberation_invite";
  public static final String DIRECT_MESSAGE = "direct_message";
  public static final String DIALOG_MESSAGE = "dialog_message";

  /** {@code msg_type} of a message an ASP client wrote [choice]. */
  public static final String ASP_MESSAGE = "asp_message";

  public static final String DEFAULT_MSG_TYPE = "context_update";

  private final String nodeOwner;

  public EventViews(String nodeOwner) {
    this.nodeOwner = nodeOwner;
  }

  /** A handle as the A2A wire names it: {@code node_x} for hub nodes, else the handle. */
  public String wire(String handle) {
    return handle == null ? null : NodeIds.wireId(handle, nodeOwner);
  }

  /**
   * The §5.2 mapping of one row of {@code NEW_EVENTS}/{@code EVENTS_BY_KEY} for {@code reader}:
   * {@code {type, payload}}, or null when the reader's view passes over it.
   */
  public JsonObject map(Row row, String reader) {
    String type = row.getString("type");
    String subject = row.getString("subject");
    String[] audience = row.getArrayOfStrings("audience");
    if (audience != null && !contains(audience, reader)) {
      return null;
    }
    SessionKind kind = SessionKind.fromWire(row.getString("kind"));
    JsonObject payload = row.getJsonObject("payload");
    String sessionId = row.getString("session_id");
    EventType known = EventType.fromWire(type);
    if (known == null) {
      // an extension event a2a.<name>: its payload is the A2A payload as stored. One with a
      // subject was caused by that node (a board update), which its own views omit; the hub's
      // own events (status, convergence, notices) have none and reach every member (§18.6).
      if (!type.startsWith("a2a.") || reader.equals(subject)) {
        return null;
      }
      // a started deliberation reaches its members as their invitation (§5.2)
      return typed(
          Deliberations.TYPE_STARTED.equals(type) ? DELIBERATION_INVITE : type.substring(4),
          payload);
    }
    boolean hubMade =
        kind == SessionKind.DM || kind == SessionKind.DELIBERATION || kind == SessionKind.PIPELINE;
    return switch (known) {
      case INVITED -> {
        if (!reader.equals(subject) || hubMade || kind == SessionKind.NOTICE) {
          yield null;
        }
        yield typed(SESSION_INVITE, invite(row, payload));
      }
      case JOINED -> {
        if (reader.equals(subject) || hubMade) {
          yield null;
        }
        yield typed(
            SESSION_JOINED,
            new JsonObject()
                .put(A2aFields.SESSION_ID, sessionId)
                .put(A2aFields.NODE_ID, wire(subject)));
      }
      case LEFT -> {
        if (reader.equals(subject)) {
          yield null;
        }
        yield typed(
            SESSION_LEFT,
            new JsonObject()
                .put(A2aFields.SESSION_ID, sessionId)
                .put(A2aFields.NODE_ID, wire(subject))
                .put(A2aFields.REASON, payload.getString(Fields.REASON, Fields.REASON_LEFT)));
      }
      case ENDED ->
          typed(
              SESSION_ENDED,
              new JsonObject()
                  .put(A2aFields.SESSION_ID, sessionId)
                  .put(A2aFields.STATUS, endedStatus(kind, row.getString("a2a_status")))
                  .put(A2aFields.ENDED_BY, wire(payload.getString(Fields.ENDED_BY))));
      case MESSAGE -> {
        if (reader.equals(subject)) {
          yield null;
        }
        JsonObject msg = message(row, payload);
        if (kind == SessionKind.DM) {
          yield typed(DIRECT_MESSAGE, directMessage(msg));
        }
        if (msg.getValue(A2aFields.DIALOG_TYPE) != null) {
          yield typed(DIALOG_MESSAGE, post(row, payload));
        }
        yield typed(SESSION_MESSAGE, msg);
      }
      case DISCONNECTED, RECONNECTED, REOPENED -> null;
    };
  }

  /** The §5.1 envelope around a mapped event. */
  public JsonObject envelope(Row row, JsonObject mapped, String reader, long number) {
    return new JsonObject()
        .put(A2aFields.EVENT_ID, row.getString("event_id"))
        .put(A2aFields.TYPE, mapped.getString(A2aFields.TYPE))
        .put(A2aFields.EVENT_TYPE, mapped.getString(A2aFields.TYPE))
        .put(A2aFields.NODE_ID, wire(reader))
        .put(A2aFields.SESSION_ID, concerned(row, mapped))
        .put(A2aFields.SEQUENCE, row.getLong("sequence"))
        .put(A2aFields.CREATED_AT, A2aTimes.iso(row.getLong("created_at")))
        .put(A2aFields.CURSOR, Long.toString(number))
        .put(A2aFields.PAYLOAD, mapped.getJsonObject(A2aFields.PAYLOAD));
  }

  /**
   * The session an event concerns (§5.1): its own, except a notice, which concerns the task's
   * session and not the subscriber's notice session that carries it.
   */
  private static String concerned(Row row, JsonObject mapped) {
    if (SessionKind.NOTICE.wire().equals(row.getString("kind"))) {
      String task = mapped.getJsonObject(A2aFields.PAYLOAD).getString(A2aFields.SESSION_ID);
      if (task != null) {
        return task;
      }
    }
    return row.getString("session_id");
  }

  /**
   * The Msg object of §6.6 from a stored {@code session.message} payload: an A2A-written message
   * carries its A2A side in {@code metadata.a2a} (origin a2a or hub); an ASP one is unwrapped.
   */
  public JsonObject message(Row row, JsonObject stored) {
    return message(row.getString("origin"), stored);
  }

  /** The same from the event's {@code origin} ({@code asp}, {@code a2a}, {@code hub}). */
  public JsonObject message(String origin, JsonObject stored) {
    JsonObject metadata = stored.getJsonObject(Fields.METADATA);
    JsonObject a2a = null;
    JsonObject shown = metadata;
    if (!"asp".equals(origin)
        && metadata != null
        && metadata.getValue(A2aFields.A2A) instanceof JsonObject side) {
      a2a = side;
      shown = metadata.copy();
      shown.remove(A2aFields.A2A);
      if (shown.isEmpty()) {
        shown = null;
      }
    }
    String from = wire(stored.getString(Fields.SENDER));
    Object payload =
        A2aPayloads.fromAsp(
            stored.getValue(Fields.CONTENT),
            a2a == null ? null : a2a.getString(A2aFields.PAYLOAD_KIND));
    String id = stored.getString(Fields.ID);
    return new JsonObject()
        .put(A2aFields.ID, id)
        .put(A2aFields.MESSAGE_ID, id)
        .put(A2aFields.SESSION_ID, stored.getString(Fields.SESSION_ID))
        .put(A2aFields.FROM_NODE_ID_CAMEL, from)
        .put(A2aFields.FROM_NODE_ID, from)
        .put(A2aFields.SENDER_ID, from)
        .put(A2aFields.TO_NODE_ID, a2a == null ? null : a2a.getString(A2aFields.TO_NODE_ID))
        .put(
            A2aFields.MSG_TYPE,
            a2a == null ? ASP_MESSAGE : a2a.getString(A2aFields.MSG_TYPE, DEFAULT_MSG_TYPE))
        .put(A2aFields.DIALOG_TYPE, a2a == null ? null : a2a.getString(A2aFields.DIALOG_TYPE))
        .put(A2aFields.PAYLOAD, payload)
        .put(A2aFields.METADATA, shown)
        .put(A2aFields.SEQUENCE, stored.getLong(Fields.SEQUENCE))
        .put(A2aFields.CREATED_AT, A2aTimes.iso(stored.getLong(Fields.CREATED_AT)));
  }

  /**
   * The dialog post object of §11 from a stored {@code session.message} with {@code
   * metadata.a2a.dialog_type}: its context (session, deliberation or pipeline) named from {@code
   * metadata.a2a.context}, its content exactly as posted.
   */
  public JsonObject post(Row row, JsonObject stored) {
    return post(row.getString("origin"), stored);
  }

  /** The same from the event's {@code origin}: for an event not stored yet. */
  public JsonObject post(String origin, JsonObject stored) {
    JsonObject msg = message(origin, stored);
    JsonObject metadata = stored.getJsonObject(Fields.METADATA);
    JsonObject a2a =
        metadata != null && metadata.getValue(A2aFields.A2A) instanceof JsonObject side
            ? side
            : new JsonObject();
    JsonObject context = a2a.getJsonObject(A2aFields.CONTEXT, new JsonObject());
    String contextType = context.getString(A2aFields.TYPE, Dialog.CONTEXT_SESSION);
    String contextId = context.getString(A2aFields.ID, msg.getString(A2aFields.SESSION_ID));
    String from = msg.getString(A2aFields.FROM_NODE_ID);
    return new JsonObject()
        .put(A2aFields.ID, msg.getString(A2aFields.ID))
        .put(A2aFields.MESSAGE_ID, msg.getString(A2aFields.ID))
        .put(A2aFields.CONTEXT_TYPE, contextType)
        .put(A2aFields.CONTEXT_ID, contextId)
        .put(A2aFields.SESSION_ID, msg.getString(A2aFields.SESSION_ID))
        .put(A2aFields.DELIBERATION_ID, "deliberation".equals(contextType) ? contextId : null)
        .put(A2aFields.PIPELINE_ID, "pipeline".equals(contextType) ? contextId : null)
        .put(A2aFields.FROM_NODE_ID, from)
        .put(A2aFields.FROM_NODE_ID_CAMEL, from)
        .put(A2aFields.TO_NODE_ID, msg.getValue(A2aFields.TO_NODE_ID))
        .put(A2aFields.DIALOG_TYPE, msg.getValue(A2aFields.DIALOG_TYPE))
        .put(A2aFields.REFERENCE_ID, a2a.getValue(A2aFields.REFERENCE_ID))
        .put(A2aFields.ROUND, a2a.getValue(A2aFields.ROUND))
        .put(A2aFields.PHASE, a2a.getValue(A2aFields.PHASE))
        .put(A2aFields.CONTENT, msg.getValue(A2aFields.PAYLOAD))
        .put(A2aFields.SEQUENCE, msg.getValue(A2aFields.SEQUENCE))
        .put(A2aFields.CREATED_AT, msg.getValue(A2aFields.CREATED_AT));
  }

  /** The {@code direct_message} payload of §5.2 from a Msg. */
  public static JsonObject directMessage(JsonObject msg) {
    String id = msg.getString(A2aFields.ID);
    return new JsonObject()
        .put(A2aFields.DM_ID, id)
        .put(A2aFields.MESSAGE_ID, id)
        .put(A2aFields.FROM_NODE_ID, msg.getString(A2aFields.FROM_NODE_ID))
        .put(A2aFields.FROM_NODE_ID_CAMEL, msg.getString(A2aFields.FROM_NODE_ID))
        .put(A2aFields.SENDER_ID, msg.getString(A2aFields.FROM_NODE_ID))
        .put(A2aFields.TO_NODE_ID, msg.getString(A2aFields.TO_NODE_ID))
        .put(A2aFields.PAYLOAD, msg.getValue(A2aFields.PAYLOAD))
        .put(A2aFields.CONTENT, msg.getValue(A2aFields.PAYLOAD))
        .put(A2aFields.METADATA, msg.getValue(A2aFields.METADATA))
        .put(A2aFields.CREATED_AT, msg.getString(A2aFields.CREATED_AT));
  }

  private JsonObject invite(Row row, JsonObject payload) {
    String visibility = row.getString("visibility");
    return new JsonObject()
        .put(A2aFields.SESSION_ID, row.getString("session_id"))
        .put(A2aFields.TITLE, row.getString("topic"))
        .put(A2aFields.DESCRIPTION, row.getString("description"))
        .put(A2aFields.OWNER_ID, wire(ownerOf(row)))
        .put(A2aFields.INVITER_ID, wire(payload.getString(Fields.BY)))
        .put(A2aFields.VISIBILITY, visibility)
        .put(A2aFields.MAX_PARTICIPANTS, row.getInteger("max_participants"))
        .put(A2aFields.CREATED_AT, A2aTimes.iso(row.getLong("session_created_at")));
  }

  private static String ownerOf(Row row) {
    String owner = row.getString("owner");
    return owner != null ? owner : row.getString("created_by");
  }

  /**
   * The final A2A status of an ended session: completed or failed when it got there, else closed.
   */
  static String endedStatus(String a2aStatus) {
    return "completed".equals(a2aStatus) || "failed".equals(a2aStatus) ? a2aStatus : "closed";
  }

  /**
   * The same for a session of {@code kind}: a pipeline's session that ended before its pipeline
   * completed (every member left, an ASP end) ended a failed pipeline (§13).
   */
  static String endedStatus(SessionKind kind, String a2aStatus) {
    if (kind == SessionKind.PIPELINE) {
      return "completed".equals(a2aStatus) ? "completed" : "failed";
    }
    return endedStatus(a2aStatus);
  }

  private static JsonObject typed(String type, JsonObject payload) {
    return new JsonObject().put(A2aFields.TYPE, type).put(A2aFields.PAYLOAD, payload);
  }

  private static boolean contains(String[] values, String value) {
    for (String v : values) {
      if (v.equals(value)) {
        return true;
      }
    }
    return false;
  }
}
