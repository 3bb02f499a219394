package dev.asp.protocol.a2a;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A2A string hygiene")
class A2aTextTest {
  private static final String ROCKET = "\uD83D\uDE80"; // U+1F680, one code point, two units

  @Test
  @DisplayName("accepts ordinary text up to the limit, including paired surrogates")
  void fine() {
    assertNull(A2aText.problem("", 0));
    assertNull(A2aText.problem("hello", 5));
    assertNull(A2aText.problem("Grüße, 日本語 " + ROCKET, 100));
    assertNull(A2aText.problem(ROCKET + ROCKET, 4));
    assertNull(A2aText.problem("tab\tand\nnewline", 100));
  }

  @Test
  @DisplayName("leaves a missing string to the caller's presence rule")
  void missing() {
    assertNull(A2aText.problem(null, 10));
  }

  @Test
  @DisplayName("refuses a string longer than the limit, counted in UTF-16 units")
  void tooLong() {
    assertNotNull(A2aText.problem("hello!", 5));
    assertNotNull(A2aText.problem(ROCKET + ROCKET + "x", 4));
    assertTrue(A2aText.problem("abc", 2).contains("2"));
  }

  @Test
  @DisplayName("refuses NUL anywhere")
  void nul() {
    assertNotNull(A2aText.problem("\u0000", 10));
    assertNotNull(A2aText.problem("a\u0000b", 10));
    assertNotNull(A2aText.problem("ab\u0000", 10));
  }

  @Test
  @DisplayName("refuses a lone high or low surrogate")
  void loneSurrogates() {
    assertNotNull(A2aText.problem("\uD83D", 10));
    assertNotNull(A2aText.problem("a\uD83Db", 10));
    assertNotNull(A2aText.problem("\uDE80", 10));
    assertNotNull(A2aText.problem("a\uDE80", 10));
    assertNotNull(A2aText.problem(ROCKET + "\uDE80", 10));
    assertNotNull(A2aText.problem("\uD83D\uD83D\uDE80", 10));
  }

  @Test
  @DisplayName("checks the length first, so each reason is distinct and the scan stays bounded")
  void order() {
    String tooLongWithNul = "\u0000".repeat(20);
    assertEquals(A2aText.problem("x".repeat(20), 10), A2aText.problem(tooLongWithNul, 10));
    String nul = A2aText.problem("\u0000", 10);
    String lone = A2aText.problem("\uD83D", 10);
    String length = A2aText.problem("xx", 1);
    assertTrue(!nul.equals(lone) && !nul.equals(length) && !lone.equals(length));
  }

  @Test
  @DisplayName("a negative limit is a programming error")
  void negativeLimit() {
    assertThrows(IllegalArgumentException.class, () -> A2aText.problem("x", -1));
  }

  @Test
  @DisplayName("counts length in UTF-16 units, as the official client does")
  void utf16() {
    assertEquals(0, A2aText.utf16Length(""));
    assertEquals(5, A2aText.utf16Length("héllo"));
    assertEquals(2, A2aText.utf16Length(ROCKET));
    assertEquals(3, A2aText.utf16Length("日本語"));
  }
}
