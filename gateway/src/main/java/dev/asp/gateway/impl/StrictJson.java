package dev.asp.gateway.impl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one reader of request bodies, ASP and A2A alike: strict RFC 8259, and only what the operator
 * stores exactly as sent.
 *
 * <p>Vert.x's own codec is lenient ({@code /* comments *\/} allowed, a byte-order mark skipped, the
 * encoding guessed) and lossy (numbers become {@code double}s, so {@code 1e400} is infinity and a
 * long decimal is rounded). Here:
 *
 * <ul>
 *   <li>the body is UTF-8 (RFC 8259 §8.1), without a byte-order mark; anything else is refused;
 *   <li>the grammar is RFC 8259's: no comments, no single quotes, no unquoted keys, no {@code NaN}
 *       or {@code Infinity}, no leading zeros or {@code +}, no trailing commas, exactly one value
 *       with nothing but whitespace after it;
 *   <li>a key repeated in one object is refused (RFC 8259 leaves its meaning open; we do not guess
 *       which one the sender meant);
 *   <li>an integer must fit a signed 64-bit {@code long}; a number with a fraction or an exponent
 *       must be a {@code double} whose value is exactly the sent one (the value, not the spelling:
 *       {@code 1.50} and {@code 15e-1} are 1.5). What the log stores is the value after the event
 *       bus and the database client, which carry numbers as {@code long}s and {@code double}s; so
 *       {@code 1e400} (overflow), {@code 1e-400} (underflow), {@code 0.10000000000000001} (rounds)
 *       and {@code 18446744073709551616} are refused rather than stored as something else.
 * </ul>
 *
 * The result is the value Vert.x would have built ({@link JsonObject}, {@link JsonArray}, {@code
 * String}, {@code Integer}/{@code Long}, {@code Double}, {@code Boolean}, null). Strings are not
 * checked here (NUL, lone surrogates: the callers' {@code requireStorable}/{@code check}).
 */
public final class StrictJson {
  private static final JsonFactory FACTORY =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  /** Longest number echoed in an error, and longest parser message. */
  private static final int MAX_NUMBER_SHOWN = 40;

  private static final int MAX_MESSAGE = 200;

  private StrictJson() {}

  /** The body is not strict JSON: {@link #reason} says where and why. */
  public static final class NotJson extends RuntimeException {
    NotJson(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * A number of the body cannot be stored as sent: {@link #path} names it, {@link #number} is it.
   */
  public static final class Inexact extends RuntimeException {
    public final String path;
    public final String number;

    Inexact(String path, String number, String why) {
      super(path + ": the number " + number + " " + why, null, false, false);
      this.path = path;
      this.number = number;
    }
  }

  /**
   * Parses {@code body}.
   *
   * @param root how paths in {@link Inexact} start ({@code body}, {@code $})
   * @throws NotJson when it is not one strict RFC 8259 JSON value in UTF-8
   * @throws Inexact when a number in it cannot be stored exactly
   */
  public static Object parse(Buffer body, String root) {
    byte[] bytes = body.getBytes();
    if (hasByteOrderMark(bytes)) {
      throw new NotJson("a byte-order mark is not allowed (RFC 8259 §8.1)");
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new NotJson("the body is not UTF-8");
    }
    try (JsonParser parser = FACTORY.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new NotJson("the body holds no JSON value");
      }
      Object value = read(parser, first, root);
      if (parser.nextToken() != null) {
        throw new NotJson(
            "more than one JSON value, at line "
                + parser.currentLocation().getLineNr()
                + " column "
                + parser.currentLocation().getColumnNr());
      }
      return value;
    } catch (StreamConstraintsException e) {
      throw new NotJson(shorten(e.getOriginalMessage()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + " column "
                  + e.getLocation().getColumnNr();
      throw new NotJson(shorten(e.getOriginalMessage()) + where);
    } catch (IOException e) {
      throw new NotJson("the body could not be read");
    }
  }

  private static Object read(JsonParser parser, JsonToken token, String path) throws IOException {
    switch (token) {
      case START_OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        for (String key = parser.nextFieldName(); key != null; key = parser.nextFieldName()) {
          map.put(key, read(parser, parser.nextToken(), path + "." + key));
        }
        return new JsonObject(map);
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        for (JsonToken item = parser.nextToken();
            item != JsonToken.END_ARRAY;
            item = parser.nextToken()) {
          list.add(read(parser, item, path + "[" + list.size() + "]"));
        }
        return new JsonArray(list);
      }
      case VALUE_STRING -> {
        return parser.getText();
      }
      case VALUE_NUMBER_INT -> {
        return integer(parser, path);
      }
      case VALUE_NUMBER_FLOAT -> {
        return decimal(parser, path);
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw new NotJson("unexpected " + token);
    }
  }

  private static Number integer(JsonParser parser, String path) throws IOException {
    JsonParser.NumberType type = parser.getNumberType();
    if (type == JsonParser.NumberType.BIG_INTEGER) {
      throw new Inexact(
          path, shown(parser), "is beyond a 64-bit integer (-2^63 .. 2^63-1) and cannot be stored");
    }
    return parser.getNumberValue(); // Integer or Long, as Vert.x has them
  }

  private static Double decimal(JsonParser parser, String path) throws IOException {
    String text = parser.getText();
    BigDecimal sent;
    try {
      sent = new BigDecimal(text);
    } catch (NumberFormatException e) { // an exponent beyond an int
      throw new Inexact(path, shown(parser), "is beyond a double's range and cannot be stored");
    }
    double value = Double.parseDouble(text);
    if (Double.isInfinite(value)) {
      throw new Inexact(path, shown(parser), "is beyond a double's range and cannot be stored");
    }
    // what the event bus and the database client write for this double, read back as a value
    if (new BigDecimal(Double.toString(value)).compareTo(sent) != 0) {
      throw new Inexact(
          path,
          shown(parser),
          "has more precision than a double carries (it would be stored as " + value + ")");
    }
    return value;
  }

  private static String shown(JsonParser parser) throws IOException {
    return cut(parser.getText(), MAX_NUMBER_SHOWN);
  }

  private static String shorten(String message) {
    return cut(message == null ? "invalid JSON" : message, MAX_MESSAGE);
  }

  private static String cut(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "…";
  }

  private static boolean hasByteOrderMark(byte[] bytes) {
    if (bytes.length >= 3
        && (bytes[0] & 0xFF) == 0xEF
        && (bytes[1] & 0xFF) == 0xBB
        && (bytes[2] & 0xFF) == 0xBF) {
      return true;
    }
    return bytes.length >= 2
        && (((bytes[0] & 0xFF) == 0xFE && (bytes[1] & 0xFF) == 0xFF)
            || ((bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xFE));
  }
}
