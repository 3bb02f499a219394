package dev.asp.protocol.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

@DisplayName("Overload: shed requests are 503 and logged once per interval")
class ShedLogTest {

  @Test
  @DisplayName("a full database pool queue is unavailable (503, retryable), not internal_error")
  void poolTooBusyIsUnavailable() {
    AspException error =
        AspException.from(new ConnectionPoolTooBusyException("max wait queue size reached"));
    assertEquals(ErrorCode.UNAVAILABLE, error.code());
    assertEquals(503, error.code().httpStatus());
    assertTrue(AspException.overloaded(error));
    assertFalse(AspException.overloaded(new IllegalStateException("other")));
  }

  @Test
  @DisplayName("the first shed request is logged, then at most one line per interval")
  void oneLinePerInterval() {
    ShedLog log = new ShedLog(LoggerFactory.getLogger(ShedLogTest.class));
    long t = 1_000_000;
    assertTrue(log.count("asp.session", t));
    assertFalse(log.count("asp.session", t + 1));
    assertFalse(log.count("asp.session", t + ShedLog.INTERVAL_MS - 1));
    assertTrue(log.count("asp.session", t + ShedLog.INTERVAL_MS));
    assertFalse(log.count("asp.session", t + ShedLog.INTERVAL_MS + 10));
  }
}
