package dev.asp.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asp.client.AspClient;
import dev.asp.client.RawResponse;
import dev.asp.gateway.limits.AuthThrottle;
import dev.asp.gateway.limits.Limit;
import dev.asp.gateway.limits.LocalRateLimiter;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.TrustAction;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The gateway alone, with a fake trust verticle that counts token lookups: once an address spent
 * its budget of failed authentications, its requests are refused without any lookup, except for a
 * token the gateway verified recently (its cache), so agents already known behind that address keep
 * working.
 */
@DisplayName("The gateway's failed-authentication throttle")
class AuthThrottleTest {
  private static final String ALICE_TOKEN = "tok_alice_secret";
  private static final String BOB_TOKEN = "tok_bob_secret";
  private static final int BUDGET = 3;

  private Vertx vertx;
  private String url;
  private final AtomicInteger lookups = new AtomicInteger();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    vertx
        .eventBus()
        .<JsonObject>consumer(
            Addresses.TRUST,
            message -> {
              if (TrustAction.valueOf(message.headers().get(Addresses.ACTION_HEADER))
                  != TrustAction.AUTHENTICATE) {
                message.fail(ErrorCode.INTERNAL.busCode(), "not in this fake");
                return;
              }
              lookups.incrementAndGet();
              String token = message.body().getString(BusFields.TOKEN);
              if (ALICE_TOKEN.equals(token) || BOB_TOKEN.equals(token)) {
                message.reply(new JsonObject().put(Fields.HANDLE, "@x.y"));
              } else {
                message.fail(ErrorCode.UNAUTHENTICATED.busCode(), "invalid token");
              }
            })
        .completion()
        .await();
    vertx
        .eventBus()
        .<JsonObject>consumer(
            Addresses.SESSION, message -> message.reply(new JsonObject().put(Fields.OK, true)))
        .completion()
        .await();
    AuthThrottle throttle =
        new AuthThrottle(
            new LocalRateLimiter(), new Limit("auth.failures", BUDGET, 600_000), false, 100);
    GatewayVerticle gateway = new GatewayVerticle(TestGatewaySettings.of(600_000, null, throttle));
    vertx.deployVerticle(gateway).await();
    url = "http://127.0.0.1:" + gateway.port();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private int join(String token) {
    try (AspClient client = AspClient.create(vertx, url, token)) {
      RawResponse response =
          client.raw(HttpMethod.POST, "/sessions/sess_1/join", null, Map.of()).await();
      return response.status();
    }
  }

  @Test
  @DisplayName(
      "a throttled address costs no lookup; a token verified before still passes, a new one waits")
  void throttledWithoutLookups() {
    assertEquals(200, join(ALICE_TOKEN));
    for (int i = 0; i < BUDGET; i++) {
      assertEquals(401, join("wrong-" + i));
    }
    assertEquals(429, join("wrong-again"));
    assertEquals(1 + BUDGET + 1, lookups.get(), "each failure until the refusal was looked up");

    assertEquals(429, join("wrong-once-more"));
    assertEquals(200, join(ALICE_TOKEN), "alice's token was verified before: cached");
    assertEquals(429, join(BOB_TOKEN), "bob's, never seen, waits for the refill");
    assertEquals(1 + BUDGET + 1, lookups.get(), "nothing was looked up while throttled");
  }
}
