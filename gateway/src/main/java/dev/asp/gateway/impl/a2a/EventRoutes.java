package dev.asp.gateway.impl.a2a;

import dev.asp.gateway.A2aGatewaySettings;
import dev.asp.protocol.a2a.A2aFields;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * {@code POST /a2a/events/poll} (hub spec §5.4), flat and envelope forms: answers at once without
 * {@code timeout_ms}, else waits up to {@code min(timeout_ms, ASP_A2A_POLL_MAX_WAIT_MS)} for an
 * event. Each poll supersedes the node's open one wherever it is held.
 */
final class EventRoutes {
  private final A2aAuth auth;
  private final A2aGatewaySettings settings;
  private final Pulling pulling;

  EventRoutes(A2aAuth auth, A2aGatewaySettings settings, Pulling pulling) {
    this.auth = auth;
    this.settings = settings;
    this.pulling = pulling;
  }

  void mount(Router router) {
    router.post("/a2a/events/poll").handler(this::poll);
  }

  private void poll(RoutingContext ctx) {
    JsonObject body = A2aBodies.object(ctx);
    boolean envelope = A2aBodies.isEnvelope(body);
    JsonObject fields = envelope ? IdentityRoutes.payloadOf(body) : body;
    String given = A2aBodies.string(body, A2aBodies.MAX_ID, A2aFields.NODE_ID, A2aFields.SENDER_ID);
    Long timeout = A2aBodies.integer(fields, A2aFields.TIMEOUT_MS, false);
    Long limit = A2aBodies.integer(fields, A2aFields.LIMIT, false);
    Long cursor = cursor(fields);
    if (limit != null && (limit < 1 || limit > 100)) {
      throw A2aErrors.invalid(A2aFields.LIMIT, "1..100", limit, "limit must be between 1 and 100");
    }
    if (timeout != null && timeout < 0) {
      throw A2aErrors.invalid(A2aFields.TIMEOUT_MS, ">= 0", timeout, "timeout_ms must be >= 0");
    }
    long waitMs = timeout == null ? 0 : Math.min(timeout, settings.pollMaxWaitMs());
    int batch = limit == null ? settings.pollBatch() : limit.intValue();
    auth.puller(ctx, given, settings.limiter(), settings.pollLimit())
        .compose(
            caller ->
                pulling
                    .pull(caller, Pulling.POLL, UUID.randomUUID().toString(), cursor, batch, waitMs)
                    .compose(
                        pulled ->
                            A2aReplies.okThenEnd(
                                ctx,
                                pollReply(pulled),
                                () -> pulling.written(caller, Pulling.POLL, pulled),
                                () ->
                                    pulling.unwritten(caller, Pulling.VIEW, Pulling.POLL, pulled))))
        .onFailure(ctx::fail);
  }

  /** A cursor is a decimal string (or number) we handed out; also the mailbox's (§10). */
  static Long cursor(JsonObject fields) {
    Object value = fields.getValue(A2aFields.CURSOR);
    if (value == null) {
      return null;
    }
    if (value instanceof Number number && number.longValue() >= 0) {
      return number.longValue();
    }
    if (value instanceof String text && text.matches("[0-9]{1,18}")) {
      return Long.parseLong(text);
    }
    throw A2aErrors.invalid(
        A2aFields.CURSOR, "a cursor from an earlier poll", value, "cursor is not one we issued");
  }

  /**
   * The poll reply (§5.4): the batch at the top level and, the same, under {@code payload}; the
   * events are encoded once, to bytes, and written twice.
   */
  static Buffer pollReply(JsonObject pulled) {
    JsonArray events = pulled.getJsonArray(A2aFields.EVENTS);
    Buffer encoded = events.toBuffer();
    String rest =
        ",\""
            + A2aFields.NEXT_CURSOR
            + "\":"
            + Json.encode(pulled.getValue(A2aFields.NEXT_CURSOR))
            + ",\""
            + A2aFields.HAS_MORE
            + "\":"
            + pulled.getBoolean(A2aFields.HAS_MORE, false);
    return Buffer.buffer(2 * encoded.length() + 2 * rest.length() + 64)
        .appendString("{\"" + A2aFields.EVENTS + "\":")
        .appendBuffer(encoded)
        .appendString(rest)
        .appendString(",\"" + A2aFields.COUNT + "\":" + events.size())
        .appendString(",\"" + A2aFields.PAYLOAD + "\":{\"" + A2aFields.EVENTS + "\":")
        .appendBuffer(encoded)
        .appendString(rest)
        .appendString("}}");
  }
}
