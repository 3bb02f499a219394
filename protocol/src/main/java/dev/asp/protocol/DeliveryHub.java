package dev.asp.protocol;

import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

/**
 * The node-local door into delivery: the gateway authenticates a {@code WS /connect} upgrade and
 * hands the socket over here. A WebSocket cannot travel over the event bus, so this is the one
 * in-process seam between verticles; it exists only on nodes that run delivery.
 */
public interface DeliveryHub extends Shareable {
  String LOCAL_MAP = "asp.delivery";
  String KEY = "hub";

  /** Takes ownership of an authenticated agent's WebSocket. Callable from any thread. */
  default void attach(String agent, ServerWebSocket socket) {
    attach(agent, socket, false);
  }

  /**
   * Takes ownership of an authenticated agent's WebSocket; with {@code extensions} it also receives
   * the extension events ({@code a2a.*}, hub spec §2.3) — the opt-in is per connection.
   */
  void attach(String agent, ServerWebSocket socket, boolean extensions);

  /** The hub of this Vert.x instance, or {@code null} if no delivery verticle runs here. */
  static DeliveryHub of(Vertx vertx) {
    LocalMap<String, DeliveryHub> map = vertx.sharedData().getLocalMap(LOCAL_MAP);
    return map.get(KEY);
  }
}
