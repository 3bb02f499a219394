package dev.asp.protocol.a2a;

import dev.asp.protocol.Fields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * The mapping between an A2A message payload (any JSON value but {@code null}) and ASP message
 * content (a non-empty string or an array of typed parts), hub spec §2.3, in both directions.
 *
 * <p>ASP data parts must hold objects, so a payload that is neither a non-empty string nor an
 * object is wrapped as {@code {value: v}}; the wrapping is recorded as {@code payload_kind} in the
 * message's {@code metadata.a2a}, and {@link #fromAsp} needs it back to undo the mapping exactly. A
 * message an ASP client wrote has no payload kind: its content is unwrapped as far as it can be
 * without losing anything.
 *
 * <p>Both directions copy: a result never shares a mutable JSON node with the argument, so a caller
 * may store or mutate either freely.
 */
public final class A2aPayloads {
  /** {@code payload_kind} of a non-empty string payload: one text part. */
  public static final String KIND_TEXT = "text";

  /** {@code payload_kind} of an object payload: one data part holding the object. */
  public static final String KIND_OBJECT = "object";

  /** {@code payload_kind} of any other payload: one data part holding {@code {value: v}}. */
  public static final String KIND_VALUE = "value";

  /** The member of a {@link #KIND_VALUE} data part that holds the payload. */
  public static final String VALUE = "value";

  private static final String PART_TEXT = "text";
  private static final String PART_DATA = "data";

  private A2aPayloads() {}

  /**
   * An A2A payload as ASP content.
   *
   * @param content the parts array, always exactly one part, valid under {@code ContentRules}
   * @param payloadKind {@link #KIND_TEXT}, {@link #KIND_OBJECT} or {@link #KIND_VALUE}
   */
  public record Mapped(JsonArray content, String payloadKind) {}

  /**
   * Maps an A2A payload to ASP content: a non-empty string → {@code [{type:text, text}]}; an object
   * → {@code [{type:data, data}]}; an array, number, boolean or {@code ""} → {@code [{type:data,
   * data:{value}}]}.
   *
   * @throws IllegalArgumentException when {@code value} is {@code null} (the A2A routes reject a
   *     null payload before mapping) or not a JSON value (String, Number, Boolean, JsonObject,
   *     JsonArray, or the Map/List Vert.x wraps as those)
   */
  public static Mapped toAsp(Object value) {
    Object json = asJson(value);
    if (json instanceof String text && !text.isEmpty()) {
      return new Mapped(
          new JsonArray()
              .add(new JsonObject().put(Fields.PART_TYPE, PART_TEXT).put(PART_TEXT, text)),
          KIND_TEXT);
    }
    if (json instanceof JsonObject object) {
      return new Mapped(new JsonArray().add(dataPart(object.copy())), KIND_OBJECT);
    }
    return new Mapped(
        new JsonArray().add(dataPart(new JsonObject().put(VALUE, copyOf(json)))), KIND_VALUE);
  }

  /**
   * The A2A payload of stored ASP content. With a known {@code payloadKind} this is the exact
   * inverse of {@link #toAsp}. With {@code payloadKind == null} (an ASP-originated message) the
   * content is unwrapped: one text part → its text; one data part → its data; anything else (a
   * plain string content, several parts, an image or file part) → the content as is.
   *
   * <p>A known kind whose content does not have the shape {@link #toAsp} gives it (which only a
   * damaged row could produce), and an unknown kind, fall back to the unwrapping rule: a view never
   * fails because of one odd message.
   *
   * @return a copy of the payload; {@code null} only when {@code content} is {@code null}
   * @throws IllegalArgumentException when {@code content} is not a JSON value (stored content
   *     always is)
   */
  public static Object fromAsp(Object content, String payloadKind) {
    Object json = content == null ? null : asJson(content);
    JsonObject part = singlePart(json);
    if (part != null && payloadKind != null) {
      switch (payloadKind) {
        case KIND_TEXT -> {
          if (isTextPart(part)) {
            return part.getString(PART_TEXT);
          }
        }
        case KIND_OBJECT -> {
          if (isDataPart(part)) {
            return part.getJsonObject(PART_DATA).copy();
          }
        }
        case KIND_VALUE -> {
          if (isDataPart(part)) {
            JsonObject data = part.getJsonObject(PART_DATA);
            if (data.size() == 1 && data.getValue(VALUE) != null) {
              return copyOf(data.getValue(VALUE));
            }
          }
        }
        default -> {}
      }
    }
    if (part != null && isTextPart(part)) {
      return part.getString(PART_TEXT);
    }
    if (part != null && isDataPart(part)) {
      return part.getJsonObject(PART_DATA).copy();
    }
    return copyOf(json);
  }

  private static JsonObject dataPart(JsonObject data) {
    return new JsonObject().put(Fields.PART_TYPE, PART_DATA).put(PART_DATA, data);
  }

  /** The only element of a one-element parts array, when it is an object; else {@code null}. */
  private static JsonObject singlePart(Object content) {
    if (content instanceof JsonArray parts
        && parts.size() == 1
        && parts.getValue(0) instanceof JsonObject part) {
      return part;
    }
    return null;
  }

  private static boolean isTextPart(JsonObject part) {
    return PART_TEXT.equals(part.getValue(Fields.PART_TYPE))
        && part.size() == 2
        && part.getValue(PART_TEXT) instanceof String;
  }

  private static boolean isDataPart(JsonObject part) {
    return PART_DATA.equals(part.getValue(Fields.PART_TYPE))
        && part.size() == 2
        && part.getValue(PART_DATA) instanceof JsonObject;
  }

  /** The value as Vert.x JSON types, so Map and List inputs behave as the objects they encode. */
  @SuppressWarnings("unchecked")
  private static Object asJson(Object value) {
    if (value instanceof Map<?, ?> map) {
      return new JsonObject((Map<String, Object>) map);
    }
    if (value instanceof List<?> list) {
      return new JsonArray((List<Object>) list);
    }
    if (value instanceof String
        || value instanceof Number
        || value instanceof Boolean
        || value instanceof JsonObject
        || value instanceof JsonArray) {
      return value;
    }
    throw new IllegalArgumentException(
        value == null ? "a payload must not be null" : "a payload must be a JSON value");
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
}
