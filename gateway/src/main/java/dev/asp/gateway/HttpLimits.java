package dev.asp.gateway;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long an HTTP connection may sit without a request, and how many a node keeps open (issue 14
 * item 12: idle connections from a client with no token must not exhaust the file limit).
 *
 * <p>One instance is shared by all gateway verticle instances of a node: the cap counts the node's
 * connections, whichever instance accepted them. Thread-safe.
 *
 * <ul>
 *   <li>{@code headerTimeoutMs}: a connection that has not completed the headers of its first
 *       request this long after it opened is closed (slowloris, raw idle sockets).
 *   <li>{@code idleTimeoutMs}: a keep-alive connection with no request in flight is closed this
 *       long after its last response. A request in flight (a long-poll, an SSE stream) is never
 *       idle, and a WebSocket is left to delivery's own ping and idle handling.
 *   <li>{@code maxConnections}: connections beyond it (WebSockets included) are closed as soon as
 *       they are accepted; the refusals are logged at most once per {@link #LOG_INTERVAL_MS}.
 * </ul>
 */
public final class HttpLimits {
  /** At most one refusal line per this interval, whatever the rate of refusals. */
  public static final long LOG_INTERVAL_MS = 5_000;

  private static final Logger LOG = LoggerFactory.getLogger(HttpLimits.class);

  private final long idleTimeoutMs;
  private final long headerTimeoutMs;
  private final int maxConnections;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong cutHeaders = new AtomicLong();
  private final AtomicLong refusedTotal = new AtomicLong();
  private final AtomicLong cutHeadersTotal = new AtomicLong();
  // so that the first refusal is reported at once
  private final AtomicLong lastLog =
      new AtomicLong(System.nanoTime() - LOG_INTERVAL_MS * 1_000_000);

  /**
   * @throws IllegalArgumentException if a timeout is below 1 ms or the cap below 1
   */
  public HttpLimits(long idleTimeoutMs, long headerTimeoutMs, int maxConnections) {
    if (idleTimeoutMs < 1 || headerTimeoutMs < 1 || maxConnections < 1) {
      throw new IllegalArgumentException("HTTP timeouts and the connection cap must be positive");
    }
    this.idleTimeoutMs = idleTimeoutMs;
    this.headerTimeoutMs = headerTimeoutMs;
    this.maxConnections = maxConnections;
  }

  /** The defaults of {@code ASP_HTTP_*}: 60 s idle, 10 s for headers, 16,000 connections. */
  public static HttpLimits defaults() {
    return new HttpLimits(60_000, 10_000, 16_000);
  }

  public long idleTimeoutMs() {
    return idleTimeoutMs;
  }

  public long headerTimeoutMs() {
    return headerTimeoutMs;
  }

  public int maxConnections() {
    return maxConnections;
  }

  /** Connections open on this node now. */
  public int open() {
    return open.get();
  }

  /** Connections refused at the cap since start. */
  public long refusedTotal() {
    return refusedTotal.get();
  }

  /** Connections closed by the header timeout since start. */
  public long headerTimeoutsTotal() {
    return cutHeadersTotal.get();
  }

  /** Counts a new connection; false (and nothing counted) when the node is at its cap. */
  public boolean tryOpen() {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      refused.incrementAndGet();
      refusedTotal.incrementAndGet();
      report();
      return false;
    }
    return true;
  }

  /** A connection counted by {@link #tryOpen} closed. */
  public void closed() {
    open.decrementAndGet();
  }

  /** A connection was closed because it did not send its request headers in time. */
  public void headerTimedOut() {
    cutHeaders.incrementAndGet();
    cutHeadersTotal.incrementAndGet();
    report();
  }

  /** One line per interval at most, with the counts since the last one (never per connection). */
  private void report() {
    long last = lastLog.get();
    long now = System.nanoTime();
    if (now - last < LOG_INTERVAL_MS * 1_000_000 || !lastLog.compareAndSet(last, now)) {
      return;
    }
    long refusedNow = refused.getAndSet(0);
    long cutNow = cutHeaders.getAndSet(0);
    LOG.warn(
        "HTTP connections in the last {} s: {} refused at the cap of {} (ASP_HTTP_MAX_CONNECTIONS),"
            + " {} closed without complete request headers within {} ms"
            + " (ASP_HTTP_HEADER_TIMEOUT_MS); {} open",
        (now - last + 999_999_999) / 1_000_000_000,
        refusedNow,
        maxConnections,
        cutNow,
        headerTimeoutMs,
        open.get());
  }
}
