package dev.asp.operator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.asp.gateway.limits.AuthThrottle;
import dev.asp.gateway.limits.Decision;
import dev.asp.gateway.limits.Limit;
import dev.asp.gateway.limits.RateLimiter;
import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.a2a.A2aError;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two Hazelcast members in this JVM, on loopback, configured as the operator configures its own: a
 * bucket is one, whichever member a request comes through.
 */
@DisplayName("Cluster-wide rate limits on Hazelcast")
class HazelcastRateLimiterTest {
  private static final Limit HOUR = new Limit("poll", 5, 3_600_000);

  /** A bucket map kept 2 s after its last write, to watch expiry without waiting an hour. */
  private static final String SHORT_MAP = "asp.ratelimits.test-short";

  private static HazelcastInstance first;
  private static HazelcastInstance second;
  private static RateLimiter viaFirst;
  private static RateLimiter viaSecond;

  @BeforeAll
  static void startMembers() {
    String cluster = "limits-" + UUID.randomUUID();
    first = Hazelcast.newHazelcastInstance(member(cluster, List.of(), "node_1"));
    int port = first.getCluster().getLocalMember().getAddress().getPort();
    second =
        Hazelcast.newHazelcastInstance(member(cluster, List.of("127.0.0.1:" + port), "node_2"));
    eventually("both members see a cluster of two", () -> clusterSize() == 2);
    viaFirst = new HazelcastRateLimiter(first);
    viaSecond = new HazelcastRateLimiter(second);
  }

  @AfterAll
  static void stopMembers() {
    if (second != null) {
      second.shutdown();
    }
    if (first != null) {
      first.shutdown();
    }
  }

  /** The operator's configuration, on an OS-chosen port of 127.0.0.1, joining {@code members}. */
  private static Config member(String cluster, List<String> members, String nodeId) {
    ClusterSettings settings =
        new ClusterSettings(
            ClusterSettings.Mode.TCP_IP,
            cluster,
            0,
            members,
            null,
            "127.0.0.1",
            1,
            10,
            0,
            30,
            null,
            null,
            0,
            60,
            null);
    Config config = HazelcastConfigs.build(settings, nodeId);
    config.addMapConfig(new MapConfig(SHORT_MAP).setTimeToLiveSeconds(2));
    return config;
  }

  private static int clusterSize() {
    return Math.min(
        first.getCluster().getMembers().size(), second.getCluster().getMembers().size());
  }

  private static void eventually(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static String freshKey() {
    return "node_" + UUID.randomUUID();
  }

  private static Decision take(RateLimiter limiter, Limit limit, String key) {
    return limiter.tryConsume(limit, key).await();
  }

  @Test
  @DisplayName(
      "failed authentications from one address through one node spend its budget on the other")
  void failedAuthenticationsHoldAcrossTheCluster() {
    Limit failures = new Limit("auth.failures", 3, 3_600_000);
    AuthThrottle onFirst = new AuthThrottle(viaFirst, failures, false, 100);
    AuthThrottle onSecond = new AuthThrottle(viaSecond, failures, false, 100);
    String address = freshKey(); // stands for a client address, unused by other tests
    Future<String> wrong =
        Future.failedFuture(new AspException(ErrorCode.UNAUTHENTICATED, "invalid token"));
    for (AuthThrottle throttle : List.of(onFirst, onSecond, onFirst)) {
      AspException failure = failureOf(throttle.guard(address, () -> wrong));
      assertEquals(ErrorCode.UNAUTHENTICATED, failure.code(), "within the budget: a plain 401");
    }
    AspException refused = failureOf(onSecond.guard(address, () -> wrong));
    assertEquals(ErrorCode.RATE_LIMITED, refused.code(), "the fourth, on either node, is a 429");
    assertTrue(AuthThrottle.Throttled.of(refused).retryAfterSeconds() >= 1);
    assertTrue(onSecond.throttled(address), "and the address is refused there without lookups");
    assertFalse(onSecond.throttled("10.0.1.1"), "other addresses are not");
  }

  private static AspException failureOf(Future<String> future) {
    return AspException.from(future.transform(Future::succeededFuture).await().cause());
  }

  @Test
  @DisplayName("requests alternating between two members get exactly the capacity in total")
  void alternatingMembersShareOneBucket() {
    String key = freshKey();
    List<Decision> decisions = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      decisions.add(take(i % 2 == 0 ? viaFirst : viaSecond, HOUR, key));
    }
    assertEquals(5, decisions.stream().filter(Decision::allowed).count());
    for (Decision refused : decisions.subList(5, 12)) {
      assertFalse(refused.allowed());
      assertTrue(
          refused.retryAfterMs() > 3_600_000 - 60_000 && refused.retryAfterMs() <= 3_600_000,
          "retry after " + refused.retryAfterMs());
    }
    assertTrue(take(viaFirst, HOUR, freshKey()).allowed(), "another key has its own bucket");
    assertTrue(
        take(viaSecond, new Limit("heartbeat", 1, 60_000), key).allowed(),
        "another limit on the same key has its own bucket");
  }

