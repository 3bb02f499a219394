package dev.asp.gateway.impl.a2a;

import dev.asp.gateway.A2aGatewaySettings;
import dev.asp.protocol.AspException;
import dev.asp.protocol.Ids;
import dev.asp.protocol.a2a.A2aAction;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code /a2a/session/*} (hub spec §6): aliases resolved and every field checked here, before
 * anything is sent on; the A2A verticle decides the rest in one transaction.
 */
final class SessionRoutes {
  private final BusClient bus;
  private final A2aAuth auth;
  private final A2aGatewaySettings settings;

  SessionRoutes(BusClient bus, A2aAuth auth, A2aGatewaySettings settings) {
    this.bus = bus;
    this.auth = auth;
    this.settings = settings;
  }

  void mount(Router router) {
    router.post("/a2a/session/create").handler(this::create);
    router.post("/a2a/session/join").handler(this::join);
    router.post("/a2a/session/leave").handler(this::leave);
    router.post("/a2a/session/message").handler(this::message);
    router.get("/a2a/session/list").handler(this::list);
    router.get("/a2a/session/context").handler(this::context);
  }

  private void create(RoutingContext ctx) {
    JsonObject body = A2aBodies.object(ctx);
    String sender = A2aBodies.string(body, A2aBodies.MAX_ID, A2aFields.SENDER_ID);
    String title =
        A2aBodies.string(
            body, settings.maxTopicLength(), A2aFields.TITLE, A2aFields.TOPIC, A2aFields.PURPOSE);
    String description =
        A2aBodies.string(body, A2aGatewaySettings.MAX_DESCRIPTION, A2aFields.DESCRIPTION);
    List<String> invitees =
        A2aBodies.strings(
            body,
            A2aGatewaySettings.MAX_INVITEES,
            A2aFields.INVITE_NODE_IDS,
            A2aFields.PARTICIPANTS,
            A2aFields.INVITEES);
    String visibility = A2aBodies.string(body, 20, A2aFields.VISIBILITY);
    if (visibility != null && !visibility.equals("public") && !visibility.equals("private")) {
      throw A2aErrors.invalid(
          A2aFields.VISIBILITY, "public or private", visibility, "visibility is public or private");
    }
    // lenient: a missing or non-numeric value is the default; a number is clamped to 2..20 (§6.2)
    Long max = A2aBodies.integer(body, A2aFields.MAX_PARTICIPANTS, true);
    long participants =
        max == null
            ? settings.maxParticipants()
            : Math.max(2, Math.min(settings.maxParticipants(), max));
    JsonObject command =
        new JsonObject()
            .put(A2aFields.TITLE, title)
            .put(A2aFields.DESCRIPTION, description)
            .put(A2aFields.INVITEES, new JsonArray(invitees))
            .put(A2aFields.MAX_PARTICIPANTS, participants)
            .put(A2aFields.VISIBILITY, visibility == null ? "public" : visibility);
    call(ctx, A2aAction.SESSION_CREATE, sender, command);
  }

  private void join(RoutingContext ctx) {
    JsonObject body = A2aBodies.object(ctx);
    call(ctx, A2aAction.SESSION_JOIN, sender(body), inSession(body, new JsonObject()));
  }

  private void leave(RoutingContext ctx) {
    JsonObject body = A2aBodies.object(ctx);
    call(ctx, A2aAction.SESSION_LEAVE, sender(body), inSession(body, new JsonObject()));
  }

