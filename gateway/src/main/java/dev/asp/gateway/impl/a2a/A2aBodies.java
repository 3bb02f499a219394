package dev.asp.gateway.impl.a2a;

import dev.asp.gateway.impl.StrictJson;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.a2a.A2aText;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Lenient input (hub spec §1): an empty POST body is {@code {}}, unknown fields are ignored,
 * aliases are taken in the documented order; the JSON itself is read strictly ({@link StrictJson}:
 * RFC 8259, numbers stored exactly as sent or refused); anything present is type-checked, and every
 * string anywhere in a body is free of NUL characters and lone surrogates (PostgreSQL cannot store
 * the one, and the other is not text), so bad input is a 400 and never reaches the database.
 */
final class A2aBodies {
  /** Longest id or handle accepted in any field. */
  static final int MAX_ID = 200;

  /** How deep a body may nest. */
  private static final int MAX_DEPTH = 64;

  private A2aBodies() {}

  static JsonObject object(RoutingContext ctx) {
    JsonObject json = unchecked(ctx);
    check(json, "$", 0);
    return json;
  }

  /**
   * The body as a JSON object whose strings are not checked yet: for a body whose parts are judged
   * one by one (a mailbox batch, where one bad message is that message's rejection); the caller
   * must {@link #check} every part it uses.
   */
  static JsonObject unchecked(RoutingContext ctx) {
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    if (body == null || body.length() == 0 || body.toString().isBlank()) {
      return new JsonObject();
    }
    Object parsed;
    try {
      parsed = StrictJson.parse(body, "$");
    } catch (StrictJson.NotJson e) {
      throw A2aErrors.invalid(
          "$", "a JSON object (RFC 8259)", "text", "the body is not valid JSON: " + e.getMessage());
    } catch (StrictJson.Inexact e) {
      throw A2aErrors.invalid(
          e.path,
          "a number a double or a 64-bit integer holds exactly",
          0, // described by its type: "number"
          e.getMessage());
    }
    if (!(parsed instanceof JsonObject json)) {
      throw A2aErrors.invalid("$", "a JSON object", parsed, "the body must be a JSON object");
    }
    return json;
  }

  /** Every key and string in the value is text PostgreSQL can store. */
  static void check(Object value, String path, int depth) {
    if (depth > MAX_DEPTH) {
      throw A2aErrors.invalid(path, "at most " + MAX_DEPTH + " levels", value, "nested too deep");
    }
    if (value instanceof String text) {
      String problem = A2aText.problem(text, Integer.MAX_VALUE);
      if (problem != null) {
        throw A2aErrors.invalid(path, "text", value, path + " " + problem);
      }
    } else if (value instanceof JsonObject object) {
      for (String key : object.fieldNames()) {
        check(key, path, depth + 1);
        check(object.getValue(key), path + "." + key, depth + 1);
      }
    } else if (value instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        check(array.getValue(i), path + "[" + i + "]", depth + 1);
      }
    }
  }

  /** The first present field of {@code names}, as a string of at most {@code max} characters. */
  static String string(JsonObject body, int max, String... names) {
    for (String name : names) {
      Object value = body.getValue(name);
      if (value == null) {
        continue;
      }
      if (!(value instanceof String text)) {
        throw A2aErrors.invalid(name, "string", value, name + " must be a string");
      }
      if (text.length() > max) {
        throw A2aErrors.invalid(
            name, "at most " + max + " characters", value, name + " is too long");
      }
      return text;
    }
    return null;
  }

  /** The first present field of {@code names}, as an array of strings. */
  static List<String> strings(JsonObject body, int maxItems, String... names) {
    for (String name : names) {
      Object value = body.getValue(name);
      if (value == null) {
        continue;
      }
      if (!(value instanceof JsonArray array)) {
        throw A2aErrors.invalid(name, "array of strings", value, name + " must be an array");
      }
      if (array.size() > maxItems) {
        throw A2aErrors.invalid(
            name, "at most " + maxItems + " items", value, name + " has more than " + maxItems);
      }
      for (int i = 0; i < array.size(); i++) {
        if (!(array.getValue(i) instanceof String s) || s.length() > MAX_ID) {
          throw A2aErrors.invalid(
              name + "[" + i + "]", "a node id", array.getValue(i), name + " must list node ids");
        }
      }
      @SuppressWarnings("unchecked")
      List<String> list = (List<String>) (List<?>) array.getList();
      return List.copyOf(list);
    }
    return List.of();
  }

  /** An integer field; absent or non-numeric is {@code null} where {@code lenient}. */
  static Long integer(JsonObject body, String name, boolean lenient) {
    Object value = body.getValue(name);
    if (value == null) {
      return null;
    }
    if (value instanceof Number number) {
      return number.longValue();
    }
    if (value instanceof String text && text.matches("-?[0-9]{1,18}")) {
      return Long.parseLong(text);
    }
    if (lenient) {
      return null;
    }
    throw A2aErrors.invalid(name, "integer", value, name + " must be an integer");
  }

  static boolean bool(JsonObject body, String name) {
    Object value = body.getValue(name);
    if (value == null) {
      return false;
    }
    if (value instanceof Boolean flag) {
      return flag;
    }
    throw A2aErrors.invalid(name, "boolean", value, name + " must be true or false");
  }

  static JsonObject optionalObject(JsonObject body, String name) {
    Object value = body.getValue(name);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject object)) {
      throw A2aErrors.invalid(name, "object", value, name + " must be an object");
    }
    return object;
  }

  /**
   * A body is an envelope when it has {@code message_type}, or both {@code protocol} and an object
   * {@code payload} (§3); the fields then come from {@code payload}, the sender from the top.
   */
  static boolean isEnvelope(JsonObject body) {
    return body.containsKey(A2aFields.MESSAGE_TYPE)
        || (body.containsKey(A2aFields.PROTOCOL)
            && body.getValue(A2aFields.PAYLOAD) instanceof JsonObject);
  }
}