  @Test
  @DisplayName("requests arriving at both members at once never share out more than the capacity")
  void concurrentRequestsAreSerialized() {
    String key = freshKey();
    Limit limit = new Limit("hello", 7, 3_600_000);
    List<Future<Decision>> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(viaFirst.tryConsume(limit, key));
      all.add(viaSecond.tryConsume(limit, key));
    }
    Future.all(all).await();
    assertEquals(7, all.stream().filter(decision -> decision.result().allowed()).count());
  }

  @Test
  @DisplayName("a limiter created later on a member sees what the others consumed")
  void laterLimiterSeesTheSameBucket() {
    String key = freshKey();
    assertTrue(take(viaFirst, HOUR, key).allowed());
    assertTrue(take(viaSecond, HOUR, key).allowed());
    assertTrue(take(viaFirst, HOUR, key).allowed());
    RateLimiter third = new HazelcastRateLimiter(second);
    assertTrue(take(third, HOUR, key).allowed());
    assertTrue(take(third, HOUR, key).allowed());
    assertFalse(take(third, HOUR, key).allowed(), "5 of 5 were taken");
    assertFalse(take(viaFirst, HOUR, key).allowed());
  }

  @Test
  @DisplayName("the decision arrives on the Vert.x context that asked")
  void answersOnTheCallersContext() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Context context = vertx.getOrCreateContext();
      CompletableFuture<Context> answeredOn = new CompletableFuture<>();
      context.runOnContext(
          v ->
              viaSecond
                  .tryConsume(HOUR, freshKey())
                  .onComplete(
                      decision -> answeredOn.complete(Vertx.currentContext()),
                      answeredOn::completeExceptionally));
      assertSame(context, answeredOn.get(15, TimeUnit.SECONDS));
    } finally {
      vertx.close().await();
    }
  }

  @Test
  @DisplayName("a bucket stays while it is used, and goes once unused for longer than the TTL")
  void unusedBucketsExpire() throws InterruptedException {
    HazelcastRateLimiter limiter = new HazelcastRateLimiter(first, SHORT_MAP);
    Limit limit = new Limit("poll", 100, 1_000);
    String key = freshKey();
    String entry = "poll:" + key;
    // Writes keep it alive beyond the 2 s TTL: Hazelcast counts the TTL from the last update,
    // which is what makes expiry safe (a bucket unused for a whole window is full anyway).
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3_000);
    while (System.nanoTime() < until) {
      assertTrue(take(limiter, limit, key).allowed());
      assertTrue(second.getMap(SHORT_MAP).containsKey(entry), "kept while in use");
      Thread.sleep(400);
    }
    eventually("the unused bucket expired", () -> !second.getMap(SHORT_MAP).containsKey(entry));
  }

  @Test
  @DisplayName("an invalid key is a validation error, an unreachable cluster is server_busy")
  void failures() {
    Throwable invalid = viaFirst.tryConsume(HOUR, "").cause();
    assertEquals(A2aError.VALIDATION_ERROR, assertInstanceOf(AspException.class, invalid).a2a());

    HazelcastInstance alone =
        Hazelcast.newHazelcastInstance(member("alone-" + UUID.randomUUID(), List.of(), "node_3"));
    RateLimiter limiter;
    try {
      limiter = new HazelcastRateLimiter(alone);
      assertTrue(take(limiter, HOUR, freshKey()).allowed());
    } finally {
      alone.shutdown();
    }
    Future<Decision> decision = limiter.tryConsume(HOUR, freshKey());
    Throwable failure = assertThrows(AspException.class, decision::await);
    assertEquals(A2aError.SERVER_BUSY, ((AspException) failure).a2a());
  }
}
