package dev.asp.protocol.bus;

import dev.asp.protocol.AspException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
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
    // This node's own consumer first: in a cluster a plain send picks any node's in turn, so most
    // requests would cross the network although this node serves the address. Without one here
    // (a split-role node, or one draining) the request goes to the cluster's.
    DeliveryOptions here = new DeliveryOptions(options).setLocalOnly(true);
    return vertx
        .eventBus()
        .<JsonObject>request(address, body, here)
        .recover(
            failure ->
                noHandlerHere(failure)
                    ? vertx.eventBus().<JsonObject>request(address, body, options)
                    : Future.failedFuture(failure))
        .map(reply -> reply.body())
        .recover(failure -> Future.failedFuture(AspException.from(failure)));
  }

  private static boolean noHandlerHere(Throwable failure) {
    return failure instanceof ReplyException reply
        && reply.failureType() == ReplyFailure.NO_HANDLERS;
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
