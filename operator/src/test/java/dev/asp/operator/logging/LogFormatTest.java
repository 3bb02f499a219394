package dev.asp.operator.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

@DisplayName("Log formats")
class LogFormatTest {
  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

  private LoggingEvent event(String message, Throwable failure) {
    Logger logger = context.getLogger("dev.asp.test");
    LoggingEvent event =
        new LoggingEvent(Logger.class.getName(), logger, Level.INFO, message, failure, null);
    return event;
  }

  @Test
  @DisplayName("json: one parseable object per line, key-value pairs as top-level fields")
  void json() {
    LoggingEvent event = event("agent online", new IllegalStateException("boom"));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("agent", "@alice.test"));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("grace_ms", 30000L));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("message", "clash"));
    JsonLineEncoder encoder = new JsonLineEncoder();
    encoder.setContext(context);
    encoder.start();
    String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
    assertTrue(line.endsWith("\n"));
    assertEquals(1, line.split("\n").length, "one line, also with a stack trace");
    JsonObject json = new JsonObject(line);
    assertEquals("INFO", json.getString("level"));
    assertEquals("dev.asp.test", json.getString("logger"));
    assertEquals("agent online", json.getString("message"));
    assertEquals("@alice.test", json.getString("agent"));
    assertEquals(30000L, json.getLong("grace_ms"));
    assertEquals("clash", json.getString("kv_message"));
    assertTrue(json.getString("exception").contains("IllegalStateException: boom"));
    assertTrue(json.getString("time").endsWith("Z"));
  }

  @Test
  @DisplayName("text: key-value pairs follow the message; nothing trails without them")
  void text() {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setPattern(LogFormat.TEXT_PATTERN);
    encoder.setContext(context);
    encoder.start();
    LoggingEvent with = event("session ended", null);
    with.addKeyValuePair(new org.slf4j.event.KeyValuePair("session_id", "ses_1"));
    String line = new String(encoder.encode(with), StandardCharsets.UTF_8);
    assertTrue(line.endsWith("- session ended session_id=\"ses_1\"\n"), line);
    String plain = new String(encoder.encode(event("node up", null)), StandardCharsets.UTF_8);
    assertTrue(plain.endsWith("- node up\n"), "[" + plain + "]");
  }

  @Test
  @DisplayName("ASP_LOG_FORMAT is text or json; applying it swaps the root appenders' encoder")
  void apply() {
    assertEquals(LogFormat.JSON, LogFormat.parse(" JSON "));
    assertThrows(IllegalArgumentException.class, () -> LogFormat.parse("yaml"));
    assertEquals(LogFormat.TEXT, LogFormat.orText("yaml"));
    assertEquals(LogFormat.TEXT, LogFormat.orText(null));
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    try {
      LogFormat.JSON.apply();
      boolean any = false;
      for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
        if (it.next() instanceof OutputStreamAppender<ILoggingEvent> appender) {
          assertInstanceOf(JsonLineEncoder.class, appender.getEncoder());
          assertTrue(appender.isStarted());
          any = true;
        }
      }
      assertTrue(any, "the root logger writes somewhere");
    } finally {
      LogFormat.TEXT.apply();
    }
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof OutputStreamAppender<ILoggingEvent> appender) {
        assertFalse(appender.getEncoder() instanceof JsonLineEncoder);
      }
    }
  }
}
