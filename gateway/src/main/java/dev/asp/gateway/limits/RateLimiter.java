package dev.asp.gateway.limits;

import io.vertx.core.Future;

/**
 * Token buckets keyed by (limit name, key), e.g. ({@code heartbeat}, a node id) or ({@code hello},
 * a client address). Implementations: {@link LocalRateLimiter} for a single node, the operator's
 * Hazelcast-backed one when clustered (a limit then holds however a key's requests are spread over
 * the nodes).
 */
public interface RateLimiter {
  /** Longest key accepted, in characters: keys are node ids and client addresses. */
  int MAX_KEY_LENGTH = 256;

  /**
   * Takes one token of {@code key}'s bucket for {@code limit}; never blocks the calling event loop.
   * A refused request takes nothing.
   *
   * @return the decision; or failed with {@code AspException} {@code validation_error} when the key
   *     is empty or longer than {@link #MAX_KEY_LENGTH}, and {@code server_busy} when the buckets
   *     cannot be reached (the caller chooses whether to let the request through)
   */
  Future<Decision> tryConsume(Limit limit, String key);
}
