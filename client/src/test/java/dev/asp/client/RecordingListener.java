package dev.asp.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Records what an {@link AspEventStream} tells its listener; tests wait on it. */
final class RecordingListener implements AspEventStream.Listener {
  final List<Integer> connects = new ArrayList<>();
  final List<Short> disconnectCodes = new ArrayList<>();
  final List<String> disconnectReasons = new ArrayList<>();
  final List<Throwable> failures = new ArrayList<>();
  final List<Duration> retries = new ArrayList<>();
  final List<String> invalidFrames = new ArrayList<>();
  final List<Throwable> stops = new ArrayList<>();
  final List<String> threads = new ArrayList<>();

  @Override
  public synchronized void connected(int connections) {
    connects.add(connections);
    changed();
  }

  @Override
  public synchronized void disconnected(Short closeCode, String closeReason) {
    disconnectCodes.add(closeCode);
    disconnectReasons.add(closeReason);
    changed();
  }

  @Override
  public synchronized void connectFailed(Throwable cause, Duration retryIn) {
    failures.add(cause);
    retries.add(retryIn);
    changed();
  }

  @Override
  public synchronized void invalidFrame(String frame, RuntimeException error) {
    invalidFrames.add(frame);
    changed();
  }

  @Override
  public synchronized void stopped(Throwable cause) {
    stops.add(cause);
    changed();
  }

  private void changed() {
    threads.add(Thread.currentThread().getName());
    notifyAll();
  }

  /** Waits until {@code condition} holds over this listener (read under its lock). */
  synchronized void await(Predicate<RecordingListener> condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.test(this)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IllegalStateException("listener condition not met; " + this);
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  /** A copy of one of the lists, read under the lock. */
  synchronized <T> List<T> copy(List<T> list) {
    return new ArrayList<>(list);
  }

  @Override
  public synchronized String toString() {
    return "connects="
        + connects
        + " disconnects="
        + disconnectCodes
        + " failures="
        + failures.size()
        + " invalid="
        + invalidFrames.size()
        + " stops="
        + stops;
  }
}
