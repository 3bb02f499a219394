package dev.asp.gateway.impl;

import static dev.asp.gateway.impl.Bodies.invalid;

import dev.asp.gateway.GatewaySettings;
import dev.asp.protocol.AspException;
import dev.asp.protocol.ContentRules;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import dev.asp.protocol.Handle;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * Validates the ASP request bodies of spec §3–§4 and turns them into session-contract commands.
 * Everything rejected here is answered 4xx before any other verticle is asked, so nothing is stored
 * for bad input.
 */
final class SessionRequests {
  static final int DEFAULT_EVENTS_LIMIT = 100;
  static final int MAX_EVENTS_LIMIT = 1000;
  static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;

  private static final Set<String> CREATE_FIELDS =
      Set.of(
          Fields.INVITE,
          Fields.TOPIC,
          Fields.INITIAL_MESSAGE,
          Fields.END_AFTER_SEND,
          Fields.IDEMPOTENCY_KEY);
  private static final Set<String> INITIAL_MESSAGE_FIELDS = Set.of(Fields.CONTENT, Fields.METADATA);
  private static final Set<String> INVITE_FIELDS = Set.of(Fields.INVITE);
  private static final Set<String> SEND_FIELDS =
      Set.of(Fields.CONTENT, Fields.IDEMPOTENCY_KEY, Fields.METADATA);
  private static final Set<String> REOPEN_FIELDS = Set.of(Fields.INVITE, Fields.INITIAL_MESSAGE);

  private final GatewaySettings settings;

  SessionRequests(GatewaySettings settings) {
    this.settings = settings;
  }

  JsonObject create(JsonObject body) {
    Bodies.onlyFields(body, CREATE_FIELDS, "request");
    JsonArray invite = handles(Bodies.optionalArray(body, Fields.INVITE), false);
    String topic = Bodies.optionalString(body, Fields.TOPIC);
    if (topic != null && topic.length() > settings.maxTopicLength()) {
      throw invalid("topic is longer than " + settings.maxTopicLength() + " characters");
    }
    JsonObject initial = initialMessage(body);
    boolean endAfterSend = Bodies.optionalBoolean(body, Fields.END_AFTER_SEND);
    if (endAfterSend && initial == null) {
      throw invalid("end_after_send requires initial_message");
    }
    JsonObject command =
        new JsonObject()
            .put(Fields.INVITE, invite == null ? new JsonArray() : invite)
            .put(Fields.END_AFTER_SEND, endAfterSend);
    putIfPresent(command, Fields.TOPIC, topic);
    putIfPresent(command, Fields.INITIAL_MESSAGE, initial);
    putIfPresent(command, Fields.IDEMPOTENCY_KEY, idempotencyKey(body));
    return command;
  }

  JsonObject invite(JsonObject body) {
    Bodies.onlyFields(body, INVITE_FIELDS, "request");
    JsonArray invite = handles(Bodies.optionalArray(body, Fields.INVITE), true);
    if (invite == null) {
      throw invalid("invite is required");
    }
    return new JsonObject().put(Fields.INVITE, invite);
  }

  JsonObject send(JsonObject body) {
    Bodies.onlyFields(body, SEND_FIELDS, "request");
    JsonObject command = message(body);
    putIfPresent(command, Fields.IDEMPOTENCY_KEY, idempotencyKey(body));
    return command;
  }

  JsonObject reopen(JsonObject body) {
    Bodies.onlyFields(body, REOPEN_FIELDS, "request");
    JsonArray invite = handles(Bodies.optionalArray(body, Fields.INVITE), false);
    JsonObject command =
        new JsonObject().put(Fields.INVITE, invite == null ? new JsonArray() : invite);
    putIfPresent(command, Fields.INITIAL_MESSAGE, initialMessage(body));
    return command;
  }

  /** {@code after_sequence} (default: from the start, -1) and {@code limit} (1..1000). */
  JsonObject eventsQuery(MultiMap query) {
    long after = -1;
    String afterText = query.get(Fields.AFTER_SEQUENCE);
    if (afterText != null) {
      after = parseLong(afterText, Fields.AFTER_SEQUENCE);
      if (after < 0) {
        throw invalid("after_sequence must be a non-negative integer");
      }
    }
    int limit = DEFAULT_EVENTS_LIMIT;
    String limitText = query.get(Fields.LIMIT);
    if (limitText != null) {
      long parsed = parseLong(limitText, Fields.LIMIT);
      if (parsed < 1 || parsed > MAX_EVENTS_LIMIT) {
        throw invalid("limit must be between 1 and " + MAX_EVENTS_LIMIT);
      }
      limit = (int) parsed;
    }
    return new JsonObject()
        .put(Fields.AFTER_SEQUENCE, after)
        .put(Fields.LIMIT, limit)
        .put(BusFields.EXTENSIONS, ConnectRoute.wantsExtensions(query.getAll(EXTENSIONS)));
  }

  /** The query parameter of the per-view opt-in to extension events (hub spec §2.3, §5.7). */
  static final String EXTENSIONS = "extensions";

  private JsonObject initialMessage(JsonObject body) {
    JsonObject initial = Bodies.optionalObject(body, Fields.INITIAL_MESSAGE);
    if (initial == null) {
      return null;
    }
    Bodies.onlyFields(initial, INITIAL_MESSAGE_FIELDS, "initial_message");
    return message(initial);
  }

  private JsonObject message(JsonObject body) {
    Object content = body.getValue(Fields.CONTENT);
    ContentRules.validateContent(content, settings.limits());
    Object metadata = body.getValue(Fields.METADATA);
    if (metadata == null && body.containsKey(Fields.METADATA)) {
      throw invalid("metadata must be a JSON object");
    }
    ContentRules.validateMetadata(metadata, settings.limits());
    JsonObject message = new JsonObject().put(Fields.CONTENT, content);
    putIfPresent(message, Fields.METADATA, metadata);
    return message;
  }

  private JsonArray handles(JsonArray handles, boolean required) {
    if (handles == null) {
      return null;
    }
    if (required && handles.isEmpty()) {
      throw invalid("invite must name at least one handle");
    }
    if (handles.size() > settings.maxInvitees()) {
      throw invalid("invite names more than " + settings.maxInvitees() + " handles");
    }
    for (Object handle : handles) {
      if (!(handle instanceof String text)) {
        throw invalid("invite must be an array of handles");
      }
      Handle.require(text);
    }
    return handles;
  }

  private static String idempotencyKey(JsonObject body) {
    String key = Bodies.optionalString(body, Fields.IDEMPOTENCY_KEY);
    if (key != null && (key.isEmpty() || key.length() > MAX_IDEMPOTENCY_KEY_LENGTH)) {
      throw invalid("idempotency_key must be 1 to " + MAX_IDEMPOTENCY_KEY_LENGTH + " characters");
    }
    return key;
  }

  private static long parseLong(String text, String field) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new AspException(ErrorCode.INVALID_REQUEST, field + " must be an integer");
    }
  }

  private static void putIfPresent(JsonObject target, String field, Object value) {
    if (value != null) {
      target.put(field, value);
    }
  }
}
