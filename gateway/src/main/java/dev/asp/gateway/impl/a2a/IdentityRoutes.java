package dev.asp.gateway.impl.a2a;

import dev.asp.gateway.A2aGatewaySettings;
import dev.asp.gateway.limits.Limit;
import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.a2a.A2aAction;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.a2a.A2aTimes;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.TrustAction;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

/**
 * {@code POST /a2a/hello} and {@code POST /a2a/heartbeat} (hub spec §3, §4, §18.1–18.4): identity
 * is the trust verticle's ({@code NODE_HELLO}), liveness and capabilities the A2A verticle's
 * ({@code NODE_SEEN}), and the events a heartbeat carries are its channel of the node's pull view —
 * none for a mailbox client (§5.6), whose {@code has_pending_events} reports its mailbox.
 */
final class IdentityRoutes {
  /** Hello refusals that carry the rejection body of §3 (the official client reads it). */
  private static final Set<A2aError> REJECTIONS =
      EnumSet.of(
          A2aError.NODE_ID_ALREADY_CLAIMED,
          A2aError.NODE_SECRET_INVALID,
          A2aError.HUB_NODE_ID_RESERVED,
          A2aError.ROTATION_NOT_ALLOWED,
          A2aError.SENDER_MISMATCH);

  private final BusClient bus;
  private final A2aAuth auth;
  private final A2aGatewaySettings settings;
  private final Pulling pulling;

  IdentityRoutes(BusClient bus, A2aAuth auth, A2aGatewaySettings settings, Pulling pulling) {
    this.bus = bus;
    this.auth = auth;
    this.settings = settings;
    this.pulling = pulling;
  }

  void mount(Router router) {
    router.post("/a2a/hello").handler(this::hello);
    router.post("/a2a/heartbeat").handler(this::heartbeat);
  }

  // --- hello

  private void hello(RoutingContext ctx) {
    JsonObject body = A2aBodies.object(ctx);
    boolean envelope = A2aBodies.isEnvelope(body);
    JsonObject fields = envelope ? payloadOf(body) : body;
    if (envelope) {
      String type = A2aBodies.string(body, 50, A2aFields.MESSAGE_TYPE);
      if (type != null && !"hello".equals(type)) {
        throw A2aErrors.invalid(
            A2aFields.MESSAGE_TYPE, "hello", type, "message_type must be hello on this route");
      }
    }
    String senderId =
        envelope
            ? A2aBodies.string(body, A2aBodies.MAX_ID, A2aFields.SENDER_ID)
            : A2aBodies.string(body, A2aBodies.MAX_ID, A2aFields.SENDER_ID, A2aFields.NODE_ID);
    boolean rotate = A2aBodies.bool(fields, A2aFields.ROTATE_SECRET);
    Object capabilities = fields.getValue(A2aFields.CAPABILITIES);
    String token = A2aAuth.bearer(ctx);
    JsonObject request = new JsonObject().put(A2aFields.ROTATE_SECRET, rotate);
    if (token != null) {
      request.put(BusFields.TOKEN, token);
    }
    if (senderId != null) {
      request.put(A2aFields.SENDER_ID, senderId);
    }
    String address = clientAddress(ctx);
    Limit limit = settings.helloLimit();
    settings
        .limiter()
        .tryConsume(limit, address)
        .compose(
            decision -> {
              if (!decision.allowed()) {
                return Future.failedFuture(
                    A2aReplies.limited(A2aError.HELLO_RATE_LIMIT, limit, decision));
              }
              // a hello that presents a secret is a credential check like any other
              return token == null
                  ? bus.trust(TrustAction.NODE_HELLO, request)
                  : auth.guard(ctx, () -> bus.trust(TrustAction.NODE_HELLO, request));
            })
        .compose(
            identity ->
                bus.request(
                        Addresses.A2A,
                        A2aAction.NODE_SEEN,
                        new JsonObject()
                            .put(BusFields.CALLER, identity.getString(A2aFields.HANDLE))
                            .put(A2aFields.HELLO, true)
                            .put(A2aFields.CAPABILITIES, capabilities))
                    .map(seen -> helloReply(identity, seen.getInteger(A2aFields.LEVEL))))
        .onSuccess(reply -> A2aReplies.ok(ctx, reply))
        .onFailure(failure -> helloFailed(ctx, failure));
  }

