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
  private final Admission admission;

  public BusClient(Vertx vertx, long timeoutMs) {
    this(vertx, timeoutMs, null);
  }

  private BusClient(Vertx vertx, long timeoutMs, Admission admission) {
    HandedOver.register(vertx);
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.admission = admission;
  }

  /**
   * A client whose requests pass through {@code admission} (its timeout counts from when a request
   * is sent); used on the admission's context only.
   */
  public BusClient paced(Admission admission) {
    return new BusClient(vertx, timeoutMs, admission);
  }

  public Future<JsonObject> request(String address, Enum<?> action, JsonObject body) {
    return request(address, action, body, timeoutMs);
  }

  /** With its own timeout, for requests whose work grows with the data (a presence reset). */
  public Future<JsonObject> request(
      String address, Enum<?> action, JsonObject body, long timeoutMs) {
    if (admission != null) {
      return admission.submit(() -> send(address, action, body, timeoutMs));
    }
    return send(address, action, body, timeoutMs);
  }

  private Future<JsonObject> send(String address, Enum<?> action, JsonObject body, long timeoutMs) {
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

  /**
   * {@code PRESENCE_RESET}: takes every agent of the dead nodes offline one by one, which after a
   * crash with thousands of connections takes longer than an ordinary request may.
   */
  public Future<JsonObject> presenceReset(JsonObject body) {
    return request(
        Addresses.SESSION,
        SessionAction.PRESENCE_RESET,
        body,
        Math.max(timeoutMs, PRESENCE_RESET_TIMEOUT_MS));
  }

  static final long PRESENCE_RESET_TIMEOUT_MS = 600_000;
}
