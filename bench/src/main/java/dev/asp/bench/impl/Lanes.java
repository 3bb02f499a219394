package dev.asp.bench.impl;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;

/**
 * A closed loop: {@code count} sends with at most {@code lanes} in flight, each lane starting its
 * next send when the previous one completes; stops early at {@code deadlineNanos} (epoch nanos).
 * Completes once every lane has stopped.
 */
public final class Lanes {
  private final int count;
  private final int lanes;
  private final long deadlineNanos;
  private final LongFunction<Future<Void>> send;
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger stopped = new AtomicInteger();
  private final Promise<Void> done = Promise.promise();

  private Lanes(int count, int lanes, long deadlineNanos, LongFunction<Future<Void>> send) {
    this.count = count;
    this.lanes = lanes;
    this.deadlineNanos = deadlineNanos;
    this.send = send;
  }

  /** {@code send} gets the message index and must not fail (record failures, then succeed). */
  public static Future<Void> run(
      int count, int lanes, long deadlineNanos, LongFunction<Future<Void>> send) {
    Lanes loop = new Lanes(count, Math.max(1, lanes), deadlineNanos, send);
    for (int i = 0; i < loop.lanes; i++) {
      loop.step();
    }
    return loop.done.future();
  }

  private void step() {
    int index = next.getAndIncrement();
    if (index >= count || Clock.epochNanos() > deadlineNanos) {
      if (stopped.incrementAndGet() == lanes) {
        done.complete();
      }
      return;
    }
    send.apply(index).onComplete(ar -> step());
  }
}
