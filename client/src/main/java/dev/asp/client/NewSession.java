package dev.asp.client;

import dev.asp.protocol.Fields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The body of {@code POST /sessions}. Start with {@link #inviting(String...)} and add what you
 * need: {@code
 * NewSession.inviting("@bob.test").topic("hello").initialMessage("hi").endAfterSend()}.
 *
 * @param content the initial message's content (a String or a JsonArray of parts), or null
 */
public record NewSession(
    List<String> invite,
    String topic,
    Object content,
    JsonObject metadata,
    boolean endsAfterSend,
    String idempotencyKey) {

  public static NewSession inviting(String... handles) {
    return new NewSession(List.of(handles), null, null, null, false, null);
  }

  public NewSession topic(String value) {
    return new NewSession(invite, value, content, metadata, endsAfterSend, idempotencyKey);
  }

  public NewSession initialMessage(Object value) {
    return new NewSession(invite, topic, value, metadata, endsAfterSend, idempotencyKey);
  }

  public NewSession initialMessage(Object value, JsonObject meta) {
    return new NewSession(invite, topic, value, meta, endsAfterSend, idempotencyKey);
  }

  public NewSession endAfterSend() {
    return new NewSession(invite, topic, content, metadata, true, idempotencyKey);
  }

  public NewSession idempotencyKey(String key) {
    return new NewSession(invite, topic, content, metadata, endsAfterSend, key);
  }

  public JsonObject toJson() {
    JsonObject body = new JsonObject().put(Fields.INVITE, new JsonArray(invite));
    if (topic != null) {
      body.put(Fields.TOPIC, topic);
    }
    if (content != null) {
      JsonObject initial = new JsonObject().put(Fields.CONTENT, content);
      if (metadata != null) {
        initial.put(Fields.METADATA, metadata);
      }
      body.put(Fields.INITIAL_MESSAGE, initial);
    }
    if (endsAfterSend) {
      body.put(Fields.END_AFTER_SEND, true);
    }
    if (idempotencyKey != null) {
      body.put(Fields.IDEMPOTENCY_KEY, idempotencyKey);
    }
    return body;
  }
}
