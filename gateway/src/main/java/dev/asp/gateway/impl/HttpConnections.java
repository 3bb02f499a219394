package dev.asp.gateway.impl;

import dev.asp.gateway.HttpLimits;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The HTTP connections of one gateway verticle instance, held to {@link HttpLimits}. Vert.x's own
 * {@code HttpServerOptions} idle timeout cannot be used: it counts silence on the wire, so it would
 * cut a long-poll or an SSE stream waiting for events, and WebSockets too. Here a connection is
 * idle only while no request is in flight, and WebSockets are left out once upgraded.
 *
 * <p>Used from the instance's event loop only (the server's handlers run there). One periodic sweep
 * closes what overstayed, so a connection is closed between its timeout and a quarter of it later;
 * a timer per connection would cost more on every request.
 */
public final class HttpConnections {
  private static final class Tracked {
    final HttpConnection connection;
    long since = System.nanoTime();
    boolean requested;
    int inFlight;
    ServerWebSocket webSocket;
    boolean closing;

    Tracked(HttpConnection connection) {
      this.connection = connection;
    }
  }

  private final HttpLimits limits;
  private final String keepAlive;
  // keyed by the connection's two addresses: the handshake of WS /connect has no connection object
  private final Map<String, Tracked> connections = new HashMap<>();
  private long timer = -1;

  public HttpConnections(HttpLimits limits) {
    this.limits = limits;
    // told to clients (Vert.x's and others honour it) as half our own timeout, so that a client
    // drops a pooled connection well before we do (its pool sweeps about once a second) instead of
    // sending a request on it as we close it
    this.keepAlive = "timeout=" + Math.max(1, limits.idleTimeoutMs() / 2000);
  }

  /** Starts the sweep; call once from the verticle's start. */
  public void start(Vertx vertx) {
    long period = Math.max(10, Math.min(limits.idleTimeoutMs(), limits.headerTimeoutMs()) / 4);
    timer = vertx.setPeriodic(period, id -> sweep());
  }

  public void stop(Vertx vertx) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** Connection handler: counts the connection against the node's cap, or closes it at once. */
  public void opened(HttpConnection connection) {
    if (!limits.tryOpen()) {
      connection.close();
      return;
    }
    String key = key(connection.remoteAddress(), connection.localAddress());
    connections.put(key, new Tracked(connection));
    connection.closeHandler(v -> forget(key));
  }

  /** Uncounts a connection once, whichever of its close signals comes first. */
  private void forget(String key) {
    if (connections.remove(key) != null) {
      limits.closed();
    }
  }

  /** First route handler: the request is in flight until its response is done. */
  public void request(RoutingContext ctx) {
    HttpConnection connection = ctx.request().connection();
    Tracked tracked = connections.get(key(connection.remoteAddress(), connection.localAddress()));
    if (tracked != null) {
      tracked.requested = true;
      tracked.inFlight++;
      ctx.response().putHeader(HttpHeaders.KEEP_ALIVE, keepAlive);
      ctx.addEndHandler(
          done -> {
            tracked.inFlight--;
            tracked.since = System.nanoTime();
          });
    }
    ctx.next();
  }

  /**
   * The request was upgraded: the connection is a WebSocket from now on, left to delivery's pings
   * (its request counted as in flight from the first route until then).
   */
  public void upgraded(HttpServerRequest request, ServerWebSocket socket) {
    HttpConnection connection = request.connection();
    Tracked tracked = connections.get(key(connection.remoteAddress(), connection.localAddress()));
    if (tracked != null) {
      tracked.since = System.nanoTime();
      tracked.webSocket = socket;
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    List<Tracked> expired = new ArrayList<>();
    List<String> gone = new ArrayList<>();
    for (Map.Entry<String, Tracked> entry : connections.entrySet()) {
      Tracked tracked = entry.getValue();
      if (tracked.webSocket != null) {
        // an upgraded connection no longer reports its close to the connection's handler, and
        // delivery owns the socket's handlers: its end is seen here
        if (tracked.webSocket.isClosed()) {
          gone.add(entry.getKey());
        }
        continue;
      }
      if (tracked.inFlight > 0 || tracked.closing) {
        continue;
      }
      long limitMs = tracked.requested ? limits.idleTimeoutMs() : limits.headerTimeoutMs();
      if (now - tracked.since >= limitMs * 1_000_000) {
        expired.add(tracked);
      }
    }
    gone.forEach(this::forget);
    for (Tracked tracked : expired) {
      tracked.closing = true;
      if (!tracked.requested) {
        limits.headerTimedOut();
      }
      tracked.connection.close();
    }
  }

  private static String key(SocketAddress remote, SocketAddress local) {
    return remote + "|" + local;
  }
}
