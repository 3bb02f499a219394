package dev.asp.operator.management;

import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A check that runs at most once at a time: probes arriving while it runs share its outcome, and
 * each probe waits at most the timeout. A hung dependency therefore costs one stuck attempt, never
 * a pile of them, and never a hung probe. Used from one context only (the management verticle's).
 */
final class Coalesced<T> {
  private final Supplier<Future<T>> attempt;
  private Future<T> running;

  Coalesced(Supplier<Future<T>> attempt) {
    this.attempt = attempt;
  }

  Future<T> get(long timeoutMs) {
    Future<T> current = running;
    if (current == null) {
      Future<T> fresh;
      try {
        fresh = attempt.get();
      } catch (RuntimeException e) {
        fresh = Future.failedFuture(e);
      }
      // assigned before the completion handler: an attempt may complete at once
      running = fresh;
      Future<T> started = fresh;
      started.onComplete(
          done -> {
            if (running == started) {
              running = null;
            }
          });
      current = fresh;
    }
    return current.isComplete() ? current : current.timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }
}
