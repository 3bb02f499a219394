package dev.asp.operator.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A readiness check")
class CoalescedTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** Runs {@code action} on a Vert.x context, as the management verticle does, and waits. */
  private <T> T onContext(java.util.concurrent.Callable<Future<T>> action) throws Exception {
    Promise<T> result = Promise.promise();
    vertx
        .getOrCreateContext()
        .runOnContext(
            v -> {
              try {
                action.call().onComplete(result);
              } catch (Exception e) {
                result.fail(e);
              }
            });
    return result.future().toCompletionStage().toCompletableFuture().get();
  }

  @Test
  @DisplayName("against a hung dependency: answers in time, and never piles up attempts")
  void hung() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    Coalesced<String> check =
        new Coalesced<>(
            () -> {
              attempts.incrementAndGet();
              return Promise.<String>promise().future(); // never completes
            });
    for (int i = 0; i < 3; i++) {
      long started = System.currentTimeMillis();
      Throwable failure =
          onContext(() -> check.get(100).map(v -> (Throwable) null).otherwise(f -> f));
      assertInstanceOf(TimeoutException.class, failure);
      assertTrue(System.currentTimeMillis() - started < 2_000);
    }
    assertEquals(1, attempts.get(), "one stuck attempt, shared");
  }

  @Test
  @DisplayName("runs a fresh attempt once the previous one completed, also when it failed at once")
  void fresh() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    Coalesced<Integer> check =
        new Coalesced<>(
            () -> {
              int n = attempts.incrementAndGet();
              return n == 1 ? Future.failedFuture("down") : Future.succeededFuture(n);
            });
    assertEquals(-1, onContext(() -> check.get(100).otherwise(-1)));
    assertEquals(2, onContext(() -> check.get(100)));
    assertEquals(3, onContext(() -> check.get(100)));
  }
}
