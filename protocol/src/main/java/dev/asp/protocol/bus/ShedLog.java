package dev.asp.protocol.bus;

import org.slf4j.Logger;

/**
 * Logs requests shed under overload as one line per interval rather than one stack trace per
 * request: a log that grows with the overload would make it worse. Confined to one context.
 */
final class ShedLog {
  static final long INTERVAL_MS = 5_000;

  private final Logger log;
  private long windowStart;
  private long count;

  ShedLog(Logger log) {
    this.log = log;
  }

  void count(String address) {
    count(address, System.currentTimeMillis());
  }

  /** Returns whether this call wrote the line. */
  boolean count(String address, long now) {
    count++;
    if (windowStart != 0 && now - windowStart < INTERVAL_MS) {
      return false;
    }
    log.warn(
        "{}: shed {} request(s) in the last {} s: the database pool's wait queue is full"
            + " (answered 503; see ASP_DATABASE_POOL_SIZE and ASP_DATABASE_WAIT_QUEUE)",
        address,
        count,
        windowStart == 0 ? 0 : (now - windowStart) / 1000);
    windowStart = now;
    count = 0;
    return true;
  }
}
