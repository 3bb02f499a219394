package dev.asp.protocol.a2a;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class A2aErrorTest {

  @Test
  @DisplayName("A2A and ASP failures travel under distinct bus codes")
  void busCodesAreDistinct() {
    Set<Integer> codes = new HashSet<>();
    for (ErrorCode code : ErrorCode.values()) {
      assertTrue(codes.add(code.busCode()), code.name());
    }
    for (A2aError code : A2aError.values()) {
      assertTrue(codes.add(code.busCode()), code.name());
      assertNull(ErrorCode.fromBusCode(code.busCode()));
    }
  }

  @Test
  @DisplayName("an A2A failure comes back from the bus as itself, with its ASP fallback")
  void roundTrip() {
    for (A2aError code : A2aError.values()) {
      AspException sent = new AspException(code, "why");
      ReplyException onTheWire =
          new ReplyException(ReplyFailure.RECIPIENT_FAILURE, sent.busCode(), sent.getMessage());
      AspException received = AspException.from(onTheWire);
      assertEquals(code, received.a2a());
      assertEquals(code.fallback(), received.code());
      assertEquals("why", received.getMessage());
    }
  }

  @Test
  @DisplayName("every failure has an A2A code: its own, or the one its ASP code stands for")
  void ofAnyFailure() {
    for (A2aError code : A2aError.values()) {
      assertEquals(code, A2aError.of(new AspException(code, "why")));
    }
    for (ErrorCode code : ErrorCode.values()) {
      A2aError mapped = A2aError.of(new AspException(code, "why"));
      // the same class of answer: a 4xx stays a client error, a dependency down stays retryable
      assertEquals(code.httpStatus() / 100, mapped.httpStatus() / 100, code.name());
    }
    assertEquals(A2aError.SERVER_BUSY, A2aError.of(new AspException(ErrorCode.UNAVAILABLE, "x")));
    assertEquals(
        A2aError.VALIDATION_ERROR, A2aError.of(new AspException(ErrorCode.INVALID_HANDLE, "x")));
  }
}
