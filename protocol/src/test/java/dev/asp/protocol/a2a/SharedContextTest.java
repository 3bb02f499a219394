package dev.asp.protocol.a2a;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("shared_context")
class SharedContextTest {
  private static final int BIG = 51_200;

  /** RFC 7386 Appendix A: original, patch, result. */
  private static final String[][] RFC_7386_EXAMPLES = {
    {"{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
    {"{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}"},
    {"{\"a\":\"b\"}", "{\"a\":null}", "{}"},
    {"{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}"},
    {"{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
    {"{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}"},
    {"{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}"},
    {"{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}"},
    {"[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]"},
    {"{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]"},
    {"{\"a\":\"foo\"}", "null", "null"},
    {"{\"a\":\"foo\"}", "\"bar\"", "\"bar\""},
    {"{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}"},
    {"[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}"},
    {"{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}"},
  };

  private static SharedContext of(String context) {
    return SharedContext.fromJson(new JsonObject().put("context", new JsonObject(context)));
  }

  private static int utf8(Object json) {
    return Json.encode(json).getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  @DisplayName("the merge is RFC 7386's, on every example of its Appendix A")
  void rfc7386() {
    for (String[] example : RFC_7386_EXAMPLES) {
      Object original = Json.decodeValue(example[0]);
      Object patch = Json.decodeValue(example[1]);
      Object result = Json.decodeValue(example[2]);
      assertEquals(result, SharedContext.mergePatch(original, patch), String.join("  ", example));
      assertEquals(Json.decodeValue(example[0]), original, "the target is left alone");
      assertEquals(Json.decodeValue(example[1]), patch, "the patch is left alone");
    }
  }

  @Test
  @DisplayName("merging a context_update applies RFC 7386 to the context when both are objects")
  void rfc7386ThroughMerge() {
    int checked = 0;
    for (String[] example : RFC_7386_EXAMPLES) {
      if (!example[0].startsWith("{") || !example[1].startsWith("{")) {
        continue;
      }
      SharedContext merged = of(example[0]).merge(new JsonObject(example[1]), 5, BIG);
      assertEquals(new JsonObject(example[2]), merged.context(), String.join("  ", example));
      checked++;
    }
    assertEquals(10, checked);
  }

  @Test
  @DisplayName("a value nested one level down follows the RFC too, whatever its type")
  void rfc7386Nested() {
    for (String[] example : RFC_7386_EXAMPLES) {
      JsonObject original = new JsonObject().put("x", Json.decodeValue(example[0]));
      JsonObject patch = new JsonObject().put("x", Json.decodeValue(example[1]));
      Object result = Json.decodeValue(example[2]);
      // A null patch value deletes the member that would have held the RFC's null result.
      JsonObject expected = result == null ? new JsonObject() : new JsonObject().put("x", result);
      // The stored form, since a merge never leaves a null member (the {"e":null} example).
      SharedContext merged = of(original.encode()).merge(patch, 2, BIG);
      assertEquals(expected, merged.context(), String.join("  ", example));
    }
  }

  @Test
  @DisplayName("each top-level key remembers the sequence that last set it; a delete forgets it")
  void lastSet() {
    SharedContext context =
        SharedContext.empty()
            .merge(new JsonObject().put("a", 1).put("b", new JsonObject().put("x", 1)), 3, BIG)
            .merge(new JsonObject().put("b", new JsonObject().put("y", 2)), 7, BIG)
            .merge(new JsonObject().put("c", true).put("a", (Object) null), 9, BIG);
    assertEquals(Map.of("b", 7L, "c", 9L), context.lastSet());
    assertEquals(
        new JsonObject().put("b", new JsonObject().put("x", 1).put("y", 2)).put("c", true),
        context.context());
    assertEquals(List.of(), context.compactedKeys());
  }

  @Test
  @DisplayName("beyond the bound, the keys least recently set are dropped until it fits")
  void compactsOldestFirst() {
    SharedContext context =
        SharedContext.empty()
            .merge(new JsonObject().put("old", "x".repeat(40)), 1, BIG)
            .merge(new JsonObject().put("mid", "y".repeat(40)), 2, BIG)
            .merge(new JsonObject().put("new", "z".repeat(40)), 3, BIG);
    int bound = context.bytes() - 1;
    SharedContext merged = context.merge(new JsonObject().put("newest", "n".repeat(40)), 4, bound);
    assertEquals(List.of("old", "mid"), merged.compactedKeys());
    assertEquals(
        new JsonObject().put("new", "z".repeat(40)).put("newest", "n".repeat(40)),
        merged.context());
    assertEquals(Map.of("new", 3L, "newest", 4L), merged.lastSet());
    assertTrue(merged.bytes() <= bound);
  }

  @Test
  @DisplayName("re-setting a key makes it recent again")
  void resetIsRecent() {
    SharedContext context =
        SharedContext.empty()
            .merge(new JsonObject().put("a", "x".repeat(40)), 1, BIG)
            .merge(new JsonObject().put("b", "y".repeat(40)), 2, BIG)
            .merge(new JsonObject().put("a", "w".repeat(40)), 3, BIG);
    SharedContext merged = context.merge(new JsonObject().put("c", 1), 4, context.bytes());
    assertEquals(List.of("b"), merged.compactedKeys());
    assertEquals(Map.of("a", 3L, "c", 4L), merged.lastSet());
  }

  @Test
  @DisplayName("keys set by the same message are dropped in name order")
  void tiesByName() {
    JsonObject patch = new JsonObject();
    for (String key : List.of("delta", "alpha", "charlie", "bravo")) {
      patch.put(key, "v".repeat(20));
    }
    SharedContext full = SharedContext.empty().merge(patch, 1, BIG);
    JsonObject twoLeft =
        new JsonObject().put("charlie", "v".repeat(20)).put("delta", "v".repeat(20));
    SharedContext merged = SharedContext.empty().merge(patch, 1, utf8(twoLeft));
    assertEquals(List.of("alpha", "bravo"), merged.compactedKeys());
    assertEquals(twoLeft, merged.context());
    assertEquals(utf8(twoLeft), merged.bytes(), "the bound is inclusive: exactly full stays");
    assertEquals(
        full.merge(new JsonObject(), 2, utf8(twoLeft)), merged.merge(new JsonObject(), 2, BIG));
  }

  @Test
  @DisplayName("a patch too large on its own empties the context, older keys first, its own last")
  void oversizedPatch() {
    SharedContext merged =
        SharedContext.empty()
            .merge(new JsonObject().put("kept", 1), 1, 100)
            .merge(
                new JsonObject().put("huge", "h".repeat(500)).put("big", "b".repeat(500)), 2, 100);
    assertEquals(new JsonObject(), merged.context());
    assertEquals(List.of("kept", "big", "huge"), merged.compactedKeys());
    assertEquals(Map.of(), merged.lastSet());

    SharedContext emptied =
        SharedContext.empty()
            .merge(new JsonObject().put("a", "x".repeat(10)), 1, SharedContext.MIN_BYTES);
    assertEquals(new JsonObject(), emptied.context());
    assertEquals(SharedContext.MIN_BYTES, emptied.bytes());
  }

  @Test
  @DisplayName("size is the UTF-8 JSON encoding, so multi-byte text and escapes count in full")
  void bytesAreUtf8() {
    JsonObject context =
        new JsonObject()
            .put("grüße", "日本語 \uD83D\uDE80")
            .put("quote\"d", "back\\slash\n\u0001")
            .put("n", new JsonArray().add(1.5).add(1L << 40).add((Object) null))
            .put("o", new JsonObject().put("é", true));
    SharedContext merged = SharedContext.empty().merge(context, 1, BIG);
    assertEquals(utf8(context), merged.bytes());
    assertNotEquals(Json.encode(context).length(), merged.bytes());
    // Dropping one key lands exactly on the size of what remains.
    JsonObject rest = context.copy();
    rest.remove("grüße");
    SharedContext compacted = merged.merge(new JsonObject(), 1, utf8(rest));
    assertEquals(rest, compacted.context());
    assertEquals(utf8(rest), compacted.bytes());
  }

  @Test
  @DisplayName("compacted_keys keeps the last 100 drops, each key once at its latest drop")
  void compactedKeysBounded() {
    SharedContext context = SharedContext.empty();
    for (int i = 0; i < 150; i++) {
      context = context.merge(new JsonObject().put("key" + i, "x".repeat(30)), i, 50);
    }
    List<String> expected = new ArrayList<>();
    for (int i = 49; i < 149; i++) {
      expected.add("key" + i);
    }
    assertEquals(expected, context.compactedKeys());
    assertEquals(new JsonObject().put("key149", "x".repeat(30)), context.context());

    SharedContext again = context.merge(new JsonObject().put("key60", "y".repeat(30)), 200, 50);
    assertEquals("key149", again.compactedKeys().get(99));
    SharedContext dropped = again.merge(new JsonObject().put("z", "y".repeat(30)), 201, 50);
    List<String> keys = dropped.compactedKeys();
    assertEquals("key60", keys.get(keys.size() - 1));
    assertEquals(1, keys.stream().filter("key60"::equals).count());
    assertEquals(SharedContext.MAX_COMPACTED_KEYS, keys.size());
  }

  @Test
  @DisplayName("the stored form reads back as the same value")
  void storedForm() {
    SharedContext context =
        SharedContext.empty()
            .merge(
                new JsonObject().put("a", "x".repeat(40)).put("b", new JsonObject().put("c", 1)),
                4,
                BIG)
            .merge(new JsonObject().put("d", List.of(1, 2)), 1L << 40, 70);
    JsonObject stored = context.toJson();
    SharedContext back = SharedContext.fromJson(new JsonObject(stored.encode()));
    assertEquals(context, back);
    assertEquals(context.context(), back.context());
    assertEquals(context.lastSet(), back.lastSet());
    assertEquals(context.compactedKeys(), back.compactedKeys());
    assertEquals(stored, back.toJson());
    assertTrue(
        stored.containsKey("context")
            && stored.containsKey("last_set")
            && stored.containsKey("compacted_keys"));
  }

  @Test
  @DisplayName("a missing or damaged stored form reads as an empty or smaller context")
  void damagedStoredForm() {
    assertEquals(SharedContext.empty(), SharedContext.fromJson(null));
    assertEquals(SharedContext.empty(), SharedContext.fromJson(new JsonObject()));
    SharedContext damaged =
        SharedContext.fromJson(
            new JsonObject(
                "{\"context\":{\"a\":1,\"b\":2},\"last_set\":{\"a\":\"x\",\"b\":3,\"gone\":1},"
                    + "\"compacted_keys\":[\"k\",7,null]}"));
    assertEquals(new JsonObject().put("a", 1).put("b", 2), damaged.context());
    assertEquals(Map.of("b", 3L), damaged.lastSet());
    assertEquals(List.of("k"), damaged.compactedKeys());
    // A key with no recorded sequence counts as the oldest.
    SharedContext merged =
        damaged.merge(
            new JsonObject().put("c", 3), 4, utf8(new JsonObject().put("b", 2).put("c", 3)));
    assertEquals(List.of("k", "a"), merged.compactedKeys());
    assertEquals(
        SharedContext.empty(),
        SharedContext.fromJson(
            new JsonObject().put("context", "nope").put("last_set", 1).put("compacted_keys", "k")));
  }

  @Test
  @DisplayName("a merge changes neither the value it starts from nor the patch")
  void immutable() {
    SharedContext before =
        SharedContext.empty()
            .merge(new JsonObject().put("a", new JsonObject().put("b", 1)), 1, BIG);
    JsonObject snapshot = before.toJson();
    JsonObject patch =
        new JsonObject().put("a", new JsonObject().put("b", 2).put("c", (Object) null));
    JsonObject patchSnapshot = patch.copy();
    SharedContext after = before.merge(patch, 2, BIG);
    assertEquals(snapshot, before.toJson());
    assertEquals(patchSnapshot, patch);
    after.context().put("mutated", true);
    patch.getJsonObject("a").put("b", 3);
    assertEquals(new JsonObject().put("a", new JsonObject().put("b", 2)), after.context());
    assertThrows(UnsupportedOperationException.class, () -> after.lastSet().put("x", 1L));
    assertThrows(UnsupportedOperationException.class, () -> after.compactedKeys().add("x"));
  }

  @Test
  @DisplayName("a bound too small for {} and a null patch are programming errors")
  void contracts() {
    assertThrows(
        IllegalArgumentException.class, () -> SharedContext.empty().merge(new JsonObject(), 1, 1));
    assertThrows(NullPointerException.class, () -> SharedContext.empty().merge(null, 1, BIG));
  }
}
