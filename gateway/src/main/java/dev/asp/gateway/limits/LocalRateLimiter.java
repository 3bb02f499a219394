package dev.asp.gateway.limits;

import dev.asp.protocol.AspException;
import io.github.bucket4j.Bucket;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token buckets in this JVM, for a node that runs alone ({@code ASP_CLUSTER_MODE=none}). One
 * instance is meant to be shared by all of the node's gateway verticle instances: it is
 * thread-safe, and answers at once (a Bucket4j local bucket is lock-free; the map lock is held for
 * one lookup only).
 *
 * <p>Memory is bounded by {@code maxKeys} buckets over all limits together; beyond it the least
 * recently used bucket is dropped. <b>An evicted key starts full again</b>, so the bound must be
 * well above the number of keys active within one window, or a flood of new keys (addresses) would
 * reset the limits of the others. A limit name stands for one limit: its bucket keeps the capacity
 * and window it was created with until it is evicted.
 */
public final class LocalRateLimiter implements RateLimiter {
  /** A default bound: a bucket with its key costs a few hundred bytes. */
  public static final int DEFAULT_MAX_KEYS = 100_000;

  private record BucketKey(String limit, String key) {}

  // access-ordered, guarded by itself
  private final LinkedHashMap<BucketKey, Bucket> buckets;

  /**
   * @param maxKeys how many (limit, key) buckets are kept, at least 1
   * @throws IllegalArgumentException if {@code maxKeys} is below 1
   */
  public LocalRateLimiter(int maxKeys) {
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be at least 1");
    }
    this.buckets =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<BucketKey, Bucket> eldest) {
            return size() > maxKeys;
          }
        };
  }

  public LocalRateLimiter() {
    this(DEFAULT_MAX_KEYS);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Always answered synchronously; never fails with {@code server_busy}.
   */
  @Override
  public Future<Decision> tryConsume(Limit limit, String key) {
    AspException invalid = Buckets.invalidKey(key);
    if (invalid != null) {
      return Future.failedFuture(invalid);
    }
    Bucket bucket;
    synchronized (buckets) {
      bucket =
          buckets.computeIfAbsent(
              new BucketKey(limit.name(), key),
              // nanoTime, not the wall clock: a clock step must not stall or hasten a refill
              k ->
                  Bucket.builder()
                      .addLimit(Buckets.bandwidth(limit))
                      .withNanosecondPrecision()
                      .build());
    }
    // Outside the lock: should another thread evict this bucket meanwhile, the token is taken
    // from a bucket nobody sees again, which is what eviction means anyway (the key starts full).
    return Future.succeededFuture(Buckets.decision(bucket.tryConsumeAndReturnRemaining(1)));
  }

  /** How many buckets are held (for tests and metrics). */
  public int size() {
    synchronized (buckets) {
      return buckets.size();
    }
  }
}
