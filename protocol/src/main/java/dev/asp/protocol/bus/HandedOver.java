package dev.asp.protocol.bus;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * The codec of a reply its sender hands over: built for this one message and never touched by the
 * sender again, so a receiver in the same JVM gets the object itself instead of the deep copy the
 * event bus makes of every local {@link JsonObject} (which, for a batch of events, costs as much as
 * encoding it). Between nodes it travels as the JSON codec's bytes would. Every node registers it
 * (the {@link BusClient} does), since a receiver decodes by the codec's name.
 */
public final class HandedOver implements MessageCodec<JsonObject, JsonObject> {
  static final String NAME = "asp-handed-over";

  /** The delivery options of a handed-over reply. */
  static final DeliveryOptions OPTIONS = new DeliveryOptions().setCodecName(NAME);

  HandedOver() {}

  /** Registers the codec with {@code vertx}'s event bus, once; later calls do nothing. */
  public static void register(Vertx vertx) {
    register(vertx.eventBus());
  }

  /** Registers the codec with {@code bus}, once; later calls do nothing. */
  public static void register(EventBus bus) {
    try {
      bus.registerCodec(new HandedOver());
    } catch (IllegalStateException alreadyRegistered) {
      // registered by another verticle or client of this Vert.x instance
    }
  }

  /**
   * Options that hand a message over: for a body built for this one send or publish and never
   * touched again by anyone, sender or receivers (a published body reaches every local consumer as
   * the same object, so they must only read it).
   */
  public static DeliveryOptions options() {
    return new DeliveryOptions().setCodecName(NAME);
  }

  @Override
  public void encodeToWire(Buffer buffer, JsonObject body) {
    Buffer encoded = body.toBuffer();
    buffer.appendInt(encoded.length());
    buffer.appendBuffer(encoded);
  }

  @Override
  public JsonObject decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    int start = pos + 4;
    return new JsonObject(buffer.slice(start, start + length));
  }

  @Override
  public JsonObject transform(JsonObject body) {
    return body;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
