package dev.asp.session.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ContentRules;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import dev.asp.protocol.Handle;
import dev.asp.protocol.Ids;
import dev.asp.protocol.MessageLimits;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the fields of a session request. The gateway validated the shapes already; these checks are
 * the defensive second line, so a malformed bus request fails {@code invalid_request} instead of a
 * {@link ClassCastException} ending up as {@code internal_error}.
 */
public final class Requests {
  private Requests() {}

  public static String caller(JsonObject body) {
    return handle(body, BusFields.CALLER);
  }

  public static String handle(JsonObject body, String field) {
    String value = optionalString(body, field);
    if (value == null) {
      throw invalid(field + " is required");
    }
    return Handle.require(value);
  }

  /** A session id that cannot name a session names an unknown one. */
  public static String sessionId(JsonObject body) {
    String id = optionalString(body, Fields.SESSION_ID);
    if (id == null) {
      throw invalid(Fields.SESSION_ID + " is required");
    }
    if (!Ids.isSessionId(id)) {
      throw AspException.notFound();
    }
    return id;
  }

  public static String optionalString(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text)) {
      throw invalid(field + " must be a string");
    }
    return text;
  }

  /** The id of a delivery node: any non-empty string. */
  public static String node(JsonObject body) {
    String node = optionalString(body, BusFields.NODE);
    if (node == null || node.isEmpty()) {
      throw invalid(BusFields.NODE + " is required");
    }
    return node;
  }

  /** An optional non-negative integer, 0 when absent. */
  public static long nonNegativeLong(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return 0;
    }
    if (!(value instanceof Number number) || number.longValue() < 0) {
      throw invalid(field + " must be a non-negative integer");
    }
    return number.longValue();
  }

  /** A required array of node ids (possibly empty). */
  public static String[] nodes(JsonObject body, String field) {
    if (!(body.getValue(field) instanceof JsonArray array)) {
      throw invalid(field + " must be an array of node ids");
    }
    String[] nodes = new String[array.size()];
    for (int i = 0; i < nodes.length; i++) {
      if (!(array.getValue(i) instanceof String node) || node.isEmpty()) {
        throw invalid(field + " must be an array of node ids");
      }
      nodes[i] = node;
    }
    return nodes;
  }

  /** The optional idempotency key; an empty key is a client bug, not "no key". */
  public static String idempotencyKey(JsonObject body) {
    String key = optionalString(body, Fields.IDEMPOTENCY_KEY);
    if (key != null && key.isEmpty()) {
      throw invalid(Fields.IDEMPOTENCY_KEY + " must not be empty");
    }
    return key;
  }

  public static boolean optionalBoolean(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return false;
    }
    if (!(value instanceof Boolean flag)) {
      throw invalid(field + " must be a boolean");
    }
    return flag;
  }

  public static long optionalLong(JsonObject body, String field, long fallback) {
    Object value = body.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Integer || value instanceof Long)) {
      throw invalid(field + " must be an integer");
    }
    return ((Number) value).longValue();
  }

  /**
   * The handles of an invite list, valid, de-duplicated in request order and without the caller
   * (inviting oneself is meaningless, so it is dropped silently). A missing list is empty.
   */
  public static List<String> invitees(JsonObject body, String caller) {
    Object value = body.getValue(Fields.INVITE);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      throw invalid(Fields.INVITE + " must be an array of handles");
    }
    Set<String> handles = new LinkedHashSet<>();
    for (Object element : array) {
      if (!(element instanceof String handle)) {
        throw invalid(Fields.INVITE + " must be an array of handles");
      }
      handles.add(Handle.require(handle));
    }
    handles.remove(caller);
    return List.copyOf(handles);
  }

  /** A message to record: content and metadata re-validated against the operator's limits. */
  public record NewMessage(Object content, JsonObject metadata) {}

  /** Reads {@code {content, metadata?}} from {@code body}, or throws the content error. */
  public static NewMessage message(JsonObject body, MessageLimits limits) {
    Object content = body.getValue(Fields.CONTENT);
    ContentRules.validateContent(content, limits);
    Object metadata = body.getValue(Fields.METADATA);
    ContentRules.validateMetadata(metadata, limits);
    return new NewMessage(content, (JsonObject) metadata);
  }

  /** The optional {@code initial_message} object of create and reopen, or null. */
  public static NewMessage initialMessage(JsonObject body, MessageLimits limits) {
    Object value = body.getValue(Fields.INITIAL_MESSAGE);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject initial)) {
      throw invalid(Fields.INITIAL_MESSAGE + " must be an object");
    }
    for (String field : initial.fieldNames()) {
      if (!Fields.CONTENT.equals(field) && !Fields.METADATA.equals(field)) {
        throw invalid(Fields.INITIAL_MESSAGE + " has unknown field '" + field + "'");
      }
    }
    return message(initial, limits);
  }

  public static AspException invalid(String message) {
    return new AspException(ErrorCode.INVALID_REQUEST, message);
  }
}
