package dev.asp.protocol;

/**
 * JSON field names of the ASP wire (request and response bodies, event envelopes and payloads),
 * spelled once here. Event-bus-only fields live in {@link dev.asp.protocol.bus.BusFields}.
 */
public final class Fields {
  private Fields() {}

  // event envelope
  public static final String TYPE = "type";
  public static final String SESSION_ID = "session_id";
  public static final String EVENT_ID = "event_id";
  public static final String SEQUENCE = "sequence";
  public static final String CREATED_AT = "created_at";
  public static final String PAYLOAD = "payload";

  // payloads
  public static final String INVITEE = "invitee";
  public static final String BY = "by";
  public static final String TOPIC = "topic";
  public static final String INITIAL_MESSAGE = "initial_message";
  public static final String AGENT = "agent";
  public static final String REASON = "reason";
  public static final String ENDED_BY = "ended_by";
  public static final String REOPENED_BY = "reopened_by";

  // message envelope
  public static final String ID = "id";
  public static final String SENDER = "sender";
  public static final String CONTENT = "content";
  public static final String IDEMPOTENCY_KEY = "idempotency_key";
  public static final String METADATA = "metadata";

  // content parts
  public static final String PART_TYPE = "type";
  public static final String TEXT = "text";
  public static final String URL = "url";
  public static final String DATA_URI = "data_uri";
  public static final String MIME_TYPE = "mime_type";
  public static final String NAME = "name";
  public static final String SIZE = "size";
  public static final String DATA = "data";

  // requests and responses
  public static final String INVITE = "invite";
  public static final String INVITED = "invited";
  public static final String END_AFTER_SEND = "end_after_send";
  public static final String OK = "ok";
  public static final String MESSAGE_ID = "message_id";
  public static final String STATE = "state";
  public static final String PARTICIPANTS = "participants";
  public static final String HANDLE = "handle";
  public static final String STATUS = "status";
  public static final String JOINED_AT = "joined_at";
  public static final String LEFT_AT = "left_at";
  public static final String ENDED_AT = "ended_at";
  public static final String EVENTS = "events";
  public static final String NEXT_CURSOR = "next_cursor";
  public static final String AFTER_SEQUENCE = "after_sequence";
  public static final String AFTER_HANDLE = "after_handle";
  public static final String LIMIT = "limit";

  // error body
  public static final String ERROR = "error";
  public static final String CODE = "code";
  public static final String MESSAGE = "message";

  // left reasons
  public static final String REASON_LEFT = "left";
  public static final String REASON_GRACE_EXPIRED = "grace_expired";
}
