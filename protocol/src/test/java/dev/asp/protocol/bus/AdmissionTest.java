package dev.asp.protocol.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Admission: a bounded number of requests in flight, the rest in arrival order")
class AdmissionTest {

  @Test
  @DisplayName("starts at most the limit, then one more as each completes, first come first served")
  void pacesInArrivalOrder() {
    Admission admission = new Admission(2);
    List<Promise<Integer>> started = new ArrayList<>();
    List<Future<Integer>> results = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      results.add(
          admission.submit(
              () -> {
                Promise<Integer> promise = Promise.promise();
                started.add(promise);
                return promise.future();
              }));
    }
    assertEquals(2, started.size());
    assertEquals(3, admission.waiting());

    started.get(1).complete(1);
    assertEquals(3, started.size());
    assertEquals(Integer.valueOf(1), results.get(1).result());
    assertFalse(results.get(2).isComplete());

    started.get(0).fail("boom");
    assertEquals(4, started.size());
    assertTrue(results.get(0).failed());

    started.get(2).complete(2);
    started.get(3).complete(3);
    started.get(4).complete(4);
    assertEquals(5, started.size());
    assertEquals(0, admission.waiting());
    for (int i = 2; i < 5; i++) {
      assertEquals(Integer.valueOf(i), results.get(i).result());
    }
  }

  @Test
  @DisplayName("a request that throws fails its own future and frees its place")
  void throwingRequest() {
    Admission admission = new Admission(1);
    Future<Object> thrown =
        admission.submit(
            () -> {
              throw new IllegalStateException("no");
            });
    assertTrue(thrown.failed());
    assertEquals(Integer.valueOf(7), admission.submit(() -> Future.succeededFuture(7)).result());
  }
}
