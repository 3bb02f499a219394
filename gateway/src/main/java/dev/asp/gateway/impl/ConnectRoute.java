package dev.asp.gateway.impl;

import dev.asp.protocol.DeliveryHub;
import dev.asp.protocol.ErrorCode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code WS /connect}: authenticates the bearer on the upgrade request and only then upgrades, so a
 * bad token is a 401 before any upgrade (spec §6) — with the ASP error body like every other
 * refusal (429 with {@code Retry-After} when the address is throttled, 503 when delivery is down),
 * which is why the upgrade is taken from the router ({@code request.pause()}, authenticate, then
 * {@code toWebSocket()}) and not from the server's handshake handler, whose refusal can carry a
 * status only. The socket goes to this node's delivery, which owns the raw WebSocket (and can drop
 * the connection of a peer that stopped reading).
 */
public final class ConnectRoute {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectRoute.class);
  static final String PATH = "/connect";
  private static final String BEARER = "bearer ";

  private final Vertx vertx;
  private final TokenCache tokens;
  private final HttpConnections connections;

  public ConnectRoute(Vertx vertx, TokenCache tokens, HttpConnections connections) {
    this.vertx = vertx;
    this.tokens = tokens;
    this.connections = connections;
  }

  /** Mounts {@code GET /connect}: an upgrade is authenticated, then accepted; else an error. */
  public void mount(Router router) {
    router.get(PATH).handler(this::connect);
  }

  private void connect(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (!"websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))) {
      ErrorResponses.write(ctx, ErrorCode.INVALID_REQUEST, "WS /connect needs a WebSocket upgrade");
      return;
    }
    String token = bearer(request.getHeader(HttpHeaders.AUTHORIZATION));
    if (token == null) {
      ErrorResponses.write(ctx, ErrorCode.UNAUTHENTICATED, "a Bearer token is required");
      return;
    }
    // nothing of the connection is read until it is decided: the upgrade needs it untouched
    request.pause();
    tokens
        .connecting(token, request.headers(), request.remoteAddress())
        .onComplete(
            agent -> {
              if (agent.failed()) {
                // refused: the request reads on, so its end is handled and a request after it
                // on the same connection is served
                request.resume();
                ErrorResponses.send(ctx, agent.cause());
                return;
              }
              DeliveryHub hub = DeliveryHub.of(vertx);
              if (hub == null) {
                request.resume();
                ErrorResponses.write(ctx, ErrorCode.UNAVAILABLE, "delivery is not running");
                return;
              }
              boolean extensions = extensions(request.query());
              request
                  .toWebSocket()
                  .onSuccess(
                      socket -> {
                        connections.upgraded(request, socket);
                        hub.attach(agent.result(), socket, extensions);
                      })
                  .onFailure(
                      failure ->
                          LOG.debug(
                              "upgrade for {} failed: {}", agent.result(), failure.toString()));
            });
  }

  /** {@code ?extensions=a2a} (a comma list, or repeated): this connection gets {@code a2a.*}. */
  private static boolean extensions(String query) {
    if (query == null) {
      return false;
    }
    java.util.List<String> values = new java.util.ArrayList<>();
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(SessionRequests.EXTENSIONS)) {
        values.add(
            java.net.URLDecoder.decode(
                pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    return wantsExtensions(values);
  }

  /** Whether the values of {@code extensions} name {@code a2a}; other names are ignored. */
  static boolean wantsExtensions(java.util.List<String> values) {
    for (String value : values) {
      for (String name : value.split(",")) {
        if (name.trim().equals("a2a")) {
          return true;
        }
      }
    }
    return false;
  }

  private static String bearer(String header) {
    if (header == null
        || header.length() <= BEARER.length()
        || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    String token = header.substring(BEARER.length()).trim();
    return token.isEmpty() ? null : token;
  }
}
