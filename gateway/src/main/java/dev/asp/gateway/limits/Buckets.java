package dev.asp.gateway.limits;

import dev.asp.protocol.AspException;
import dev.asp.protocol.a2a.A2aError;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;

/**
 * The one translation between a {@link Limit} and Bucket4j, shared by every {@link RateLimiter} so
 * that a limit means the same whether its buckets live in this JVM or in the cluster.
 */
public final class Buckets {
  private Buckets() {}

  /**
   * "N per window": a bucket of N tokens, starting full, that gets all N back once a whole window
   * has passed (intervally, not greedily: a drained key waits for the window, it does not trickle).
   */
  public static Bandwidth bandwidth(Limit limit) {
    return Bandwidth.builder()
        .capacity(limit.capacity())
        .refillIntervally(limit.capacity(), Duration.ofMillis(limit.windowMs()))
        .build();
  }

  /** A bucket configuration with {@link #bandwidth} as its only limit. */
  public static BucketConfiguration configuration(Limit limit) {
    return BucketConfiguration.builder().addLimit(bandwidth(limit)).build();
  }

  /** The decision a Bucket4j probe stands for. */
  public static Decision decision(ConsumptionProbe probe) {
    return probe.isConsumed()
        ? Decision.ALLOWED
        : Decision.refusedForNanos(probe.getNanosToWaitForRefill());
  }

  /**
   * The failure for a key a limiter does not accept, or null for a good one. Checked before a
   * bucket exists, so an oversized key never costs memory (keys may come from a forwarded-for
   * header).
   */
  public static AspException invalidKey(String key) {
    if (key == null || key.isEmpty() || key.length() > RateLimiter.MAX_KEY_LENGTH) {
      return new AspException(A2aError.VALIDATION_ERROR, "invalid rate-limit key");
    }
    return null;
  }
}
