package dev.asp.gateway.impl.a2a;

import dev.asp.gateway.A2aGatewaySettings;
import dev.asp.protocol.a2a.A2aAction;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /a2a/session/*} (hub spec §6): aliases resolved and every field checked here ({@link
 * SessionBodies}, shared with the mailbox), before anything is sent on; the A2A verticle decides
 * the rest in one transaction.
 */
final class SessionRoutes {
  private final BusClient bus;
  private final A2aAuth auth;
  private final A2aGatewaySettings settings;
  private final SessionBodies bodies;
  private final BoardBodies board;
  private final A2aCalls calls;

  SessionRoutes(
      A2aCalls calls,
      BusClient bus,
      A2aAuth auth,
      A2aGatewaySettings settings,
      SessionBodies bodies,
      BoardBodies board) {
    this.board = board;
    this.calls = calls;
    this.bus = bus;
    this.auth = auth;
    this.settings = settings;
    this.bodies = bodies;
  }

  void mount(Router router) {
    router.post("/a2a/session/create").handler(this::create);
    router.post("/a2a/session/join").handler(this::join);
    router.post("/a2a/session/leave").handler(this::leave);
    router.post("/a2a/session/message").handler(this::message);
    router.get("/a2a/session/list").handler(this::list);
    router.get("/a2a/session/context").handler(this::context);
    router.get("/a2a/session/board").handler(this::board);
    router
        .post("/a2a/session/board/update")
        .handler(ctx -> call(ctx, board.update(A2aBodies.object(ctx))));
    router
        .post("/a2a/session/submit")
        .handler(ctx -> call(ctx, board.submit(A2aBodies.object(ctx))));
    router
        .post("/a2a/session/orchestrate")
        .handler(ctx -> call(ctx, board.orchestrate(A2aBodies.object(ctx))));
  }

  /** {@code GET /a2a/session/board} (§8.2): auth is optional; a private board needs a member. */
  private void board(RoutingContext ctx) {
    String id = ctx.queryParams().get(A2aFields.SESSION_ID);
    JsonObject command =
        SessionBodies.inSession(new JsonObject().put(A2aFields.SESSION_ID, id), new JsonObject());
    auth.optional(ctx)
        .compose(
            caller -> {
              if (caller != null) {
                command.put(BusFields.CALLER, caller);
              }
              return bus.request(Addresses.A2A, A2aAction.BOARD_READ, command);
            })
        .onSuccess(reply -> A2aReplies.ok(ctx, reply))
        .onFailure(ctx::fail);
  }

  private void create(RoutingContext ctx) {
    call(ctx, bodies.create(A2aBodies.object(ctx)));
  }

  private void join(RoutingContext ctx) {
    call(ctx, bodies.join(A2aBodies.object(ctx)));
  }

  private void leave(RoutingContext ctx) {
    call(ctx, bodies.leave(A2aBodies.object(ctx)));
  }

  private void message(RoutingContext ctx) {
    call(ctx, bodies.message(A2aBodies.object(ctx)));
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
        SessionBodies.inSession(new JsonObject().put(A2aFields.SESSION_ID, id), new JsonObject())
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

  private void call(RoutingContext ctx, SessionBodies.Parsed parsed) {
    call(ctx, parsed.action(), parsed.sender(), parsed.command());
  }

  private void call(RoutingContext ctx, A2aAction action, String sender, JsonObject command) {
    calls.call(ctx, action, A2aFields.SENDER_ID, sender, command);
  }
}
