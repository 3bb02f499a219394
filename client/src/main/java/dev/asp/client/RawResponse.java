package dev.asp.client;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/** An HTTP exchange as it happened, for callers that need the status and body as sent. */
public record RawResponse(int status, MultiMap headers, Buffer body) {
  /** The body as a JSON object (throws if it is not one). */
  public JsonObject json() {
    return body.toJsonObject();
  }

  /** The {@code error.code} of an error body, or {@code null}. */
  public String errorCode() {
    try {
      JsonObject error = json().getJsonObject("error");
      return error == null ? null : error.getString("code");
    } catch (RuntimeException notJson) {
      return null;
    }
  }
}
