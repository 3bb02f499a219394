package dev.asp.operator.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.util.Iterator;
import java.util.Locale;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * How the operator writes its log lines ({@code ASP_LOG_FORMAT}): {@link #TEXT} for people (the
 * pattern of {@code logback.xml}, key-value pairs appended as {@code key="value"}), {@link #JSON}
 * for log pipelines (one object per line, see {@link JsonLineEncoder}). Chosen at start-up, before
 * the first line is written, by swapping the encoder of the root logger's appenders.
 */
public enum LogFormat {
  TEXT,
  JSON;

  /** The text pattern, also in {@code logback.xml}. */
  public static final String TEXT_PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} - "
          + "%msg%replace( %kvp){'^ $', ''}%n";

  public static LogFormat parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "text" -> TEXT;
      case "json" -> JSON;
      default -> throw new IllegalArgumentException("must be text or json (got '" + text + "')");
    };
  }

  /** The format {@code text} names, or {@link #TEXT} when it names none (an invalid setting). */
  public static LogFormat orText(String text) {
    try {
      return text == null ? TEXT : parse(text);
    } catch (IllegalArgumentException e) {
      return TEXT;
    }
  }

  /** Makes every output appender of the root logger write in this format; no-op without logback. */
  public void apply() {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext context)) {
      return;
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof OutputStreamAppender<ILoggingEvent> appender) {
        Encoder<ILoggingEvent> current = appender.getEncoder();
        boolean json = current instanceof JsonLineEncoder;
        if (json == (this == JSON)) {
          continue;
        }
        Encoder<ILoggingEvent> encoder = this == JSON ? new JsonLineEncoder() : textEncoder();
        encoder.setContext(context);
        encoder.start();
        appender.stop();
        appender.setEncoder(encoder);
        appender.start();
      }
    }
  }

  private static Encoder<ILoggingEvent> textEncoder() {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setPattern(TEXT_PATTERN);
    return encoder;
  }
}
