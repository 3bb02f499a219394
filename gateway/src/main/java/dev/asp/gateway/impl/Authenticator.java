package dev.asp.gateway.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.TrustAction;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Resolves {@code Authorization: Bearer <token>} through the trust verticle. The token itself goes
 * only into the event-bus request; it is never logged or echoed. An {@code X-ASP-Agent} header from
 * older clients is ignored: the token alone identifies the agent.
 */
final class Authenticator {
  private static final String CALLER_KEY = "asp.caller";
  private static final String PRINCIPAL_KEY = "asp.principal";
  private static final String BEARER = "bearer ";

  private final BusClient bus;
  private final TokenCache tokens;

  Authenticator(BusClient bus, TokenCache tokens) {
    this.bus = bus;
    this.tokens = tokens;
  }

  /** Route handler: continues with the caller's handle in the context, or 401. */
  void agent(RoutingContext ctx) {
    String token = bearer(ctx);
    tokens
        .agent(token, ctx.request().headers(), ctx.request().remoteAddress())
        .onSuccess(
            handle -> {
              ctx.put(CALLER_KEY, handle);
              ctx.next();
            })
        .onFailure(ctx::fail);
  }

  /** Route handler: continues with an admin or owner principal in the context, or 401. */
  void admin(RoutingContext ctx) {
    String token = bearer(ctx);
    tokens
        .guard(
            ctx.request().headers(),
            ctx.request().remoteAddress(),
            () ->
                bus.trust(
                    TrustAction.AUTHENTICATE_ADMIN, new JsonObject().put(BusFields.TOKEN, token)))
        .onSuccess(
            principal -> {
              ctx.put(PRINCIPAL_KEY, principal);
              ctx.next();
            })
        .onFailure(ctx::fail);
  }

  static String caller(RoutingContext ctx) {
    return ctx.get(CALLER_KEY);
  }

  static JsonObject principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL_KEY);
  }

  private static String bearer(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null
        || header.length() <= BEARER.length()
        || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      throw new AspException(ErrorCode.UNAUTHENTICATED, "missing bearer token");
    }
    String token = header.substring(BEARER.length()).trim();
    if (token.isEmpty()) {
      throw new AspException(ErrorCode.UNAUTHENTICATED, "missing bearer token");
    }
    return token;
  }
}
