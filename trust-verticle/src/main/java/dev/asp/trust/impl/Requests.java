package dev.asp.trust.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Handle;
import dev.asp.protocol.InboundPolicy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Reads and validates request fields. Every failure is an {@link AspException} with a message that
 * names the field but never echoes a value that could be a secret.
 */
public final class Requests {
  private Requests() {}

  /** A valid handle, or {@link ErrorCode#INVALID_HANDLE}. */
  public static String handle(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (!(value instanceof String handle) || !Handle.isValid(handle)) {
      throw new AspException(
          ErrorCode.INVALID_HANDLE, field + ": expected a handle @owner.agent in [a-z0-9_-]");
    }
    return handle;
  }

  /** A valid owner name, or {@link ErrorCode#INVALID_REQUEST}. */
  public static String owner(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (!(value instanceof String owner) || !Handle.isValidOwner(owner)) {
      throw invalid(field + ": expected an owner name in [a-z0-9_-]");
    }
    return owner;
  }

  /** A non-empty string, or {@link ErrorCode#INVALID_REQUEST}. */
  public static String text(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (!(value instanceof String text) || text.isEmpty()) {
      throw invalid(field + ": expected a non-empty string");
    }
    return text;
  }

  /** The policy named by {@code field}, {@code null} when absent; unknown names are invalid. */
  public static InboundPolicy optionalPolicy(JsonObject body, String field) {
    if (body.getValue(field) == null) {
      return null;
    }
    return policy(body, field);
  }

  public static InboundPolicy policy(JsonObject body, String field) {
    Object value = body.getValue(field);
    InboundPolicy policy = value instanceof String wire ? InboundPolicy.fromWire(wire) : null;
    if (policy == null) {
      throw invalid(field + ": expected \"allowlist\" or \"open\"");
    }
    return policy;
  }

  /** A valid allowlist entry (exact handle or {@code @owner.*}). */
  public static String entry(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (!(value instanceof String entry) || !Handle.isValidAllowlistEntry(entry)) {
      throw invalid(field + ": expected @owner.agent or @owner.*");
    }
    return entry;
  }

  /** The entries of {@code field} without duplicates, {@code null} when absent. */
  public static List<String> optionalAllowlist(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonArray array)) {
      throw invalid(field + ": expected an array of @owner.agent or @owner.*");
    }
    LinkedHashSet<String> entries = new LinkedHashSet<>();
    for (Object item : array) {
      if (!(item instanceof String entry) || !Handle.isValidAllowlistEntry(entry)) {
        throw invalid(field + ": expected an array of @owner.agent or @owner.*");
      }
      entries.add(entry);
    }
    return new ArrayList<>(entries);
  }

  /** The strings of an array field; anything else is {@link ErrorCode#INVALID_REQUEST}. */
  public static List<String> strings(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (!(value instanceof JsonArray array)) {
      throw invalid(field + ": expected an array of strings");
    }
    List<String> strings = new ArrayList<>(array.size());
    for (Object item : array) {
      if (!(item instanceof String text)) {
        throw invalid(field + ": expected an array of strings");
      }
      strings.add(text);
    }
    return strings;
  }

  public static AspException invalid(String message) {
    return new AspException(ErrorCode.INVALID_REQUEST, message);
  }
}
