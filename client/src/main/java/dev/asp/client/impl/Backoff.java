package dev.asp.client.impl;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with "full jitter": retry {@code n} (0 for the first retry after a working
 * connection, 1 after one failed attempt, …) waits a uniformly random delay in {@code [0, min(max,
 * base·2^n)]}. The randomness matters more than the curve: after an operator restart every client
 * reconnects at once, and jitter spreads that herd over the whole window.
 */
public final class Backoff {
  /** Beyond this, {@code base·2^n} exceeds any sensible maximum anyway (and would overflow). */
  private static final int MAX_EXPONENT = 30;

  private final long baseMillis;
  private final long maxMillis;

  public Backoff(Duration base, Duration max) {
    this.baseMillis = base.toMillis();
    this.maxMillis = max.toMillis();
    if (baseMillis < 1 || maxMillis < baseMillis) {
      throw new IllegalArgumentException("backoff needs 1 ms <= base <= max");
    }
  }

  /**
   * The upper bound of the delay before retry {@code attempt}: {@code min(max, base·2^attempt)}.
   */
  public long ceilingMillis(int attempt) {
    int exponent = Math.min(Math.max(attempt, 0), MAX_EXPONENT);
    if (exponent >= Long.numberOfLeadingZeros(baseMillis) - 1) {
      return maxMillis; // base·2^exponent would overflow a long
    }
    return Math.min(maxMillis, baseMillis << exponent);
  }

  /** A random delay in {@code [0, ceilingMillis(attempt)]}. */
  public long delayMillis(int attempt) {
    return ThreadLocalRandom.current().nextLong(ceilingMillis(attempt) + 1);
  }
}
