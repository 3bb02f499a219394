package dev.asp.gateway.limits;

/**
 * The answer of a {@link RateLimiter}: allowed, or refused with how long until one more would be
 * allowed.
 *
 * @param retryAfterMs 0 when allowed; when refused at least 1, the wait in milliseconds (rounded
 *     up) until the bucket holds a token again
 * @throws IllegalArgumentException if {@code retryAfterMs} does not fit {@code allowed}
 */
public record Decision(boolean allowed, long retryAfterMs) {
  /** The one allowed decision. */
  public static final Decision ALLOWED = new Decision(true, 0);

  public Decision {
    if (allowed ? retryAfterMs != 0 : retryAfterMs < 1) {
      throw new IllegalArgumentException(
          "retryAfterMs is 0 when allowed and at least 1 when refused");
    }
  }

  /** Refused for {@code nanosToWait}, rounded up to whole milliseconds (at least 1). */
  public static Decision refusedForNanos(long nanosToWait) {
    long ms = nanosToWait / 1_000_000 + (nanosToWait % 1_000_000 > 0 ? 1 : 0);
    return new Decision(false, Math.max(1, ms));
  }
}
