package dev.asp.client.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Full-jitter backoff")
class BackoffTest {
  private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

  @Test
  @DisplayName("doubles its window from the base and caps it at the maximum")
  void window() {
    assertEquals(100, backoff.ceilingMillis(0));
    assertEquals(200, backoff.ceilingMillis(1));
    assertEquals(3_200, backoff.ceilingMillis(5));
    assertEquals(5_000, backoff.ceilingMillis(6));
    assertEquals(5_000, backoff.ceilingMillis(1_000));
    Backoff huge = new Backoff(Duration.ofMillis(1L << 40), Duration.ofMillis(Long.MAX_VALUE));
    assertEquals(1L << 61, huge.ceilingMillis(21));
    assertEquals(Long.MAX_VALUE, huge.ceilingMillis(30)); // not a wrapped-around shift
  }

  @Test
  @DisplayName("draws each delay uniformly between zero and the window")
  void jitter() {
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < 2_000; i++) {
      long delay = backoff.delayMillis(3);
      assertTrue(delay >= 0 && delay <= 800, "delay " + delay);
      min = Math.min(min, delay);
      max = Math.max(max, delay);
    }
    assertTrue(min < 100 && max > 700, "spread " + min + ".." + max);
  }

  @Test
  @DisplayName("refuses a base below 1 ms or above the maximum")
  void invalid() {
    assertThrows(
        IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
  }
}
