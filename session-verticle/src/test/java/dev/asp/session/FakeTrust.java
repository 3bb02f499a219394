package dev.asp.session;

import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.TrustAction;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands in for the trust verticle on {@link Addresses#TRUST}: answers REACHABLE from an in-test
 * table of known agents and mutually allowed pairs, and can play "down" (fails unavailable).
 */
final class FakeTrust {
  private final Set<String> known = ConcurrentHashMap.newKeySet();
  private final Set<String> pairs = ConcurrentHashMap.newKeySet();
  private final List<JsonObject> requests = new CopyOnWriteArrayList<>();
  private volatile boolean down;

  FakeTrust(Vertx vertx) {
    vertx.eventBus().<JsonObject>consumer(Addresses.TRUST, this::handle).completion().await();
  }

  void register(String handle) {
    known.add(handle);
  }

  /** Lets the two agents reach each other (trust is symmetric). */
  void allow(String a, String b) {
    pairs.add(a + " " + b);
    pairs.add(b + " " + a);
  }

  /** Every pair of the given agents may communicate. */
  void allowAll(String... handles) {
    for (String a : handles) {
      for (String b : handles) {
        allow(a, b);
      }
    }
  }

  void deny(String a, String b) {
    pairs.remove(a + " " + b);
    pairs.remove(b + " " + a);
  }

  void down(boolean down) {
    this.down = down;
  }

  /** The REACHABLE requests seen so far. */
  List<JsonObject> requests() {
    return List.copyOf(requests);
  }

  private void handle(Message<JsonObject> message) {
    if (!TrustAction.REACHABLE.name().equals(message.headers().get(Addresses.ACTION_HEADER))) {
      message.fail(ErrorCode.INVALID_REQUEST.busCode(), "fake trust answers REACHABLE only");
      return;
    }
    if (down) {
      message.fail(ErrorCode.UNAVAILABLE.busCode(), "trust is down");
      return;
    }
    requests.add(message.body());
    String from = message.body().getString(BusFields.FROM);
    JsonArray reachable = new JsonArray();
    for (Object to : message.body().getJsonArray(BusFields.TO)) {
      if (known.contains((String) to) && pairs.contains(from + " " + to)) {
        reachable.add(to);
      }
    }
    message.reply(new JsonObject().put(BusFields.REACHABLE, reachable));
  }
}