  private JsonObject helloReply(JsonObject identity, int level) {
    String nodeId = identity.getString(A2aFields.NODE_ID);
    String secret = identity.getString(A2aFields.NODE_SECRET);
    JsonObject fields =
        new JsonObject()
            .put(A2aFields.STATUS, "acknowledged")
            .put(A2aFields.YOUR_NODE_ID, nodeId)
            .put(A2aFields.NODE_ID, nodeId)
            .put(A2aFields.HANDLE, identity.getString(A2aFields.HANDLE))
            .put(A2aFields.NODE_SECRET, secret)
            .put(A2aFields.NODE_SECRET_ISSUED, secret != null)
            .put(A2aFields.NODE_SECRET_VERSION, identity.getValue(A2aFields.NODE_SECRET_VERSION))
            .put(A2aFields.NODE_SECRET_STATUS, "active")
            .put(A2aFields.HUB_NODE_ID, identity.getString(A2aFields.HUB_NODE_ID))
            .put(A2aFields.HEARTBEAT_INTERVAL_MS, settings.heartbeatIntervalMs())
            .put(A2aFields.CAPABILITY_PROFILE, profile(level))
            .put(A2aFields.SURVIVAL_STATUS, "alive")
            .put(A2aFields.SERVER_TIME, A2aTimes.iso(System.currentTimeMillis()));
    return A2aReplies.mirrored(fields);
  }

  private void helloFailed(RoutingContext ctx, Throwable failure) {
    if (failure instanceof A2aReplies.Limited limited) {
      A2aReplies.writeLimited(ctx, limited);
      return;
    }
    AspException error = AspException.from(failure);
    A2aError code = A2aErrors.codeOf(error);
    if (REJECTIONS.contains(code)) {
      JsonObject rejected =
          new JsonObject().put(A2aFields.STATUS, "rejected").put(A2aFields.REASON, code.wireCode());
      A2aErrors.write(
          ctx, code, error.getMessage(), null, rejected.copy().put(A2aFields.PAYLOAD, rejected));
      return;
    }
    ctx.fail(failure);
  }

  /** The client address a hello is counted against: the TCP peer, or the first forwarded hop. */
  private String clientAddress(RoutingContext ctx) {
    if (settings.trustForwardedFor()) {
      String forwarded = ctx.request().getHeader("X-Forwarded-For");
      if (forwarded != null && !forwarded.isBlank()) {
        String first = forwarded.split(",", 2)[0].trim();
        if (!first.isEmpty() && first.length() <= 64) {
          return first;
        }
      }
    }
    return ctx.request().remoteAddress() == null
        ? "unknown"
        : ctx.request().remoteAddress().hostAddress();
  }

  /** §3 {@code capability_profile}: the routes this operator serves that the level may call. */
  static JsonObject profile(int level) {
    JsonArray endpoints = new JsonArray();
    for (String route :
        new String[] {
          "POST /a2a/hello",
          "POST /a2a/heartbeat",
          "POST /a2a/events/poll",
          "GET /a2a/events/stream",
          "POST /a2a/session/create",
          "GET /a2a/session/list",
          "GET /a2a/session/board",
          "GET /a2a/subscriptions",
          "POST /a2a/discover",
          "GET /a2a/deliberation/:id",
          "GET /a2a/deliberation/:id/status",
          "GET /a2a/dialog/history",
          "GET /a2a/dialog/thread/:messageId",
          "GET /a2a/pipeline/templates",
          "GET /a2a/pipeline/:id",
          "POST /a2a/dm",
          "GET /a2a/dm/inbox",
          "POST /a2a/mailbox/outbound",
          "POST /a2a/mailbox/inbound",
          "POST /a2a/mailbox/ack",
          "GET /a2a/mailbox/status"
        }) {
      endpoints.add(route);
    }
    if (level >= 2) {
      for (String route :
          new String[] {
            "POST /a2a/session/join",
            "POST /a2a/session/leave",
            "POST /a2a/session/message",
            "GET /a2a/session/context",
            "POST /a2a/session/board/update",
            "POST /a2a/session/submit",
            "POST /a2a/dialog",
            "POST /a2a/subscribe"
          }) {
        endpoints.add(route);
      }
    }
    if (level >= 3) {
      endpoints.add("POST /a2a/session/orchestrate");
      endpoints.add("POST /a2a/deliberation/start");
      endpoints.add("POST /a2a/pipeline/create");
      endpoints.add("POST /a2a/pipeline/:id/advance");
    }
    return new JsonObject()
        .put(A2aFields.LEVEL, level)
        .putNull(A2aFields.REPUTATION)
        .put(A2aFields.ENDPOINTS, endpoints);
  }

