package dev.asp.protocol.a2a;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Normalises a node's declared capabilities to keywords (hub spec §3 "Capabilities"), the form
 * deliberation picks, pipeline matching and discover compare. Capabilities are free-form JSON, so
 * the rule takes what reads as a skill from any shape:
 *
 * <ul>
 *   <li>an object contributes each key whose value is truthy ({@code true}, a non-zero number, a
 *       non-empty string, array or object) and each of its string values; an array value
 *       contributes its strings (one level down);
 *   <li>an array contributes its strings, and the strings of arrays directly inside it;
 *   <li>a bare string contributes itself (lenient input; it also lets callers take the keywords of
 *       a title or a role with the same rule);
 *   <li>anything deeper, and any other value, contributes nothing.
 * </ul>
 *
 * Each contribution is lower-cased and split on everything that is not a letter, a digit or a
 * combining mark (Unicode, not only ASCII); tokens shorter than {@value #MIN_KEYWORD_CHARS}
 * characters are dropped.
 *
 * <p><b>Bounds.</b> The result holds at most {@value #MAX_KEYWORDS} distinct keywords, in the order
 * first seen; contributions after that are ignored. A token longer than {@value #MAX_KEYWORD_CHARS}
 * characters (a hash, an encoded blob) is dropped rather than cut, since a prefix of it would match
 * nothing meaningful. Characters are counted as code points. The input's own size is bounded by the
 * request body limit of the route that carries it.
 */
public final class Capabilities {
  public static final int MAX_KEYWORDS = 200;
  public static final int MAX_KEYWORD_CHARS = 64;
  public static final int MIN_KEYWORD_CHARS = 3;

  private Capabilities() {}

  /**
   * The keywords of declared capabilities, distinct, in first-seen order. {@code null} or a value
   * of no recognised shape gives an empty list; this never throws.
   */
  public static List<String> keywords(Object capabilities) {
    Keywords out = new Keywords();
    Object json = wrap(capabilities);
    if (json instanceof JsonObject object) {
      for (Map.Entry<String, Object> entry : object) {
        if (out.full()) {
          break;
        }
        Object value = entry.getValue();
        if (truthy(value)) {
          out.contribute(entry.getKey());
        }
        if (value instanceof String text) {
          out.contribute(text);
        } else if (value instanceof JsonArray array) {
          strings(array, out);
        }
      }
    } else if (json instanceof JsonArray array) {
      for (Object element : array) {
        if (out.full()) {
          break;
        }
        if (element instanceof String text) {
          out.contribute(text);
        } else if (element instanceof JsonArray nested) {
          strings(nested, out);
        }
      }
    } else if (json instanceof String text) {
      out.contribute(text);
    }
    return out.list();
  }

  private static void strings(JsonArray array, Keywords out) {
    for (Object element : array) {
      if (element instanceof String text) {
        out.contribute(text);
      }
    }
  }

  /** JavaScript-like truthiness over JSON values, as the capability objects' authors mean it. */
  private static boolean truthy(Object value) {
    if (value instanceof Boolean flag) {
      return flag;
    }
    if (value instanceof BigDecimal decimal) {
      return decimal.signum() != 0;
    }
    if (value instanceof BigInteger integer) {
      return integer.signum() != 0;
    }
    if (value instanceof Number number) {
      double d = number.doubleValue();
      return d != 0 && !Double.isNaN(d);
    }
    if (value instanceof String text) {
      return !text.isEmpty();
    }
    if (value instanceof JsonArray array) {
      return !array.isEmpty();
    }
    if (value instanceof JsonObject object) {
      return !object.isEmpty();
    }
    return false;
  }

  @SuppressWarnings("unchecked")
  private static Object wrap(Object value) {
    if (value instanceof Map<?, ?> map) {
      return new JsonObject((Map<String, Object>) map);
    }
    if (value instanceof List<?> list) {
      return new JsonArray((List<Object>) list);
    }
    return value;
  }

  /** The bounded, ordered set being built. */
  private static final class Keywords {
    private final Set<String> seen = new LinkedHashSet<>();

    boolean full() {
      return seen.size() >= MAX_KEYWORDS;
    }

    void contribute(String text) {
      String lower = text.toLowerCase(Locale.ROOT);
      int start = -1;
      int i = 0;
      while (i < lower.length() && !full()) {
        int cp = lower.codePointAt(i);
        if (wordChar(cp)) {
          if (start < 0) {
            start = i;
          }
        } else if (start >= 0) {
          token(lower.substring(start, i));
          start = -1;
        }
        i += Character.charCount(cp);
      }
      if (start >= 0 && !full()) {
        token(lower.substring(start));
      }
    }

    private void token(String token) {
      int chars = token.codePointCount(0, token.length());
      if (chars >= MIN_KEYWORD_CHARS && chars <= MAX_KEYWORD_CHARS) {
        seen.add(token);
      }
    }

    private static boolean wordChar(int cp) {
      if (Character.isLetterOrDigit(cp)) {
        return true;
      }
      int type = Character.getType(cp);
      return type == Character.NON_SPACING_MARK
          || type == Character.COMBINING_SPACING_MARK
          || type == Character.ENCLOSING_MARK;
    }

    List<String> list() {
      return List.copyOf(seen);
    }
  }
}
