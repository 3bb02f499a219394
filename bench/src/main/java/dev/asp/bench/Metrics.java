package dev.asp.bench;

import dev.asp.bench.impl.Clock;
import dev.asp.client.AspClientException;
import io.vertx.core.http.UpgradeRejectedException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What a run measures, recorded from any thread: accepted messages (2xx POST), delivered message
 * events, end-to-end latency (send to receipt by each participant other than the sender), ack
 * latency (POST round trip), errors by kind, and both counts per second of the run for the
 * throughput-over-time chart. Latencies are recorded in microseconds, up to one hour.
 */
public final class Metrics {
  private static final long HIGHEST_MICROS = 3_600_000_000L;
  private static final int MAX_SECONDS = 3600;

  private final ConcurrentHistogram endToEnd = new ConcurrentHistogram(HIGHEST_MICROS, 3);
  private final ConcurrentHistogram ack = new ConcurrentHistogram(HIGHEST_MICROS, 3);
  private final AtomicLong attempted = new AtomicLong();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong lastDeliveryNanos = new AtomicLong();
  private final AtomicLongArray acceptedPerSecond = new AtomicLongArray(MAX_SECONDS);
  private final AtomicLongArray deliveredPerSecond = new AtomicLongArray(MAX_SECONDS);
  private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
  private volatile long startNanos = Clock.epochNanos();

  /** Marks the start of the measured phase (what is recorded before still counts). */
  public void start() {
    startNanos = Clock.epochNanos();
  }

  /** Forgets everything recorded (after a warm-up whose deliveries have all arrived). */
  public void reset() {
    endToEnd.reset();
    ack.reset();
    attempted.set(0);
    accepted.set(0);
    delivered.set(0);
    lastDeliveryNanos.set(0);
    for (int i = 0; i < MAX_SECONDS; i++) {
      acceptedPerSecond.set(i, 0);
      deliveredPerSecond.set(i, 0);
    }
    errors.clear();
  }

  public long startNanos() {
    return startNanos;
  }

  /** A POST about to be sent. */
  public void attempt() {
    attempted.incrementAndGet();
  }

  public long attempted() {
    return attempted.get();
  }

  /** A 2xx POST of a message sent (or due, in an open model) at {@code sentNanos}. */
  public void accepted(long sentNanos, long nowNanos) {
    accepted.incrementAndGet();
    ack.recordValue(micros(nowNanos - sentNanos));
    bump(acceptedPerSecond, nowNanos);
  }

  /** A message event received; {@code sentNanos} is null when the receiver is the sender. */
  public void delivered(Long sentNanos, long nowNanos) {
    delivered.incrementAndGet();
    lastDeliveryNanos.accumulateAndGet(nowNanos, Math::max);
    bump(deliveredPerSecond, nowNanos);
    if (sentNanos != null) {
      endToEnd.recordValue(micros(nowNanos - sentNanos));
    }
  }

  public void error(Throwable failure) {
    error(kind(failure));
  }

  public void error(String kind) {
    errors.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
  }

  /** "404 not_found", "timeout", or the exception's simple class name. */
  public static String kind(Throwable failure) {
    if (failure instanceof AspClientException e) {
      return e.status() + " " + e.code();
    }
    if (failure instanceof UpgradeRejectedException e) {
      return e.getStatus() + " upgrade";
    }
    if (failure instanceof TimeoutException) {
      return "timeout";
    }
    return failure.getClass().getSimpleName();
  }

  public long accepted() {
    return accepted.get();
  }

  public long delivered() {
    return delivered.get();
  }

  public long lastDeliveryNanos() {
    return lastDeliveryNanos.get();
  }

  public Histogram endToEnd() {
    return endToEnd.copy();
  }

  public Histogram ack() {
    return ack.copy();
  }

  public Map<String, Long> errors() {
    Map<String, Long> copy = new TreeMap<>();
    errors.forEach((kind, n) -> copy.put(kind, n.get()));
    return copy;
  }

  /**
   * Accepted and delivered counts for each whole second since {@link #start()}, up to {@code n}.
   */
  public long[][] perSecond(int n) {
    int seconds = Math.min(n, MAX_SECONDS);
    long[][] series = new long[2][seconds];
    for (int i = 0; i < seconds; i++) {
      series[0][i] = acceptedPerSecond.get(i);
      series[1][i] = deliveredPerSecond.get(i);
    }
    return series;
  }

  private void bump(AtomicLongArray series, long nowNanos) {
    long second = (nowNanos - startNanos) / 1_000_000_000L;
    if (second >= 0 && second < MAX_SECONDS) {
      series.incrementAndGet((int) second);
    }
  }

  private static long micros(long nanos) {
    return Math.max(0, Math.min(HIGHEST_MICROS, nanos / 1000));
  }
}
