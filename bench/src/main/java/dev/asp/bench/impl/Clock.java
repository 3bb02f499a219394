package dev.asp.bench.impl;

/**
 * Epoch nanoseconds with the resolution and monotonicity of {@link System#nanoTime()}: the offset
 * to the wall clock is taken once per process, so two readings in this process subtract exactly,
 * and readings of processes on one machine (several drivers) agree to within the wall clock's
 * error.
 */
public final class Clock {
  private static final long OFFSET = System.currentTimeMillis() * 1_000_000L - System.nanoTime();

  private Clock() {}

  public static long epochNanos() {
    return OFFSET + System.nanoTime();
  }
}
