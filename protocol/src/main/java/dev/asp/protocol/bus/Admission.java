package dev.asp.protocol.bus;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * At most {@code limit} requests of one caller in flight; the others wait their turn in arrival
 * order. A caller whose requests each belong to something already bounded (a connection, an agent)
 * uses it to pace a burst (thousands of agents reconnecting at once) instead of letting the
 * receiving side shed it. Confined to one context: create, submit and complete on the same one.
 */
public final class Admission {
  private final int limit;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int running;

  public Admission(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1");
    }
    this.limit = limit;
  }

  public <T> Future<T> submit(Supplier<Future<T>> request) {
    Promise<T> result = Promise.promise();
    Runnable start =
        () -> {
          running++;
          Future<T> sent;
          try {
            sent = request.get();
          } catch (RuntimeException e) {
            sent = Future.failedFuture(e);
          }
          sent.onComplete(
              done -> {
                running--;
                Runnable next = waiting.poll();
                if (next != null) {
                  next.run();
                }
                result.handle(done);
              });
        };
    if (running < limit) {
      start.run();
    } else {
      waiting.add(start);
    }
    return result.future();
  }

  /** Requests waiting for their turn. */
  public int waiting() {
    return waiting.size();
  }
}
