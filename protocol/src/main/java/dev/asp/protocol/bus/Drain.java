package dev.asp.protocol.bus;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/** Waiting for work to finish when stopping, but never longer than a bound. */
public final class Drain {
  private Drain() {}

  /** Completes when {@code work} does (successfully or not) or after {@code ms}, never failing. */
  public static Future<Void> within(Vertx vertx, Future<Void> work, long ms) {
    Promise<Void> done = Promise.promise();
    long timer = vertx.setTimer(ms, t -> done.tryComplete());
    work.onComplete(
        r -> {
          vertx.cancelTimer(timer);
          done.tryComplete();
        });
    return done.future();
  }
}
