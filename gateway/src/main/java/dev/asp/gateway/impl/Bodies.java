package dev.asp.gateway.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.a2a.A2aText;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * Typed reads of request bodies with 400s that say exactly what is wrong. Shared by the ASP and
 * admin routes; nothing here talks to another verticle.
 */
final class Bodies {
  private Bodies() {}

  /**
   * The body as a JSON object, read strictly ({@link StrictJson}: not JSON is {@code
   * malformed_request}, a number that cannot be stored exactly {@code invalid_request}); an absent
   * body counts as {@code {}} when {@code optional}.
   */
  static JsonObject object(RoutingContext ctx, boolean optional) {
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    if (body == null || body.length() == 0 || isBlank(body)) {
      if (optional) {
        return new JsonObject();
      }
      throw malformed();
    }
    Object parsed;
    try {
      parsed = StrictJson.parse(body, "body");
    } catch (StrictJson.NotJson e) {
      throw new AspException(
          ErrorCode.MALFORMED_REQUEST, "request body is not strict JSON: " + e.getMessage());
    } catch (StrictJson.Inexact e) {
      throw invalid(e.getMessage());
    }
    if (!(parsed instanceof JsonObject json)) {
      throw malformed();
    }
    requireStorable(json, "body", 0);
    return json;
  }

  /** Nesting deeper than this is refused before it is walked. */
  private static final int MAX_DEPTH = 64;

  /**
   * Every key and string of the body is text PostgreSQL stores exactly: no NUL (U+0000 would fail
   * the insert, inside its transaction, as an internal error) and no unpaired surrogate (it would
   * be stored as something else than was sent).
   */
  private static void requireStorable(Object value, String path, int depth) {
    if (depth > MAX_DEPTH) {
      throw invalid(path + " is nested more than " + MAX_DEPTH + " levels deep");
    }
    if (value instanceof String text) {
      String problem = A2aText.problem(text, Integer.MAX_VALUE);
      if (problem != null) {
        throw invalid(path + " " + problem);
      }
    } else if (value instanceof JsonObject object) {
      for (String key : object.fieldNames()) {
        String problem = A2aText.problem(key, Integer.MAX_VALUE);
        if (problem != null) {
          throw invalid("a key of " + path + " " + problem);
        }
        requireStorable(object.getValue(key), path + "." + key, depth + 1);
      }
    } else if (value instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        requireStorable(array.getValue(i), path + "[" + i + "]", depth + 1);
      }
    }
  }

  static void onlyFields(JsonObject body, Set<String> allowed, String what) {
    for (String field : body.fieldNames()) {
      if (!allowed.contains(field)) {
        throw invalid(what + " has unknown field '" + field + "'");
      }
    }
  }

  static String optionalString(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      if (body.containsKey(field)) {
        throw invalid(field + " must be a string");
      }
      return null;
    }
    if (!(value instanceof String text)) {
      throw invalid(field + " must be a string");
    }
    return text;
  }

  static String requiredString(JsonObject body, String field) {
    String value = optionalString(body, field);
    if (value == null || value.isEmpty()) {
      throw invalid(field + " is required");
    }
    return value;
  }

  static boolean optionalBoolean(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null && !body.containsKey(field)) {
      return false;
    }
    if (!(value instanceof Boolean flag)) {
      throw invalid(field + " must be true or false");
    }
    return flag;
  }

  static JsonArray optionalArray(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null && !body.containsKey(field)) {
      return null;
    }
    if (!(value instanceof JsonArray array)) {
      throw invalid(field + " must be an array");
    }
    return array;
  }

  static JsonObject optionalObject(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null && !body.containsKey(field)) {
      return null;
    }
    if (!(value instanceof JsonObject object)) {
      throw invalid(field + " must be an object");
    }
    return object;
  }

  static AspException invalid(String message) {
    return new AspException(ErrorCode.INVALID_REQUEST, message);
  }

  static AspException malformed() {
    return new AspException(ErrorCode.MALFORMED_REQUEST, "request body must be a JSON object");
  }

  private static boolean isBlank(Buffer body) {
    for (int i = 0; i < body.length(); i++) {
      if (!Character.isWhitespace(body.getByte(i))) {
        return false;
      }
    }
    return true;
  }
}
