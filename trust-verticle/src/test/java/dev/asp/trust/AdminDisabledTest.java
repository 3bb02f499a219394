package dev.asp.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.TrustAction;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Without an admin token in the configuration")
class AdminDisabledTest {
  private static TrustFixture trust;

  @BeforeAll
  static void start() {
    trust = TrustFixture.withoutAdmin();
  }

  @AfterAll
  static void stop() {
    trust.close();
  }

  @Test
  @DisplayName("no token is an admin credential, not even the usual one or an empty one")
  void noAdminCredential() {
    for (String token : new String[] {TrustFixture.ADMIN_TOKEN, "", "null"}) {
      assertEquals(
          ErrorCode.UNAUTHENTICATED,
          trust.failure(
              TrustAction.AUTHENTICATE_ADMIN, new JsonObject().put(BusFields.TOKEN, token)));
    }
  }
}
