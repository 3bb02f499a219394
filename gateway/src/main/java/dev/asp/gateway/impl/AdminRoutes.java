package dev.asp.gateway.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import dev.asp.protocol.a2a.A2aAction;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.TrustAction;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * The owner/admin API of spec §8 under {@code /admin}: not part of the ASP wire. Callers present an
 * owner token or the operator admin token as a bearer; agent tokens are refused (401), so an agent
 * can never change its own trust settings. Authority (owners act only on {@code @owner.*}) is
 * decided by the trust verticle.
 */
public final class AdminRoutes {
  private static final String AGENT = "/admin/agents/:handle";

  private final BusClient bus;
  private final Authenticator auth;
  private final int pageLimit;

  public AdminRoutes(BusClient bus, TokenCache tokens, int pageLimit) {
    this.bus = bus;
    this.auth = new Authenticator(bus, tokens);
    this.pageLimit = pageLimit;
  }

  public void mount(Router router) {
    router.route("/admin/*").handler(auth::admin);
    router
        .post("/admin/owners")
        .handler(ctx -> created(ctx, TrustAction.CREATE_OWNER, ownerBody(ctx)));
    router
        .post("/admin/owners/:owner/rotate-token")
        .handler(ctx -> ok(ctx, TrustAction.ROTATE_OWNER_TOKEN, ownerPath(ctx)));
    router
        .post("/admin/agents")
        .handler(ctx -> created(ctx, TrustAction.CREATE_AGENT, agentBody(ctx)));
    router.get("/admin/agents").handler(ctx -> ok(ctx, TrustAction.LIST_AGENTS, page(ctx)));
    router.get(AGENT).handler(ctx -> ok(ctx, TrustAction.GET_AGENT, handle(ctx)));
    router.delete(AGENT).handler(ctx -> ok(ctx, TrustAction.DELETE_AGENT, handle(ctx)));
    router
        .post(AGENT + "/tokens")
        .handler(ctx -> created(ctx, TrustAction.ISSUE_TOKEN, handle(ctx)));
    router
        .post(AGENT + "/tokens/rotate")
        .handler(ctx -> ok(ctx, TrustAction.ROTATE_TOKENS, handle(ctx)));
    router
        .delete(AGENT + "/tokens/:tokenId")
        .handler(
            ctx ->
                ok(
                    ctx,
                    TrustAction.REVOKE_TOKEN,
                    handle(ctx).put(BusFields.TOKEN_ID, ctx.pathParam("tokenId"))));
    router
        .put(AGENT + "/policy")
        .handler(
            ctx ->
                ok(
                    ctx,
                    TrustAction.SET_POLICY,
                    handle(ctx)
                        .put(BusFields.INBOUND_POLICY, field(ctx, BusFields.INBOUND_POLICY))));
    router
        .post(AGENT + "/allowlist")
        .handler(
            ctx ->
                ok(
                    ctx,
                    TrustAction.ADD_ALLOWLIST_ENTRY,
                    handle(ctx).put(BusFields.ENTRY, field(ctx, BusFields.ENTRY))));
    router
        .delete(AGENT + "/allowlist/:entry")
        .handler(
            ctx ->
                ok(
                    ctx,
                    TrustAction.REMOVE_ALLOWLIST_ENTRY,
                    handle(ctx).put(BusFields.ENTRY, ctx.pathParam("entry"))));
    router
        .post(AGENT + "/blocks")
        .handler(
            ctx ->
                ok(
                    ctx,
                    TrustAction.BLOCK,
                    handle(ctx).put(BusFields.BLOCKED, field(ctx, Fields.HANDLE))));
    router.put(AGENT + "/a2a").handler(this::setLevel);
    router
        .delete(AGENT + "/blocks/:blocked")
        .handler(
            ctx ->
                ok(
                    ctx,
                    TrustAction.UNBLOCK,
                    handle(ctx).put(BusFields.BLOCKED, ctx.pathParam("blocked"))));
  }

