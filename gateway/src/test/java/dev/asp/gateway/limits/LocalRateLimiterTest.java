package dev.asp.gateway.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.AspException;
import dev.asp.protocol.a2a.A2aError;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("In-JVM rate limits")
class LocalRateLimiterTest {
  private static final Limit HOUR = new Limit("hello", 3, 3_600_000);

  private static Decision take(RateLimiter limiter, Limit limit, String key) {
    return limiter.tryConsume(limit, key).await();
  }

  /** Takes until refused; returns how many were allowed (never more than {@code most}). */
  private static int drain(RateLimiter limiter, Limit limit, String key, int most) {
    int allowed = 0;
    while (allowed <= most && take(limiter, limit, key).allowed()) {
      allowed++;
    }
    return allowed;
  }

  @Test
  @DisplayName("N requests per window are allowed, the next is refused with the wait until a token")
  void capacityThenRefused() {
    LocalRateLimiter limiter = new LocalRateLimiter(100);
    for (int i = 0; i < 3; i++) {
      assertEquals(Decision.ALLOWED, take(limiter, HOUR, "10.0.0.1"));
    }
    Decision refused = take(limiter, HOUR, "10.0.0.1");
    assertFalse(refused.allowed());
    // the whole window, less the few milliseconds this test took
    assertTrue(
        refused.retryAfterMs() > 3_600_000 - 60_000 && refused.retryAfterMs() <= 3_600_000,
        "retry after " + refused.retryAfterMs());
    assertFalse(take(limiter, HOUR, "10.0.0.1").allowed(), "a refusal gives nothing back");
  }

  @Test
  @DisplayName("another key, or another limit on the same key, has its own bucket")
  void independentBuckets() {
    LocalRateLimiter limiter = new LocalRateLimiter(100);
    assertEquals(3, drain(limiter, HOUR, "node_a", 10));
    assertEquals(3, drain(limiter, HOUR, "node_b", 10));
    assertEquals(2, drain(limiter, new Limit("heartbeat", 2, 3_600_000), "node_a", 10));
    assertEquals(3, limiter.size());
  }

  @Test
  @DisplayName("once the window has passed, the whole capacity is back")
  void refillsAfterTheWindow() throws InterruptedException {
    Limit limit = new Limit("poll", 3, 300);
    LocalRateLimiter limiter = new LocalRateLimiter(100);
    assertEquals(3, drain(limiter, limit, "node_a", 10));
    Decision refused = take(limiter, limit, "node_a");
    assertTrue(refused.retryAfterMs() >= 1 && refused.retryAfterMs() <= 300);
    // no earlier: the refill is intervally, not a trickle
    Thread.sleep(refused.retryAfterMs() / 2);
    assertFalse(take(limiter, limit, "node_a").allowed());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    boolean back = false;
    while (!back && System.nanoTime() < deadline) {
      back = take(limiter, limit, "node_a").allowed();
      if (!back) {
        Thread.sleep(10);
      }
    }
    assertTrue(back, "a token came back within 5 s of a 300 ms window");
    assertEquals(2, drain(limiter, limit, "node_a", 10), "all three came back at once");
  }

  @Test
  @DisplayName("beyond the key bound the least recently used bucket goes, and starts full again")
  void boundEvictsLeastRecentlyUsed() {
    LocalRateLimiter limiter = new LocalRateLimiter(2);
    assertEquals(3, drain(limiter, HOUR, "a", 10));
    assertEquals(3, drain(limiter, HOUR, "b", 10));
    assertFalse(take(limiter, HOUR, "a").allowed()); // a is now the most recently used
    take(limiter, HOUR, "c"); // evicts b
    assertEquals(2, limiter.size());
    assertFalse(take(limiter, HOUR, "a").allowed(), "a was kept");
    assertEquals(3, drain(limiter, HOUR, "b", 10), "b was evicted and starts full");
  }

  @Test
  @DisplayName("gateway instances on several threads sharing one limiter get exactly N in total")
  void threadSafe() throws Exception {
    LocalRateLimiter limiter = new LocalRateLimiter(100);
    Limit limit = new Limit("heartbeat", 250, 3_600_000);
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> counts = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        counts.add(
            threads.submit(
                () -> {
                  int allowed = 0;
                  for (int i = 0; i < 200; i++) {
                    if (limiter.tryConsume(limit, "node_a").result().allowed()) {
                      allowed++;
                    }
                  }
                  return allowed;
                }));
      }
      int total = 0;
      for (Future<Integer> count : counts) {
        total += count.get(30, TimeUnit.SECONDS);
      }
      assertEquals(250, total);
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  @DisplayName("an empty or oversized key is a validation error and creates no bucket")
  void badKeys() {
    LocalRateLimiter limiter = new LocalRateLimiter(100);
    for (String key : new String[] {null, "", "x".repeat(RateLimiter.MAX_KEY_LENGTH + 1)}) {
      Throwable failure = limiter.tryConsume(HOUR, key).cause();
      AspException error = assertInstanceOf(AspException.class, failure);
      assertEquals(A2aError.VALIDATION_ERROR, error.a2a());
    }
    assertTrue(take(limiter, HOUR, "x".repeat(RateLimiter.MAX_KEY_LENGTH)).allowed());
    assertEquals(1, limiter.size());
  }

  @Test
  @DisplayName("limits and decisions reject values out of range")
  void contracts() {
    assertThrows(IllegalArgumentException.class, () -> new Limit("a:b", 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new Limit("", 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new Limit("poll", 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new Limit("poll", 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new LocalRateLimiter(0));
    assertThrows(IllegalArgumentException.class, () -> new Decision(false, 0));
    assertThrows(IllegalArgumentException.class, () -> new Decision(true, 5));
    assertEquals(new Decision(false, 1), Decision.refusedForNanos(1));
    assertEquals(new Decision(false, 2), Decision.refusedForNanos(1_000_001));
    assertEquals(new Decision(false, 1), Decision.refusedForNanos(0));
  }
}
