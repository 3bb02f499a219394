package dev.asp.protocol;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Validates message content and metadata (spec §4). Content is a non-empty string or a non-empty
 * array of typed parts; every part has exactly the fields its type allows. Violations are {@link
 * ErrorCode#INVALID_CONTENT} (400), sizes beyond {@link MessageLimits} {@link
 * ErrorCode#PAYLOAD_TOO_LARGE} (413).
 */
public final class ContentRules {
  private static final Set<String> TEXT_FIELDS = Set.of(Fields.PART_TYPE, Fields.TEXT);
  private static final Set<String> IMAGE_FIELDS =
      Set.of(Fields.PART_TYPE, Fields.URL, Fields.DATA_URI, Fields.MIME_TYPE, Fields.NAME);
  private static final Set<String> FILE_FIELDS =
      Set.of(Fields.PART_TYPE, Fields.URL, Fields.NAME, Fields.MIME_TYPE, Fields.SIZE);
  private static final Set<String> DATA_FIELDS = Set.of(Fields.PART_TYPE, Fields.DATA);

  private ContentRules() {}

  /** Checks content as decoded by Vert.x JSON (String, JsonArray of JsonObject...). */
  public static void validateContent(Object content, MessageLimits limits) {
    if (content == null) {
      throw invalid("content is required");
    }
    if (content instanceof String text) {
      if (text.isEmpty()) {
        throw invalid("content must not be empty");
      }
    } else if (content instanceof JsonArray parts) {
      if (parts.isEmpty()) {
        throw invalid("content must not be an empty array");
      }
      if (parts.size() > limits.maxParts()) {
        throw new AspException(
            ErrorCode.PAYLOAD_TOO_LARGE,
            "content has " + parts.size() + " parts; the limit is " + limits.maxParts());
      }
      for (int i = 0; i < parts.size(); i++) {
        validatePart(i, parts.getValue(i));
      }
    } else {
      throw invalid("content must be a non-empty string or a non-empty array of parts");
    }
    int bytes = encodedSize(content);
    if (bytes > limits.maxContentBytes()) {
      throw new AspException(
          ErrorCode.PAYLOAD_TOO_LARGE,
          "content is " + bytes + " bytes; the limit is " + limits.maxContentBytes());
    }
  }

  /** Metadata is optional; when present it is a JSON object within the size limit. */
  public static void validateMetadata(Object metadata, MessageLimits limits) {
    if (metadata == null) {
      return;
    }
    if (!(metadata instanceof JsonObject)) {
      throw new AspException(ErrorCode.INVALID_REQUEST, "metadata must be a JSON object");
    }
    int bytes = encodedSize(metadata);
    if (bytes > limits.maxMetadataBytes()) {
      throw new AspException(
          ErrorCode.PAYLOAD_TOO_LARGE,
          "metadata is " + bytes + " bytes; the limit is " + limits.maxMetadataBytes());
    }
  }

  private static void validatePart(int index, Object value) {
    String where = "content[" + index + "]";
    if (!(value instanceof JsonObject part)) {
      throw invalid(where + " must be an object with a type");
    }
    Object type = part.getValue(Fields.PART_TYPE);
    if (!(type instanceof String typeName)) {
      throw invalid(where + ".type is required");
    }
    switch (typeName) {
      case "text" -> {
        onlyFields(where, part, TEXT_FIELDS);
        if (!(part.getValue(Fields.TEXT) instanceof String text) || text.isEmpty()) {
          throw invalid(where + ".text must be a non-empty string");
        }
      }
      case "image" -> {
        onlyFields(where, part, IMAGE_FIELDS);
        boolean hasUrl = part.containsKey(Fields.URL);
        boolean hasDataUri = part.containsKey(Fields.DATA_URI);
        if (!hasUrl && !hasDataUri) {
          throw invalid(where + " (image) needs url or data_uri");
        }
        if (hasUrl) {
          requireUri(where + ".url", part.getValue(Fields.URL));
        }
        if (hasDataUri
            && !(part.getValue(Fields.DATA_URI) instanceof String dataUri
                && dataUri.startsWith("data:"))) {
          throw invalid(where + ".data_uri must be a string starting with data:");
        }
        optionalString(where, part, Fields.MIME_TYPE);
        optionalString(where, part, Fields.NAME);
      }
      case "file" -> {
        onlyFields(where, part, FILE_FIELDS);
        requireUri(where + ".url", part.getValue(Fields.URL));
        optionalString(where, part, Fields.MIME_TYPE);
        optionalString(where, part, Fields.NAME);
        if (part.containsKey(Fields.SIZE)) {
          Object size = part.getValue(Fields.SIZE);
          if (!(size instanceof Integer || size instanceof Long)
              || ((Number) size).longValue() < 0) {
            throw invalid(where + ".size must be a non-negative integer");
          }
        }
      }
      case "data" -> {
        onlyFields(where, part, DATA_FIELDS);
        if (!(part.getValue(Fields.DATA) instanceof JsonObject)) {
          throw invalid(where + ".data must be a JSON object");
        }
      }
      default -> throw invalid(where + ".type '" + typeName + "' is not text, image, file or data");
    }
  }

  private static void onlyFields(String where, JsonObject part, Set<String> allowed) {
    for (String field : part.fieldNames()) {
      if (!allowed.contains(field)) {
        throw invalid(where + " has unknown field '" + field + "'");
      }
    }
  }

  private static void optionalString(String where, JsonObject part, String field) {
    if (part.containsKey(field) && !(part.getValue(field) instanceof String)) {
      throw invalid(where + "." + field + " must be a string");
    }
  }

  private static void requireUri(String where, Object value) {
    if (!(value instanceof String text) || text.isEmpty()) {
      throw invalid(where + " must be a non-empty URI string");
    }
    try {
      if (new URI(text).getScheme() == null) {
        throw invalid(where + " must be an absolute URI");
      }
    } catch (URISyntaxException e) {
      throw invalid(where + " is not a valid URI");
    }
  }

  private static int encodedSize(Object value) {
    return Json.encode(value).getBytes(StandardCharsets.UTF_8).length;
  }

  private static AspException invalid(String message) {
    return new AspException(ErrorCode.INVALID_CONTENT, message);
  }
}