  /**
   * {@code PUT /admin/agents/{handle}/a2a {level: 1..3}} (hub spec §3 "Levels"): the trust verticle
   * decides whether the principal may manage the agent (an owner only its own; unknown is 404),
   * then the A2A verticle records the level.
   */
  private void setLevel(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    Bodies.onlyFields(body, Set.of(A2aFields.LEVEL), "request");
    if (!(body.getValue(A2aFields.LEVEL) instanceof Integer level) || level < 1 || level > 3) {
      throw Bodies.invalid("level must be 1, 2 or 3");
    }
    JsonObject agent = handle(ctx);
    SessionRoutes.reply(
        ctx,
        200,
        call(ctx, TrustAction.GET_AGENT, agent.copy())
            .compose(
                view ->
                    bus.request(
                        Addresses.A2A, A2aAction.SET_LEVEL, agent.put(A2aFields.LEVEL, level))));
  }

  private void ok(RoutingContext ctx, TrustAction action, JsonObject command) {
    SessionRoutes.reply(ctx, 200, call(ctx, action, command));
  }

  private void created(RoutingContext ctx, TrustAction action, JsonObject command) {
    SessionRoutes.reply(ctx, 201, call(ctx, action, command));
  }

  private io.vertx.core.Future<JsonObject> call(
      RoutingContext ctx, TrustAction action, JsonObject command) {
    return bus.trust(action, command.put(BusFields.PRINCIPAL, Authenticator.principal(ctx)));
  }

  /**
   * {@code ?after_handle=@o.a&limit=N}: the agents after that handle (byte order), at most {@code
   * N} (1..{@code ASP_ADMIN_PAGE_LIMIT}); the reply's {@code next_cursor}, when there is one, is
   * the {@code after_handle} of the next page.
   */
  private JsonObject page(RoutingContext ctx) {
    JsonObject command =
        new JsonObject().put(Fields.LIMIT, Math.min(TrustAction.DEFAULT_AGENTS_PAGE, pageLimit));
    String after = ctx.queryParams().get(Fields.AFTER_HANDLE);
    if (after != null) {
      if (after.length() > MAX_CURSOR_LENGTH) {
        throw invalid(Fields.AFTER_HANDLE + " is longer than any handle");
      }
      command.put(Fields.AFTER_HANDLE, after);
    }
    String limit = ctx.queryParams().get(Fields.LIMIT);
    if (limit != null) {
      long parsed;
      try {
        parsed = Long.parseLong(limit);
      } catch (NumberFormatException e) {
        parsed = -1;
      }
      if (parsed < 1 || parsed > pageLimit) {
        throw invalid(Fields.LIMIT + " must be an integer between 1 and " + pageLimit);
      }
      command.put(Fields.LIMIT, (int) parsed);
    }
    return command;
  }

  /** {@code @} + two parts of at most 64 characters and the dot: no handle is longer. */
  private static final int MAX_CURSOR_LENGTH = 130;

  private static AspException invalid(String message) {
    return new AspException(ErrorCode.INVALID_REQUEST, message);
  }

  private static JsonObject handle(RoutingContext ctx) {
    return new JsonObject().put(Fields.HANDLE, ctx.pathParam("handle"));
  }

  private static JsonObject ownerPath(RoutingContext ctx) {
    return new JsonObject().put(BusFields.OWNER, ctx.pathParam("owner"));
  }

  private static JsonObject ownerBody(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    Bodies.onlyFields(body, Set.of(BusFields.OWNER), "request");
    return new JsonObject().put(BusFields.OWNER, Bodies.requiredString(body, BusFields.OWNER));
  }

  private static JsonObject agentBody(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx, false);
    Bodies.onlyFields(
        body, Set.of(Fields.HANDLE, BusFields.INBOUND_POLICY, BusFields.ALLOWLIST), "request");
    JsonObject command =
        new JsonObject().put(Fields.HANDLE, Bodies.requiredString(body, Fields.HANDLE));
    String policy = Bodies.optionalString(body, BusFields.INBOUND_POLICY);
    if (policy != null) {
      command.put(BusFields.INBOUND_POLICY, policy);
    }
    if (Bodies.optionalArray(body, BusFields.ALLOWLIST) != null) {
      command.put(BusFields.ALLOWLIST, body.getJsonArray(BusFields.ALLOWLIST));
    }
    return command;
  }

  private static String field(RoutingContext ctx, String name) {
    JsonObject body = Bodies.object(ctx, false);
    Bodies.onlyFields(body, Set.of(name), "request");
    return Bodies.requiredString(body, name);
  }
}
