package dev.asp.operator.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/**
 * One flat JSON object per log line, for log pipelines: {@code {"time", "level", "logger",
 * "thread", "message", <key-value pairs>, <MDC entries>, "exception"?}}. The key-value pairs of the
 * SLF4J fluent API ({@code agent}, {@code session_id}, ...) become top-level fields so they can be
 * filtered on; one that would overwrite a standard field is written as {@code kv_<key>}.
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
  private static final JsonFactory JSON = new JsonFactory();
  private static final Set<String> RESERVED =
      Set.of("time", "level", "logger", "thread", "message", "exception");
  private static final byte[] NEWLINE = "\n".getBytes(StandardCharsets.UTF_8);

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("time", event.getInstant().toString());
      json.writeStringField("level", event.getLevel().toString());
      json.writeStringField("logger", event.getLoggerName());
      json.writeStringField("thread", event.getThreadName());
      json.writeStringField("message", event.getFormattedMessage());
      List<KeyValuePair> pairs = event.getKeyValuePairs();
      if (pairs != null) {
        for (KeyValuePair pair : pairs) {
          writeField(json, pair.key, pair.value);
        }
      }
      Map<String, String> mdc = event.getMDCPropertyMap();
      if (mdc != null) {
        for (Map.Entry<String, String> entry : mdc.entrySet()) {
          writeField(json, entry.getKey(), entry.getValue());
        }
      }
      IThrowableProxy throwable = event.getThrowableProxy();
      if (throwable != null) {
        json.writeStringField("exception", ThrowableProxyUtil.asString(throwable));
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.writeBytes(NEWLINE);
    return out.toByteArray();
  }

  private static void writeField(JsonGenerator json, String key, Object value) throws IOException {
    json.writeFieldName(RESERVED.contains(key) ? "kv_" + key : key);
    if (value == null) {
      json.writeNull();
    } else if (value instanceof Integer || value instanceof Long) {
      json.writeNumber(((Number) value).longValue());
    } else if (value instanceof Number number) {
      json.writeNumber(number.doubleValue());
    } else if (value instanceof Boolean bool) {
      json.writeBoolean(bool);
    } else {
      json.writeString(String.valueOf(value));
    }
  }
}
