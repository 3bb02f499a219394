package dev.asp.protocol.a2a;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A session's {@code shared_context} (hub spec §6.6): the RFC 7386 JSON merge, in sequence order,
 * of the object payloads of its broadcast {@code context_update} messages, bounded in size.
 *
 * <p>Besides the merged {@link #context()}, it remembers for each top-level key the sequence of the
 * message that last set it ({@link #lastSet()}), because the bound drops the keys least recently
 * set first; and the keys it dropped ({@link #compactedKeys()}, the last {@value
 * #MAX_COMPACTED_KEYS}). Nothing is summarised: the messages themselves stay in the log.
 *
 * <p>Immutable: {@link #merge} returns a new value, and accessors return copies or unmodifiable
 * views. {@link #toJson()} and {@link #fromJson} are the stored form (one JSON document per
 * session).
 */
public final class SharedContext {
  /** How many dropped keys {@link #compactedKeys()} keeps, the most recent last. */
  public static final int MAX_COMPACTED_KEYS = 100;

  /** The smallest usable bound: the encoding of an empty object, {@code {}}. */
  public static final int MIN_BYTES = 2;

  static final String CONTEXT = "context";
  static final String LAST_SET = "last_set";
  static final String COMPACTED_KEYS = "compacted_keys";

  private static final SharedContext EMPTY =
      new SharedContext(new JsonObject(), Map.of(), List.of());

  private final JsonObject context;
  private final Map<String, Long> lastSet;
  private final List<String> compactedKeys;

  /**
   * A value from its parts, copied. {@code lastSet} entries for keys absent from {@code context}
   * are ignored, a key of {@code context} without one counts as set before every other, and only
   * the last {@value #MAX_COMPACTED_KEYS} compacted keys are kept.
   */
  public SharedContext(JsonObject context, Map<String, Long> lastSet, List<String> compactedKeys) {
    this.context = Objects.requireNonNull(context, "context").copy();
    Objects.requireNonNull(lastSet, "lastSet");
    Map<String, Long> set = new LinkedHashMap<>();
    for (String key : this.context.fieldNames()) {
      Long sequence = lastSet.get(key);
      if (sequence != null) {
        set.put(key, sequence);
      }
    }
    this.lastSet = Collections.unmodifiableMap(set);
    int from = Math.max(0, compactedKeys.size() - MAX_COMPACTED_KEYS);
    this.compactedKeys = List.copyOf(compactedKeys.subList(from, compactedKeys.size()));
  }

  public static SharedContext empty() {
    return EMPTY;
  }

  /** The merged context (a copy). */
  public JsonObject context() {
    return context.copy();
  }

  /** Top-level key → the sequence of the message that last set it. */
  public Map<String, Long> lastSet() {
    return lastSet;
  }

  /** The top-level keys the bound dropped, oldest first, each listed once at its latest drop. */
  public List<String> compactedKeys() {
    return compactedKeys;
  }

  /** The size of {@link #context()} as UTF-8 JSON, the unit of the bound. */
  public int bytes() {
    return utf8Bytes(context);
  }

  /**
   * Merges one broadcast {@code context_update} object payload, then enforces the bound.
   *
   * <p>The patch is applied as RFC 7386 ({@link #mergePatch}): a {@code null} member deletes, an
   * object member merges recursively, anything else replaces. Every top-level key the patch sets
   * (not deletes) is recorded as set at {@code sequence}. Then, while the context's UTF-8 JSON
   * encoding exceeds {@code maxBytes}, the top-level key least recently set is dropped (ties: by
   * key name, in {@link String#compareTo} order) and appended to {@link #compactedKeys()}. A patch
   * too large on its own thus loses its own keys too, until the context fits.
   *
   * @param patch the message's object payload; not modified
   * @param sequence the message's sequence in the session log
   * @param maxBytes the bound ({@code ASP_A2A_SHARED_CONTEXT_BYTES}), at least {@value #MIN_BYTES}
   * @throws IllegalArgumentException when {@code maxBytes} is below {@value #MIN_BYTES}
   * @throws NullPointerException when {@code patch} is {@code null}
   */
  public SharedContext merge(JsonObject patch, long sequence, int maxBytes) {
    Objects.requireNonNull(patch, "patch");
    if (maxBytes < MIN_BYTES) {
      throw new IllegalArgumentException("the shared_context bound must be at least " + MIN_BYTES);
    }
    JsonObject next = context.copy();
    applyInPlace(next, patch);
    Map<String, Long> set = new HashMap<>(lastSet);
    for (Map.Entry<String, Object> member : patch) {
      if (member.getValue() == null) {
        set.remove(member.getKey());
      } else {
        set.put(member.getKey(), sequence);
      }
    }
    List<String> compacted = new ArrayList<>(compactedKeys);
    compact(next, set, compacted, maxBytes);
    return new SharedContext(next, set, compacted);
  }

  /**
   * RFC 7386 {@code MergePatch(Target, Patch)} over Vert.x JSON values: a non-object patch replaces
   * the target; an object patch turns a non-object target into {@code {}}, deletes the members it
   * sets to {@code null} and merges every other member recursively. Neither argument is modified
   * and the result shares nothing with them.
   */
  public static Object mergePatch(Object target, Object patch) {
    if (!(patch instanceof JsonObject patchObject)) {
      return copyOf(patch);
    }
    JsonObject result = target instanceof JsonObject object ? object.copy() : new JsonObject();
    applyInPlace(result, patchObject);
    return result;
  }

  /**
   * Applies an object patch to a target this class owns, copying whatever it takes from the patch.
   */
  private static void applyInPlace(JsonObject target, JsonObject patch) {
    for (Map.Entry<String, Object> member : patch) {
      String key = member.getKey();
      Object value = member.getValue();
      if (value == null) {
        target.remove(key);
      } else if (value instanceof JsonObject nested) {
        JsonObject into =
            target.getValue(key) instanceof JsonObject existing ? existing : new JsonObject();
        applyInPlace(into, nested);
        target.put(key, into);
      } else {
        target.put(key, copyOf(value));
      }
    }
  }

  /**
   * Drops top-level keys, least recently set first, until {@code context} fits. The size is kept by
   * subtracting each dropped member's encoding (one encoding of each, not one of the whole context
   * per drop), and confirmed by a full encoding before stopping.
   */
  private static void compact(
      JsonObject context, Map<String, Long> set, List<String> compacted, int maxBytes) {
    int total = utf8Bytes(context);
    if (total <= maxBytes) {
      return;
    }
    List<String> order = new ArrayList<>(context.fieldNames());
    order.sort(
        Comparator.<String>comparingLong(key -> set.getOrDefault(key, Long.MIN_VALUE))
            .thenComparing(Comparator.naturalOrder()));
    for (String key : order) {
      if (total <= maxBytes) {
        break;
      }
      // A member is "key":value, and one comma separates it from a neighbour, if any remains.
      int member = utf8Bytes(key) + 1 + utf8Bytes(context.getValue(key));
      context.remove(key);
      total -= member + (context.isEmpty() ? 0 : 1);
      set.remove(key);
      compacted.remove(key);
      compacted.add(key);
      if (total <= maxBytes) {
        total = utf8Bytes(context);
      }
    }
  }

  /** The stored form: {@code {context, last_set: {key: sequence}, compacted_keys: [key]}}. */
  public JsonObject toJson() {
    JsonObject set = new JsonObject();
    lastSet.forEach(set::put);
    return new JsonObject()
        .put(CONTEXT, context.copy())
        .put(LAST_SET, set)
        .put(COMPACTED_KEYS, new JsonArray(new ArrayList<>(compactedKeys)));
  }

  /**
   * Reads the stored form back. {@code null}, and any member of the wrong type, reads as empty, so
   * an old or damaged row degrades to a smaller context instead of failing the session's commands.
   */
  public static SharedContext fromJson(JsonObject stored) {
    if (stored == null) {
      return EMPTY;
    }
    JsonObject context =
        stored.getValue(CONTEXT) instanceof JsonObject object ? object : new JsonObject();
    Map<String, Long> set = new HashMap<>();
    if (stored.getValue(LAST_SET) instanceof JsonObject object) {
      for (Map.Entry<String, Object> member : object) {
        if (member.getValue() instanceof Number sequence) {
          set.put(member.getKey(), sequence.longValue());
        }
      }
    }
    List<String> compacted = new ArrayList<>();
    if (stored.getValue(COMPACTED_KEYS) instanceof JsonArray array) {
      for (Object key : array) {
        if (key instanceof String name) {
          compacted.add(name);
        }
      }
    }
    return new SharedContext(context, set, compacted);
  }

  private static int utf8Bytes(Object json) {
    return Json.encode(json).getBytes(StandardCharsets.UTF_8).length;
  }

  private static Object copyOf(Object json) {
    if (json instanceof JsonObject object) {
      return object.copy();
    }
    if (json instanceof JsonArray array) {
      return array.copy();
    }
    return json;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SharedContext that
        && context.equals(that.context)
        && lastSet.equals(that.lastSet)
        && compactedKeys.equals(that.compactedKeys);
  }

  @Override
  public int hashCode() {
    return Objects.hash(context, lastSet, compactedKeys);
  }

  @Override
  public String toString() {
    return "SharedContext" + toJson().encode();
  }
}
