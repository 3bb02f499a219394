package dev.asp.bench.impl;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Runs an asynchronous step over many items with at most {@code parallelism} in flight, so set-up
 * (creating sessions, joining, opening sockets) is fast without flooding the operator. The result
 * fails with the first failure, after every started step has finished.
 */
public final class Parallel {
  private Parallel() {}

  public static <T> Future<Void> forEach(
      List<T> items, int parallelism, Function<T, Future<?>> step) {
    Promise<Void> done = Promise.promise();
    if (items.isEmpty()) {
      done.complete();
      return done.future();
    }
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Runnable[] launch = new Runnable[1];
    launch[0] =
        () -> {
          int i = next.getAndIncrement();
          if (i >= items.size()) {
            return;
          }
          Future<?> result;
          try {
            result = step.apply(items.get(i));
          } catch (RuntimeException e) {
            result = Future.failedFuture(e);
          }
          result.onComplete(
              ar -> {
                if (ar.failed()) {
                  failure.compareAndSet(null, ar.cause());
                }
                if (finished.incrementAndGet() == items.size()) {
                  Throwable cause = failure.get();
                  if (cause == null) {
                    done.complete();
                  } else {
                    done.fail(cause);
                  }
                } else if (failure.get() == null) {
                  launch[0].run();
                } else {
                  // stop starting new steps, but account for the ones never started
                  skipRest(items.size(), next, finished, done, failure);
                }
              });
        };
    for (int k = 0; k < Math.min(parallelism, items.size()); k++) {
      launch[0].run();
    }
    return done.future();
  }

  private static void skipRest(
      int size,
      AtomicInteger next,
      AtomicInteger finished,
      Promise<Void> done,
      AtomicReference<Throwable> failure) {
    while (next.getAndIncrement() < size) {
      if (finished.incrementAndGet() == size) {
        done.tryFail(failure.get());
      }
    }
  }
}