  static JsonObject payloadOf(JsonObject envelope) {
    Object payload = envelope.getValue(A2aFields.PAYLOAD);
    if (payload == null) {
      return new JsonObject();
    }
    if (!(payload instanceof JsonObject object)) {
      throw A2aErrors.invalid(A2aFields.PAYLOAD, "object", payload, "payload must be an object");
    }
    return object;
  }

  // --- heartbeat

  private void heartbeat(RoutingContext ctx) {
    JsonObject body = A2aBodies.object(ctx);
    String given = A2aBodies.string(body, A2aBodies.MAX_ID, A2aFields.NODE_ID, A2aFields.SENDER_ID);
    String token = A2aAuth.bearer(ctx);
    Future<String> caller =
        token == null
            ? Future.succeededFuture(null)
            : auth.resolve(ctx, token)
                .recover(
                    f ->
                        A2aAuth.invalid(f) || isSecretInvalid(f)
                            ? Future.succeededFuture(null)
                            : Future.failedFuture(f));
    caller
        .compose(
            handle -> {
              if (handle != null) {
                auth.requireCaller(A2aFields.NODE_ID, given, handle);
                return beat(ctx, handle, proxied(body));
              }
              // no valid Bearer: known nodes must authenticate, unknown ones hello first (§4)
              return known(given)
                  .compose(
                      known -> {
                        if (known) {
                          return Future.failedFuture(
                              token == null
                                  ? new AspException(
                                      A2aError.NODE_SECRET_REQUIRED, "send the node secret")
                                  : new AspException(
                                      A2aError.NODE_SECRET_INVALID,
                                      "unknown or revoked node secret"));
                        }
                        if (given == null && token != null) {
                          return Future.failedFuture(
                              new AspException(
                                  A2aError.NODE_SECRET_INVALID, "unknown or revoked node secret"));
                        }
                        return A2aReplies.ok(ctx, unknownNode(given));
                      });
            })
        .onFailure(ctx::fail);
  }

  private static boolean isSecretInvalid(Throwable failure) {
    return AspException.from(failure).a2a() == A2aError.NODE_SECRET_INVALID;
  }

  private Future<Boolean> known(String given) {
    String handle = auth.handleOf(given);
    if (handle == null) {
      return Future.succeededFuture(false);
    }
    return bus.trust(TrustAction.NODE_INFO, new JsonObject().put(A2aFields.HANDLE, handle))
        .map(info -> true)
        .recover(
            failure ->
                AspException.from(failure).code() == ErrorCode.NOT_FOUND
                    ? Future.succeededFuture(false)
                    : Future.failedFuture(failure));
  }

  private JsonObject unknownNode(String given) {
    return new JsonObject()
        .put(A2aFields.STATUS, "unknown_node")
        .put(A2aFields.OK, false)
        .put(A2aFields.NODE_ID, given)
        .put(A2aFields.MESSAGE, "send POST /a2a/hello first")
        .put(A2aFields.NEXT_HEARTBEAT_MS, settings.heartbeatIntervalMs());
  }

  /**
   * A heartbeat from the official client's mailbox proxy carries {@code
   * meta.proxy_protocol_version}.
   */
  private static boolean proxied(JsonObject body) {
    return body.getValue(A2aFields.META) instanceof JsonObject meta
        && meta.getValue(A2aFields.PROXY_PROTOCOL_VERSION) != null;
  }