  private void message(RoutingContext ctx) {
    JsonObject body = A2aBodies.object(ctx);
    Object payload = null;
    for (String name : new String[] {A2aFields.PAYLOAD, A2aFields.CONTENT, A2aFields.MESSAGE}) {
      payload = body.getValue(name);
      if (payload != null) {
        break;
      }
    }
    if (payload == null) {
      throw A2aErrors.invalid(
          A2aFields.PAYLOAD,
          "any JSON value but null",
          null,
          "payload (or content, message) is required");
    }
    String encoded = io.vertx.core.json.Json.encode(payload);
    if (encoded.length() > settings.maxMessageChars()) {
      throw new AspException(
          A2aError.PAYLOAD_TOO_LARGE,
          "the payload is "
              + encoded.length()
              + " characters as JSON; at most "
              + settings.maxMessageChars());
    }
    String to = A2aBodies.string(body, A2aBodies.MAX_ID, A2aFields.TO_NODE_ID);
    String msgType = A2aBodies.string(body, 50, A2aFields.MSG_TYPE);
    JsonObject metadata = A2aBodies.optionalObject(body, A2aFields.METADATA);
    if (metadata != null && metadata.encode().length() > settings.maxMessageChars()) {
      throw new AspException(A2aError.PAYLOAD_TOO_LARGE, "metadata is too large");
    }
    JsonObject command = inSession(body, new JsonObject().put(A2aFields.PAYLOAD, payload));
    if (to != null) {
      String handle = auth.handleOf(to);
      if (handle == null) {
        throw A2aErrors.invalid(
            A2aFields.TO_NODE_ID, "a node id", to, "to_node_id must name a participant");
      }
      command.put(A2aFields.TO, handle);
    }
    if (msgType != null) {
      command.put(A2aFields.MSG_TYPE, msgType);
    }
    if (metadata != null) {
      command.put(A2aFields.METADATA, metadata);
    }
    call(ctx, A2aAction.SESSION_MESSAGE, sender(body), command);
  }

  private void list(RoutingContext ctx) {
    Long limit = query(ctx, A2aFields.LIMIT);
    if (limit != null && (limit < 1 || limit > 50)) {
      throw A2aErrors.invalid(A2aFields.LIMIT, "1..50", limit, "limit must be between 1 and 50");
    }
    // no auth needed; an invalid Bearer is ignored
    auth.optional(ctx)
        .compose(
            caller ->
                bus.request(
                    Addresses.A2A,
                    A2aAction.SESSION_LIST,
                    new JsonObject().put(A2aFields.LIMIT, limit == null ? 10 : limit)))
        .onSuccess(reply -> A2aReplies.ok(ctx, reply))
        .onFailure(ctx::fail);
  }

  private void context(RoutingContext ctx) {
    String id = ctx.queryParams().get(A2aFields.SESSION_ID);
    String node = ctx.queryParams().get(A2aFields.NODE_ID);
    Long limit = query(ctx, A2aFields.LIMIT);
    if (limit != null && (limit < 1 || limit > settings.contextMax())) {
      throw A2aErrors.invalid(
          A2aFields.LIMIT, "1.." + settings.contextMax(), limit, "limit is out of range");
    }
    JsonObject command =
        inSession(new JsonObject().put(A2aFields.SESSION_ID, id), new JsonObject())
            .put(A2aFields.LIMIT, limit == null ? 100 : limit);
    call(ctx, A2aAction.SESSION_CONTEXT, node, command);
  }

  static Long query(RoutingContext ctx, String name) {
    String value = ctx.queryParams().get(name);
    if (value == null || value.isEmpty()) {
      return null;
    }
    if (!value.matches("-?[0-9]{1,9}")) {
      throw A2aErrors.invalid(name, "integer", value, name + " must be an integer");
    }
    return Long.parseLong(value);
  }

  private static String sender(JsonObject body) {
    return A2aBodies.string(body, A2aBodies.MAX_ID, A2aFields.SENDER_ID, A2aFields.NODE_ID);
  }

  /** A session id that cannot be one of ours is an unknown session, like any other. */
  private static JsonObject inSession(JsonObject body, JsonObject command) {
    String id = A2aBodies.string(body, A2aBodies.MAX_ID, A2aFields.SESSION_ID);
    if (id == null) {
      throw A2aErrors.invalid(A2aFields.SESSION_ID, "a session id", null, "session_id is required");
    }
    if (!Ids.isSessionId(id)) {
      throw new AspException(A2aError.SESSION_NOT_FOUND, "no such session");
    }
    return command.put(A2aFields.SESSION_ID, id);
  }

  /** Authenticates, checks the body's sender against the caller, and asks the A2A verticle. */
  private void call(RoutingContext ctx, A2aAction action, String sender, JsonObject command) {
    auth.required(ctx)
        .compose(
            caller -> {
              auth.requireCaller(A2aFields.SENDER_ID, sender, caller);
              return bus.request(Addresses.A2A, action, command.put(BusFields.CALLER, caller));
            })
        .onSuccess(reply -> A2aReplies.ok(ctx, reply))
        .onFailure(ctx::fail);
  }
}
