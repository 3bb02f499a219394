package dev.asp.gateway.limits;

import java.util.regex.Pattern;

/**
 * A named limit: at most {@code capacity} requests per {@code windowMs} per key. The whole capacity
 * comes back at once when a window has passed since the bucket last refilled, so a key never gets
 * more than {@code capacity} requests in any one window (and at most twice that across a window
 * boundary).
 *
 * @param name what is limited ({@code hello}, {@code heartbeat}, {@code poll}): 1..64 of {@code
 *     [a-z0-9_.-]}, so that {@code name + ":" + key} names one bucket only
 * @param capacity requests allowed per window, at least 1
 * @param windowMs the window, at least 1 ms
 * @throws IllegalArgumentException if any of them is out of range
 */
public record Limit(String name, long capacity, long windowMs) {
  private static final Pattern NAME = Pattern.compile("[a-z0-9_.-]{1,64}");

  public Limit {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a limit name is 1..64 of [a-z0-9_.-]");
    }
    if (capacity < 1) {
      throw new IllegalArgumentException("limit '" + name + "': capacity must be at least 1");
    }
    if (windowMs < 1) {
      throw new IllegalArgumentException("limit '" + name + "': window must be at least 1 ms");
    }
  }
}
