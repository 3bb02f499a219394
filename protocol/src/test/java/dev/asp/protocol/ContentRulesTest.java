package dev.asp.protocol;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Content rules")
class ContentRulesTest {
  private static final MessageLimits LIMITS = new MessageLimits(100, 2, 50);

  private static ErrorCode codeOf(Object content) {
    return assertThrows(AspException.class, () -> ContentRules.validateContent(content, LIMITS))
        .code();
  }

  @Test
  @DisplayName("accept strings and arrays of valid parts")
  void accepts() {
    assertDoesNotThrow(() -> ContentRules.validateContent("hi", LIMITS));
    assertDoesNotThrow(
        () ->
            ContentRules.validateContent(
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("type", "image")
                            .put("data_uri", "data:image/png;base64,AA"))
                    .add(new JsonObject().put("type", "data").put("data", new JsonObject())),
                LIMITS));
  }

  @Test
  @DisplayName("reject empty content, unknown parts and extra fields as invalid_content")
  void rejects() {
    assertEquals(ErrorCode.INVALID_CONTENT, codeOf(""));
    assertEquals(ErrorCode.INVALID_CONTENT, codeOf(new JsonArray()));
    assertEquals(ErrorCode.INVALID_CONTENT, codeOf(null));
    assertEquals(
        ErrorCode.INVALID_CONTENT,
        codeOf(new JsonArray().add(new JsonObject().put("type", "text").put("text", ""))));
    assertEquals(
        ErrorCode.INVALID_CONTENT,
        codeOf(new JsonArray().add(new JsonObject().put("type", "audio").put("url", "https://a"))));
    assertEquals(
        ErrorCode.INVALID_CONTENT,
        codeOf(new JsonArray().add(new JsonObject().put("type", "file").put("url", "relative"))));
  }

  @Test
  @DisplayName("answer payload_too_large beyond the size and part limits")
  void limits() {
    assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, codeOf("x".repeat(200)));
    JsonObject part = new JsonObject().put("type", "text").put("text", "a");
    assertEquals(
        ErrorCode.PAYLOAD_TOO_LARGE, codeOf(new JsonArray().add(part).add(part).add(part)));
    assertEquals(
        ErrorCode.PAYLOAD_TOO_LARGE,
        assertThrows(
                AspException.class,
                () ->
                    ContentRules.validateMetadata(
                        new JsonObject().put("m", "y".repeat(60)), LIMITS))
            .code());
  }
}
