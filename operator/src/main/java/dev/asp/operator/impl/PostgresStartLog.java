package dev.asp.operator.impl;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * What PostgreSQL said while it was starting, kept so that a start that fails can say why ({@code
 * FATAL: …}, {@code HINT: …}). The library logs the server's output line by line at INFO under its
 * own logger, which the operator's log shows only from WARN; this listens to those lines without
 * changing what is shown. Bounded: the last {@value #MAX_LINES} telling lines.
 *
 * <p>When {@code pg_ctl} says it could not start the server, waiting on for connections is
 * pointless: the thread that waits (the library polls with sleeps, and an interrupt ends its wait)
 * is interrupted, and {@link #gaveUp()} tells it why it returned.
 */
public final class PostgresStartLog extends TurboFilter implements AutoCloseable {
  private static final String LIBRARY = "io.zonky.test.db.postgres";
  private static final Pattern TELLING =
      Pattern.compile("\\b(FATAL|PANIC|ERROR|HINT|DETAIL):|pg_ctl: ");
  private static final int MAX_LINES = 8;
  private static final String GAVE_UP = "pg_ctl: could not start server";

  private final Deque<String> lines = new ArrayDeque<>();
  private final LoggerContext context;
  private final Thread waiter;
  private boolean waiting = true;
  private boolean gaveUp;

  private PostgresStartLog(LoggerContext context, Thread waiter) {
    this.context = context;
    this.waiter = waiter;
  }

  /**
   * Listens from now on (nothing is kept when the log is not Logback's), on behalf of the calling
   * thread, which waits for PostgreSQL until {@link #close()}.
   */
  public static PostgresStartLog listen() {
    PostgresStartLog log =
        new PostgresStartLog(
            LoggerFactory.getILoggerFactory() instanceof LoggerContext context ? context : null,
            Thread.currentThread());
    if (log.context != null) {
      log.start();
      log.context.addTurboFilter(log);
    }
    return log;
  }

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (format != null
        && logger != null
        && logger.getName().startsWith(LIBRARY)
        && TELLING.matcher(format).find()) {
      synchronized (lines) {
        if (lines.size() == MAX_LINES) {
          lines.removeFirst();
        }
        lines.addLast(format.strip());
        if (format.contains(GAVE_UP) && waiting && !gaveUp) {
          gaveUp = true;
          waiter.interrupt();
        }
      }
    }
    return FilterReply.NEUTRAL;
  }

  /**
   * Whether {@code pg_ctl} gave up (the waiting thread was interrupted for it: its interrupt flag
   * is cleared here).
   */
  public boolean gaveUp() {
    synchronized (lines) {
      waiting = false;
      if (gaveUp) {
        Thread.interrupted();
      }
      return gaveUp;
    }
  }

  /** The telling lines so far, one per line; empty when PostgreSQL said nothing of note. */
  public String said() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  @Override
  public void close() {
    gaveUp(); // no interrupt after this
    if (context != null) {
      context.getTurboFilterList().remove(this);
    }
  }
}