  /**
   * Liveness, then the events (§5.6): a mailbox client's heartbeat carries none (they reach it
   * through its mailbox; both would hand it every event twice) and reports whether its mailbox
   * holds unacknowledged messages; any other node's carries its pull view's heartbeat channel.
   */
  private Future<Void> beat(RoutingContext ctx, String caller, boolean proxy) {
    Limit limit = settings.heartbeatLimit();
    return settings
        .limiter()
        .tryConsume(limit, caller)
        .compose(
            decision -> {
              if (!decision.allowed()) {
                return Future.failedFuture(
                    A2aReplies.limited(A2aError.RATE_LIMITED, limit, decision));
              }
              Future<JsonObject> seen =
                  bus.request(
                      Addresses.A2A,
                      A2aAction.NODE_SEEN,
                      new JsonObject().put(BusFields.CALLER, caller).put(A2aFields.HELLO, false));
              return seen.compose(
                  s ->
                      bus.request(
                              Addresses.A2A,
                              A2aAction.MAILBOX_STATUS,
                              new JsonObject()
                                  .put(BusFields.CALLER, caller)
                                  .put(A2aFields.PROBE, true)
                                  .put(A2aFields.PROXY, proxy))
                          .compose(
                              mailbox -> {
                                if (mailbox.getBoolean(A2aFields.MAILBOX_CLIENT, false)) {
                                  boolean pending =
                                      mailbox.getLong(A2aFields.PENDING, 0L)
                                              + mailbox.getLong(A2aFields.DELIVERED_UNACKED, 0L)
                                          > 0;
                                  return A2aReplies.ok(
                                      ctx, heartbeatReply(caller, s, new JsonArray(), pending));
                                }
                                return pulling
                                    .pull(
                                        caller,
                                        Pulling.HEARTBEAT,
                                        UUID.randomUUID().toString(),
                                        null,
                                        settings.heartbeatEvents(),
                                        0)
                                    .compose(
                                        batch -> {
                                          JsonArray events = batch.getJsonArray(A2aFields.EVENTS);
                                          return A2aReplies.okThenEnd(
                                              ctx,
                                              heartbeatReply(caller, s, events, !events.isEmpty()),
                                              () ->
                                                  pulling.written(caller, Pulling.HEARTBEAT, batch),
                                              () ->
                                                  pulling.unwritten(
                                                      caller,
                                                      Pulling.VIEW,
                                                      Pulling.HEARTBEAT,
                                                      batch));
                                        });
                              }));
            });
  }

  private JsonObject heartbeatReply(
      String caller, JsonObject seen, JsonArray events, boolean hasPending) {
    String nodeId = auth.wire(caller);
    JsonObject fields =
        new JsonObject()
            .put(A2aFields.STATUS, "ok")
            .put(A2aFields.OK, true)
            .put(A2aFields.YOUR_NODE_ID, nodeId)
            .put(A2aFields.NODE_ID, nodeId)
            .put(A2aFields.NODE_STATUS, "active")
            .put(A2aFields.SURVIVAL_STATUS, "alive")
            .put(A2aFields.SERVER_TIME, A2aTimes.iso(System.currentTimeMillis()))
            .put(A2aFields.NEXT_HEARTBEAT_MS, settings.heartbeatIntervalMs())
            .put(A2aFields.HEARTBEAT_INTERVAL_MS, settings.heartbeatIntervalMs())
            .put(A2aFields.HAS_PENDING_EVENTS, hasPending)
            .put(A2aFields.CAPABILITY_PROFILE, profile(seen.getInteger(A2aFields.LEVEL)))
            .put(A2aFields.AVAILABLE_WORK, new JsonArray())
            .put(A2aFields.OVERDUE_TASKS, new JsonArray());
    JsonObject reply = fields.copy().put(A2aFields.PAYLOAD, fields);
    reply.put(A2aFields.PENDING_EVENTS, events).put(A2aFields.EVENTS, events.copy());
    return reply;
  }
}
