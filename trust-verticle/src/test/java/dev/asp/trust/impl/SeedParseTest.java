package dev.asp.trust.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.InboundPolicy;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Seed validation")
class SeedParseTest {

  private static JsonObject seed(String json) {
    return new JsonObject().put("agents", new JsonObject(json));
  }

  private static AspException rejected(String json) {
    return assertThrows(AspException.class, () -> SeedLoader.parse(seed(json)));
  }

  @Test
  @DisplayName("accepts the reference operator's shape: a bare token or an object")
  void referenceShape() {
    List<SeedLoader.SeedAgent> agents =
        SeedLoader.parse(
            seed(
                "{\"@alice.test\":\"tok_alice\",\"@bob.test\":{\"token\":\"tok_bob\","
                    + "\"inbound_policy\":\"open\",\"allowlist\":[\"@acme.*\",\"@acme.*\"]}}"));
    assertEquals(2, agents.size());
    assertEquals(new SeedLoader.SeedAgent("@alice.test", "tok_alice", null, null), agents.get(0));
    assertNull(agents.get(0).allowlist());
    assertEquals(InboundPolicy.OPEN, agents.get(1).policy());
    assertEquals(List.of("@acme.*"), agents.get(1).allowlist());
  }

  @Test
  @DisplayName("rejects bad handles, policies, entries and values as invalid_request")
  void rejectsBadEntries() {
    assertEquals(ErrorCode.INVALID_REQUEST, rejected("{\"alice\":\"tok_a\"}").code());
    assertEquals(
        ErrorCode.INVALID_REQUEST,
        rejected("{\"@a.b\":{\"token\":\"t\",\"inbound_policy\":\"closed\"}}").code());
    assertEquals(
        ErrorCode.INVALID_REQUEST,
        rejected("{\"@a.b\":{\"token\":\"t\",\"allowlist\":[\"acme\"]}}").code());
    assertEquals(ErrorCode.INVALID_REQUEST, rejected("{\"@a.b\":42}").code());
    assertEquals(ErrorCode.INVALID_REQUEST, rejected("{\"@a.b\":{\"allowlist\":[]}}").code());
    assertThrows(AspException.class, () -> SeedLoader.parse(new JsonObject()));
  }

  @Test
  @DisplayName("names the handle but never the token when rejecting")
  void neverEchoesTokens() {
    AspException failure = rejected("{\"@a.b\":\"tok_secret1\",\"@a.c\":\"tok_secret1\"}");
    assertEquals(ErrorCode.INVALID_REQUEST, failure.code());
    assertTrue(failure.getMessage().contains("@a.c"));
    assertFalse(failure.getMessage().contains("tok_secret1"));
  }
}
