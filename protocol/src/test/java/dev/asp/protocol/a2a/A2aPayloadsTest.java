package dev.asp.protocol.a2a;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.asp.protocol.ContentRules;
import dev.asp.protocol.MessageLimits;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A2A payloads and ASP content")
class A2aPayloadsTest {

  /** Content as it comes back from the log: encoded, stored, decoded. */
  private static Object stored(JsonArray content) {
    return Json.decodeValue(content.encode());
  }

  private static Object roundTrip(Object payload) {
    A2aPayloads.Mapped mapped = A2aPayloads.toAsp(payload);
    ContentRules.validateContent(mapped.content(), MessageLimits.DEFAULTS);
    return A2aPayloads.fromAsp(stored(mapped.content()), mapped.payloadKind());
  }

  @Test
  @DisplayName("a non-empty string becomes one text part")
  void text() {
    A2aPayloads.Mapped mapped = A2aPayloads.toAsp("hello");
    assertEquals(new JsonArray("[{\"type\":\"text\",\"text\":\"hello\"}]"), mapped.content());
    assertEquals(A2aPayloads.KIND_TEXT, mapped.payloadKind());
  }

  @Test
  @DisplayName("an object becomes one data part holding it")
  void object() {
    A2aPayloads.Mapped mapped = A2aPayloads.toAsp(new JsonObject().put("a", 1));
    assertEquals(new JsonArray("[{\"type\":\"data\",\"data\":{\"a\":1}}]"), mapped.content());
    assertEquals(A2aPayloads.KIND_OBJECT, mapped.payloadKind());
  }

  @Test
  @DisplayName("an array, number, boolean or empty string becomes a data part holding {value}")
  void value() {
    for (Object payload : new Object[] {new JsonArray().add(1).add("x"), 42, 1.5, true, ""}) {
      A2aPayloads.Mapped mapped = A2aPayloads.toAsp(payload);
      assertEquals(
          new JsonArray()
              .add(
                  new JsonObject()
                      .put("type", "data")
                      .put("data", new JsonObject().put("value", payload))),
          mapped.content(),
          String.valueOf(payload));
      assertEquals(A2aPayloads.KIND_VALUE, mapped.payloadKind());
      ContentRules.validateContent(mapped.content(), MessageLimits.DEFAULTS);
    }
  }

  @Test
  @DisplayName("null and values that are not JSON are refused before mapping")
  void refused() {
    assertThrows(IllegalArgumentException.class, () -> A2aPayloads.toAsp(null));
    assertThrows(IllegalArgumentException.class, () -> A2aPayloads.toAsp(Instant.EPOCH));
    assertThrows(IllegalArgumentException.class, () -> A2aPayloads.toAsp(new byte[] {1}));
  }

  @Test
  @DisplayName("every payload comes back from the log as the same JSON value")
  void roundTrips() {
    JsonObject nested =
        new JsonObject()
            .put(
                "plan",
                new JsonObject()
                    .put(
                        "steps",
                        new JsonArray().add("a").add(new JsonObject().put("b", new JsonArray()))))
            .put("empty", new JsonObject())
            .put("nothing", (Object) null)
            .put("flags", new JsonArray().add(true).add(false))
            .put(
                "deep",
                new JsonObject()
                    .put("x", new JsonObject().put("y", new JsonObject().put("z", "end"))));
    List<Object> payloads =
        List.of(
            "hello",
            " ",
            "null",
            "Grüße 日本語 \uD83D\uDE80 \"quoted\" back\\slash\nnewline",
            "",
            nested,
            new JsonObject(),
            new JsonObject().put("ünï", "cødé").put("\uD83D\uDE80", 1),
            new JsonArray(),
            new JsonArray()
                .add(1)
                .add("two")
                .add(new JsonObject().put("three", 3))
                .add(new JsonArray().add(4)),
            0,
            -7,
            Integer.MAX_VALUE,
            1L << 40,
            Long.MIN_VALUE,
            1.5,
            -0.25,
            1e300,
            true,
            false);
    for (Object payload : payloads) {
      assertEquals(payload, roundTrip(payload), String.valueOf(payload));
    }
  }

  @Test
  @DisplayName("numbers keep their kind: int, long and double")
  void numberKinds() {
    assertInstanceOf(Integer.class, roundTrip(7));
    assertEquals(1L << 40, assertInstanceOf(Long.class, roundTrip(1L << 40)));
    assertEquals(1.5, assertInstanceOf(Double.class, roundTrip(1.5)));
    assertEquals(2.0, assertInstanceOf(Double.class, roundTrip(2.0)));
    BigInteger big = new BigInteger("123456789012345678901234567890");
    assertEquals(big, roundTrip(big));
    JsonObject inObject =
        (JsonObject) roundTrip(new JsonObject().put("i", 1).put("l", 1L << 40).put("d", 0.5));
    assertInstanceOf(Integer.class, inObject.getValue("i"));
    assertInstanceOf(Long.class, inObject.getValue("l"));
    assertInstanceOf(Double.class, inObject.getValue("d"));
  }

