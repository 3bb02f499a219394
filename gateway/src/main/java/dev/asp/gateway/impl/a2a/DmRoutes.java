package dev.asp.gateway.impl.a2a;

import dev.asp.gateway.A2aGatewaySettings;
import dev.asp.protocol.AspException;
import dev.asp.protocol.a2a.A2aAction;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * {@code POST /a2a/dm} and {@code GET /a2a/dm/inbox} (hub spec §7). Aliases are resolved and every
 * field checked here, before anything is sent on. The inbox is a pull view: once its response was
 * written in full, its rows are reported written, so the next inbox read acknowledges them.
 */
final class DmRoutes {
  private final BusClient bus;
  private final A2aAuth auth;
  private final A2aGatewaySettings settings;
  private final Pulling pulling;

  DmRoutes(BusClient bus, A2aAuth auth, A2aGatewaySettings settings, Pulling pulling) {
    this.bus = bus;
    this.auth = auth;
    this.settings = settings;
    this.pulling = pulling;
  }

  void mount(Router router) {
    router.post("/a2a/dm").handler(this::send);
    router.get("/a2a/dm/inbox").handler(this::inbox);
  }

  private void send(RoutingContext ctx) {
    JsonObject body = A2aBodies.object(ctx);
    String sender =
        A2aBodies.string(body, A2aBodies.MAX_ID, A2aFields.SENDER_ID, A2aFields.NODE_ID);
    String to =
        A2aBodies.string(
            body,
            A2aBodies.MAX_ID,
            A2aFields.TO_NODE_ID,
            A2aFields.RECIPIENT_ID,
            A2aFields.RECIPIENT_NODE_ID,
            A2aFields.TO);
    if (to == null) {
      throw A2aErrors.invalid(
          A2aFields.TO_NODE_ID,
          "a node id",
          null,
          "to_node_id (or recipient_id, recipient_node_id, to) is required");
    }
    Object payload = payload(body);
    JsonObject metadata = A2aBodies.optionalObject(body, A2aFields.METADATA);
    if (metadata != null && metadata.encode().length() > settings.maxMessageChars()) {
      throw new AspException(A2aError.PAYLOAD_TOO_LARGE, "metadata is too large");
    }
    // neither a node id nor a handle: a node that cannot exist, answered like any unknown one
    String recipient = auth.handleOf(to);
    if (recipient == null) {
      throw new AspException(A2aError.NODE_NOT_FOUND, "no such node");
    }
    JsonObject command =
        new JsonObject().put(A2aFields.TO, recipient).put(A2aFields.PAYLOAD, payload);
    if (metadata != null) {
      command.put(A2aFields.METADATA, metadata);
    }
    auth.required(ctx)
        .compose(
            caller -> {
              auth.requireCaller(A2aFields.SENDER_ID, sender, caller);
              if (recipient.equals(caller)) {
                throw A2aErrors.invalid(
                    A2aFields.TO_NODE_ID, "another node", to, "a direct message to yourself");
              }
              return bus.request(
                  Addresses.A2A, A2aAction.DM_SEND, command.put(BusFields.CALLER, caller));
            })
        .onSuccess(reply -> A2aReplies.ok(ctx, reply))
        .onFailure(ctx::fail);
  }

  /** The first present of {@code content}, {@code message}, {@code payload}: any non-null value. */
  private Object payload(JsonObject body) {
    Object payload = null;
    for (String name : new String[] {A2aFields.CONTENT, A2aFields.MESSAGE, A2aFields.PAYLOAD}) {
      payload = body.getValue(name);
      if (payload != null) {
        break;
      }
    }
    if (payload == null) {
      throw A2aErrors.invalid(
          A2aFields.CONTENT,
          "any JSON value but null",
          null,
          "content (or message, payload) is required");
    }
    // counted in UTF-16 units of its JSON encoding, as the official client counts (§6.4)
    int length = Json.encode(payload).length();
    if (length > settings.maxMessageChars()) {
      throw new AspException(
          A2aError.PAYLOAD_TOO_LARGE,
          "the message is "
              + length
              + " characters as JSON; at most "
              + settings.maxMessageChars());
    }
    return payload;
  }

  private void inbox(RoutingContext ctx) {
    String node = ctx.queryParams().get(A2aFields.NODE_ID);
    Long limit = SessionRoutes.query(ctx, A2aFields.LIMIT);
    if (limit != null && (limit < 1 || limit > 100)) {
      throw A2aErrors.invalid(A2aFields.LIMIT, "1..100", limit, "limit must be between 1 and 100");
    }
    boolean includeRead = flag(ctx, A2aFields.INCLUDE_READ);
    JsonObject command =
        new JsonObject()
            .put(A2aFields.LIMIT, limit == null ? 20 : limit)
            .put(A2aFields.INCLUDE_READ, includeRead)
            .put(A2aFields.REQUEST_ID, UUID.randomUUID().toString());
    auth.required(ctx)
        .compose(
            caller -> {
              auth.requireCaller(A2aFields.NODE_ID, node, caller);
              return bus.request(
                      Addresses.A2A, A2aAction.DM_INBOX, command.put(BusFields.CALLER, caller))
                  .compose(
                      read ->
                          A2aReplies.okThenEnd(
                              ctx,
                              inboxReply(read),
                              () -> pulling.written(caller, Pulling.INBOX, Pulling.INBOX, read)));
            })
        .onFailure(ctx::fail);
  }

  /** {@code true}/{@code 1} or {@code false}/{@code 0}; absent or empty is false. */
  private static boolean flag(RoutingContext ctx, String name) {
    String value = ctx.queryParams().get(name);
    if (value == null || value.isEmpty() || value.equals("false") || value.equals("0")) {
      return false;
    }
    if (value.equals("true") || value.equals("1")) {
      return true;
    }
    throw A2aErrors.invalid(name, "true or false", value, name + " must be true or false");
  }

  /** The §7 body: the verticle's reply without the delivery numbers (they are not the wire's). */
  private static JsonObject inboxReply(JsonObject read) {
    return new JsonObject()
        .put(A2aFields.MESSAGES, read.getJsonArray(A2aFields.MESSAGES))
        .put(A2aFields.COUNT, read.getInteger(A2aFields.COUNT))
        .put(A2aFields.UNREAD, read.getLong(A2aFields.UNREAD));
  }
}
