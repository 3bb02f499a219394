package dev.asp.gateway.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.DeliveryHub;
import dev.asp.protocol.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code WS /connect}: authenticates the bearer on the upgrade request and only then accepts it, so
 * a bad token is a plain 401 before any upgrade (spec §6), and hands the socket to this node's
 * delivery. Handled on the HTTP server itself rather than the router, so delivery owns the raw
 * WebSocket (and can drop the connection of a peer that stopped reading).
 */
public final class ConnectRoute {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectRoute.class);
  private static final String PATH = "/connect";
  private static final String BEARER = "bearer ";

  private final Vertx vertx;
  private final TokenCache tokens;
  private final HttpConnections connections;

  public ConnectRoute(Vertx vertx, TokenCache tokens, HttpConnections connections) {
    this.vertx = vertx;
    this.tokens = tokens;
    this.connections = connections;
  }

  public HttpServer mount(HttpServer server) {
    return server
        .webSocketHandshakeHandler(
            handshake -> {
              // in flight (not idle) while the token is checked; a WebSocket once accepted
              connections.upgrading(handshake);
              handshake(handshake)
                  .onComplete(
                      accepted ->
                          connections.upgraded(
                              handshake, accepted.succeeded() ? accepted.result() : null));
            })
        .webSocketHandler(socket -> {});
  }

  /** Accepts or rejects the upgrade; the socket once accepted, null when rejected. */
  private Future<ServerWebSocket> handshake(ServerWebSocketHandshake handshake) {
    if (!PATH.equals(handshake.path())) {
      return handshake.reject(ErrorCode.NOT_FOUND.httpStatus()).map((ServerWebSocket) null);
    }
    String token = bearer(handshake.headers().get(HttpHeaders.AUTHORIZATION));
    if (token == null) {
      return handshake.reject(ErrorCode.UNAUTHENTICATED.httpStatus()).map((ServerWebSocket) null);
    }
    return tokens
        .agent(token, handshake.headers(), handshake.remoteAddress())
        .transform(
            agent ->
                agent.succeeded()
                    ? accept(handshake, agent.result())
                    : handshake
                        .reject(AspException.from(agent.cause()).code().httpStatus())
                        .map((ServerWebSocket) null));
  }

  /** {@code ?extensions=a2a} (a comma list, or repeated): this connection gets {@code a2a.*}. */
  private static boolean extensions(ServerWebSocketHandshake handshake) {
    String query = handshake.query();
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

  private Future<ServerWebSocket> accept(ServerWebSocketHandshake handshake, String agent) {
    DeliveryHub hub = DeliveryHub.of(vertx);
    if (hub == null) {
      return handshake.reject(ErrorCode.UNAVAILABLE.httpStatus()).map((ServerWebSocket) null);
    }
    return handshake
        .accept()
        .onSuccess(socket -> hub.attach(agent, socket, extensions(handshake)))
        .onFailure(failure -> LOG.debug("upgrade for {} failed: {}", agent, failure.toString()));
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