  @Test
  @DisplayName("a string is never confused with the same text as another kind")
  void kindsStayApart() {
    assertEquals("", roundTrip(""));
    assertEquals("42", roundTrip("42"));
    assertEquals(42, roundTrip(42));
    assertEquals("true", roundTrip("true"));
    assertEquals(new JsonObject().put("value", 1), roundTrip(new JsonObject().put("value", 1)));
    assertEquals(new JsonArray().add("x"), roundTrip(new JsonArray().add("x")));
  }

  @Test
  @DisplayName("Map and List inputs map as the objects and arrays they encode")
  void mapsAndLists() {
    assertEquals(A2aPayloads.KIND_OBJECT, A2aPayloads.toAsp(Map.of("a", 1)).payloadKind());
    assertEquals(new JsonObject().put("a", 1), roundTrip(Map.of("a", 1)));
    assertEquals(A2aPayloads.KIND_VALUE, A2aPayloads.toAsp(List.of(1, 2)).payloadKind());
    assertEquals(new JsonArray().add(1).add(2), roundTrip(List.of(1, 2)));
  }

  @Test
  @DisplayName("neither direction shares mutable JSON with its argument")
  void copies() {
    JsonObject payload = new JsonObject().put("a", new JsonObject().put("b", 1));
    A2aPayloads.Mapped mapped = A2aPayloads.toAsp(payload);
    payload.getJsonObject("a").put("b", 2);
    assertEquals(
        1,
        mapped.content().getJsonObject(0).getJsonObject("data").getJsonObject("a").getInteger("b"));

    JsonObject back = (JsonObject) A2aPayloads.fromAsp(mapped.content(), mapped.payloadKind());
    back.getJsonObject("a").put("b", 3);
    assertEquals(
        1,
        mapped.content().getJsonObject(0).getJsonObject("data").getJsonObject("a").getInteger("b"));

    JsonArray list = new JsonArray().add(new JsonArray().add(1));
    A2aPayloads.Mapped wrapped = A2aPayloads.toAsp(list);
    list.getJsonArray(0).add(2);
    assertEquals(
        new JsonArray().add(new JsonArray().add(1)),
        A2aPayloads.fromAsp(wrapped.content(), wrapped.payloadKind()));
  }

  @Test
  @DisplayName("an ASP-originated message unwraps one text or data part, and keeps anything else")
  void aspOriginated() {
    assertEquals("plain", A2aPayloads.fromAsp("plain", null));
    assertEquals(
        "hi", A2aPayloads.fromAsp(new JsonArray("[{\"type\":\"text\",\"text\":\"hi\"}]"), null));
    assertEquals(
        new JsonObject().put("k", "v"),
        A2aPayloads.fromAsp(new JsonArray("[{\"type\":\"data\",\"data\":{\"k\":\"v\"}}]"), null));
    JsonArray two =
        new JsonArray("[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"text\",\"text\":\"b\"}]");
    assertEquals(two, A2aPayloads.fromAsp(two, null));
    JsonArray image = new JsonArray("[{\"type\":\"image\",\"url\":\"https://x.test/a.png\"}]");
    assertEquals(image, A2aPayloads.fromAsp(image, null));
    JsonArray file =
        new JsonArray("[{\"type\":\"file\",\"url\":\"https://x.test/a\",\"name\":\"a\"}]");
    assertEquals(file, A2aPayloads.fromAsp(file, null));
    assertNull(A2aPayloads.fromAsp(null, null));
  }

  @Test
  @DisplayName("a wrapped value read without its kind shows the wrapper, as an ASP client sees it")
  void wrappedWithoutKind() {
    A2aPayloads.Mapped mapped = A2aPayloads.toAsp(42);
    assertEquals(new JsonObject().put("value", 42), A2aPayloads.fromAsp(mapped.content(), null));
  }

  @Test
  @DisplayName("a kind that does not fit its content, or an unknown kind, falls back to unwrapping")
  void mismatchedKind() {
    JsonArray text = new JsonArray("[{\"type\":\"text\",\"text\":\"hi\"}]");
    assertEquals("hi", A2aPayloads.fromAsp(text, A2aPayloads.KIND_OBJECT));
    assertEquals("hi", A2aPayloads.fromAsp(text, A2aPayloads.KIND_VALUE));
    assertEquals("hi", A2aPayloads.fromAsp(text, "something-new"));
    JsonArray data = new JsonArray("[{\"type\":\"data\",\"data\":{\"value\":1,\"other\":2}}]");
    assertEquals(
        new JsonObject().put("value", 1).put("other", 2),
        A2aPayloads.fromAsp(data, A2aPayloads.KIND_VALUE));
    assertEquals(
        new JsonObject().put("k", 1),
        A2aPayloads.fromAsp(
            new JsonArray("[{\"type\":\"data\",\"data\":{\"k\":1}}]"), A2aPayloads.KIND_TEXT));
    assertEquals("plain", A2aPayloads.fromAsp("plain", A2aPayloads.KIND_TEXT));
    List<Object> parts = new ArrayList<>();
    parts.add(Map.of("type", "text", "text", "from a list"));
    assertEquals("from a list", A2aPayloads.fromAsp(parts, A2aPayloads.KIND_TEXT));
  }
}
