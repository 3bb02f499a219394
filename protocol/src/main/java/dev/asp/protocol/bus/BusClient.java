package dev.asp.protocol.bus;

import dev.asp.protocol.AspException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * Sends contract requests over the event bus with a deliberate timeout and turns every failure into
 * an {@link AspException} carrying one of the closed error codes.
 */
public final class BusClient {
  private final Vertx vertx;
  private final long timeoutMs;

  public BusClient(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
  }

  public Future<JsonObject> request(String address, Enum<?> action, JsonObject body) {
    DeliveryOptions options =
        new DeliveryOptions()
            .setSendTimeout(timeoutMs)
            .addHeader(Addresses.ACTION_HEADER, action.name());
    return vertx
        .eventBus()
        .<JsonObject>request(address, body, options)
        .map(reply -> reply.body())
        .recover(failure -> Future.failedFuture(AspException.from(failure)));
  }

  public Future<JsonObject> trust(TrustAction action, JsonObject body) {
    return request(Addresses.TRUST, action, body);
  }

  public Future<JsonObject> session(SessionAction action, JsonObject body) {
    return request(Addresses.SESSION, action, body);
  }
}
