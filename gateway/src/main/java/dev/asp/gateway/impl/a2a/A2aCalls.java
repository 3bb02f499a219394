package dev.asp.gateway.impl.a2a;

import dev.asp.protocol.a2a.A2aAction;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * What most {@code /a2a/*} routes do once their input is checked: authenticate the Bearer, require
 * the field naming the caller (if given) to be the caller, ask the A2A verticle, and answer its
 * reply or its failure.
 */
final class A2aCalls {
  private final BusClient bus;
  private final A2aAuth auth;

  A2aCalls(BusClient bus, A2aAuth auth) {
    this.bus = bus;
    this.auth = auth;
  }

  /**
   * @param field the request field that named the caller, for the error's wording
   * @param sender its value, or null when absent (the Bearer alone names the caller)
   */
  void call(RoutingContext ctx, A2aAction action, String field, String sender, JsonObject command) {
    auth.required(ctx)
        .compose(
            caller -> {
              auth.requireCaller(field, sender, caller);
              return bus.request(Addresses.A2A, action, command.put(BusFields.CALLER, caller));
            })
        .onSuccess(reply -> A2aReplies.ok(ctx, reply))
        .onFailure(ctx::fail);
  }
}
