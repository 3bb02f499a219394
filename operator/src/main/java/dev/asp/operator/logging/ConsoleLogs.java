package dev.asp.operator.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import java.util.Iterator;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Where console log lines go. The jar's {@code logback.xml} writes them to standard output, which
 * is right for the operator (a container's log) but wrong for a tool whose standard output is its
 * data: {@link #toStandardError()} moves them off it.
 */
public final class ConsoleLogs {
  private ConsoleLogs() {}

  /**
   * Makes every console appender of the root logger write to standard error; no-op without logback.
   */
  public static void toStandardError() {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext context)) {
      return;
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof ConsoleAppender<ILoggingEvent> console) {
        console.stop();
        console.setTarget("System.err");
        console.start();
      }
    }
  }
}
