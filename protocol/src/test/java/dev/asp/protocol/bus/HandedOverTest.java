package dev.asp.protocol.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Handed-over replies: no copy inside a JVM, the JSON codec's bytes between nodes")
class HandedOverTest {
  private enum Action {
    HANDED,
    COPIED
  }

  private static Vertx vertx;
  private static BusClient bus;
  private static final AtomicReference<JsonObject> sent = new AtomicReference<>();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    bus = new BusClient(vertx, 5_000);
    Function<JsonObject, Future<JsonObject>> reply =
        body -> {
          JsonObject built =
              new JsonObject().put("events", new JsonArray().add(new JsonObject().put("n", 1)));
          sent.set(built);
          return Future.succeededFuture(built);
        };
    ActionDispatcher<Action> dispatcher =
        new ActionDispatcher<>(Action.class, Function.identity())
            .onHandedOver(Action.HANDED, reply)
            .on(Action.COPIED, reply);
    vertx.eventBus().<JsonObject>consumer("test.handed", dispatcher::handle);
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  @DisplayName("a handed-over reply reaches a local requester as the object itself; others a copy")
  void localReplyIsNotCopied() {
    JsonObject handed = bus.request("test.handed", Action.HANDED, new JsonObject()).await();
    assertSame(sent.get(), handed);
    JsonObject copied = bus.request("test.handed", Action.COPIED, new JsonObject()).await();
    assertNotSame(sent.get(), copied);
    assertEquals(sent.get(), copied);
  }

  @Test
  @DisplayName("its wire form decodes to an equal object, at any offset of the buffer")
  void wireRoundTrip() {
    HandedOver codec = codec();
    JsonObject body = new JsonObject().put("a", "ü\u2028").put("n", 12).putNull("x");
    Buffer buffer = Buffer.buffer().appendString("prefix");
    codec.encodeToWire(buffer, body);
    buffer.appendString("suffix");
    assertEquals(body, codec.decodeFromWire(6, buffer));
  }

  @Test
  @DisplayName("registering twice on one Vert.x is harmless")
  void registersOnce() {
    HandedOver.register(vertx);
    HandedOver.register(vertx);
  }

  private static HandedOver codec() {
    return new HandedOver();
  }
}
