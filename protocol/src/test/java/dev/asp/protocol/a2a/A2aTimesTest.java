package dev.asp.protocol.a2a;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A2A times")
class A2aTimesTest {
  @Test
  @DisplayName("are ISO-8601 UTC with milliseconds")
  void millis() {
    long ms = Instant.parse("2026-03-27T10:00:00.123Z").toEpochMilli();
    assertEquals("2026-03-27T10:00:00.123Z", A2aTimes.iso(ms));
    assertEquals("2026-03-27T10:00:00.999Z", A2aTimes.iso(ms + 876));
  }

  @Test
  @DisplayName("always carry three fraction digits, even on a whole second")
  void threeDigits() {
    assertEquals("1970-01-01T00:00:00.000Z", A2aTimes.iso(0));
    assertEquals("2026-03-27T10:00:00.000Z", A2aTimes.iso(1_774_605_600_000L));
    assertEquals("2026-03-27T10:00:00.007Z", A2aTimes.iso(1_774_605_600_007L));
    assertEquals("2026-03-27T10:00:00.070Z", A2aTimes.iso(1_774_605_600_070L));
  }

  @Test
  @DisplayName("parse back to the same instant")
  void parseBack() {
    for (long ms : new long[] {0, 1, 999, 1_774_605_600_123L, 4_102_444_799_999L}) {
      assertEquals(ms, Instant.parse(A2aTimes.iso(ms)).toEpochMilli());
    }
  }
}
