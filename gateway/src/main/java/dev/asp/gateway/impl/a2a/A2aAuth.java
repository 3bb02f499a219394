package dev.asp.gateway.impl.a2a;

import dev.asp.gateway.impl.TokenCache;
import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.a2a.NodeIds;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * The caller of an {@code /a2a/*} request (hub spec §1): the agent of its {@code Authorization:
 * Bearer <secret>}. A missing Bearer is {@code node_secret_required}, an unknown or revoked one
 * {@code node_secret_invalid}. The secret goes only into the trust lookup; it is never logged.
 */
final class A2aAuth {
  private static final String BEARER = "bearer ";

  private final TokenCache tokens;
  private final String nodeOwner;

  A2aAuth(TokenCache tokens, String nodeOwner) {
    this.tokens = tokens;
    this.nodeOwner = nodeOwner;
  }

  /** The presented secret, or null when there is none. */
  static String bearer(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null
        || header.length() <= BEARER.length()
        || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    String token = header.substring(BEARER.length()).trim();
    return token.isEmpty() || token.length() > 512 ? null : token;
  }

  /** The caller's handle; fails {@code node_secret_required} / {@code node_secret_invalid}. */
  Future<String> required(RoutingContext ctx) {
    String token = bearer(ctx);
    if (token == null) {
      return Future.failedFuture(
          new AspException(A2aError.NODE_SECRET_REQUIRED, "this route needs a node secret"));
    }
    return resolve(ctx, token);
  }

  /** The caller's handle, or null for an anonymous call (an invalid Bearer is ignored). */
  Future<String> optional(RoutingContext ctx) {
    String token = bearer(ctx);
    if (token == null) {
      return Future.succeededFuture(null);
    }
    // an invalid Bearer still counts as a failed authentication of the client's address
    return tokens
        .agent(token, ctx.request().headers(), ctx.request().remoteAddress())
        .recover(
            failure ->
                invalid(failure) ? Future.succeededFuture(null) : Future.failedFuture(failure));
  }

  /** The agent of a presented secret; an unknown one fails {@code node_secret_invalid}. */
  Future<String> resolve(RoutingContext ctx, String token) {
    return tokens
        .agent(token, ctx.request().headers(), ctx.request().remoteAddress())
        .recover(
            failure ->
                Future.failedFuture(
                    invalid(failure)
                        ? new AspException(
                            A2aError.NODE_SECRET_INVALID, "unknown or revoked node secret")
                        : failure));
  }

  /** Another credential check, counted like the Bearer lookups (see {@link TokenCache#guard}). */
  <T> Future<T> guard(RoutingContext ctx, java.util.function.Supplier<Future<T>> check) {
    return tokens.guard(ctx.request().headers(), ctx.request().remoteAddress(), check);
  }

  static boolean invalid(Throwable failure) {
    return AspException.from(failure).code() == ErrorCode.UNAUTHENTICATED;
  }

  /** A node id or handle as a handle; null when it is neither. */
  String handleOf(String nodeId) {
    return nodeId == null ? null : NodeIds.handleOf(nodeId, nodeOwner);
  }

  /**
   * A body field naming the caller must name it (§1): absent is the caller; another node is {@code
   * sender_mismatch}.
   */
  void requireCaller(String field, String given, String caller) {
    if (given == null) {
      return;
    }
    if (!caller.equals(handleOf(given))) {
      throw new AspException(
          A2aError.SENDER_MISMATCH, field + " must name the node of the Bearer secret");
    }
  }

  String wire(String handle) {
    return NodeIds.wireId(handle, nodeOwner);
  }

  /**
   * The caller of a pull route (poll, stream): authenticated, named by {@code given} if given, and
   * counted against {@code limit} (polls and stream openings share it); over it, the §4 429.
   */
  Future<String> puller(
      RoutingContext ctx,
      String given,
      dev.asp.gateway.limits.RateLimiter limiter,
      dev.asp.gateway.limits.Limit limit) {
    return required(ctx)
        .compose(
            caller -> {
              requireCaller(dev.asp.protocol.a2a.A2aFields.NODE_ID, given, caller);
              return limiter
                  .tryConsume(limit, caller)
                  .compose(
                      decision ->
                          decision.allowed()
                              ? Future.succeededFuture(caller)
                              : Future.failedFuture(
                                  A2aReplies.limited(A2aError.RATE_LIMITED, limit, decision)));
            });
  }
}
