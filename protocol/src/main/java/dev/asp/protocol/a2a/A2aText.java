package dev.asp.protocol.a2a;

/**
 * Input hygiene the gateway applies to every string field of an A2A request before anything else
 * looks at it: a bounded length, no NUL (PostgreSQL {@code text} and {@code jsonb} refuse U+0000,
 * so letting it through would fail later, inside a transaction, as an internal error) and no lone
 * surrogate (it has no UTF-8 encoding, so it would be silently replaced on the way to storage and
 * come back different from what was sent).
 */
public final class A2aText {
  private A2aText() {}

  /**
   * What is wrong with {@code s}, as a short phrase that reads after the field's name (e.g. {@code
   * "title " + problem}), or {@code null} when it is fine. Checked in this order: longer than
   * {@code maxChars} UTF-16 units ({@link #utf16Length}); contains U+0000; contains a high
   * surrogate not followed by a low one, or a low one not preceded by a high one. A {@code null}
   * string has no problem here: presence is the caller's rule.
   *
   * <p>The length is checked first, so the scan for the other two never reads more than {@code
   * maxChars} units.
   *
   * @throws IllegalArgumentException when {@code maxChars} is negative
   */
  public static String problem(String s, int maxChars) {
    if (maxChars < 0) {
      throw new IllegalArgumentException("maxChars must not be negative");
    }
    if (s == null) {
      return null;
    }
    if (utf16Length(s) > maxChars) {
      return "is longer than " + maxChars + " characters";
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\u0000') {
        return "contains a NUL character (U+0000)";
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return "contains an unpaired surrogate at position " + i;
        }
      } else if (Character.isLowSurrogate(c)) {
        return "contains an unpaired surrogate at position " + i;
      }
    }
    return null;
  }

  /**
   * The length of {@code s} in UTF-16 code units ({@link String#length()}): the unit the official
   * client counts in (JavaScript's {@code string.length}), so every A2A character limit, including
   * {@code ASP_A2A_MAX_MESSAGE_CHARS}, is measured in it. A character outside the Basic
   * Multilingual Plane (most emoji) counts 2.
   */
  public static int utf16Length(String s) {
    return s.length();
  }
}
