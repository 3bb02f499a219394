package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asp.client.AspClient;
import dev.asp.client.NewSession;
import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Failed authentications are limited per client address (issue 14 item 13), through the real
 * gateway: clients bound to distinct loopback addresses (127.0.0.x) stand for distinct clients. The
 * token cache is off, so every request's credential is really checked (and a throttled address's
 * correct token is refused too: only a token the gateway verified recently would pass).
 */
@DisplayName("Failed authentications are throttled per client address")
class FailedAuthThrottlingTest {
  private static final int BUDGET = 5;
  private static final long WINDOW_MS = 3000;
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static OperatorHarness operator;

  @BeforeAll
  static void start() {
    operator =
        OperatorHarness.start(
            TestDatabase.fresh(),
            Map.of(
                "ASP_AUTH_FAILURE_LIMIT", Integer.toString(BUDGET),
                "ASP_AUTH_FAILURE_WINDOW_MS", Long.toString(WINDOW_MS),
                "ASP_AUTH_CACHE_SIZE", "0"));
  }

  @AfterAll
  static void stop() {
    operator.close();
  }

  @Test
  @DisplayName(
      "wrong tokens from one address end in 429 with Retry-After; a correct token from another"
          + " address passes at once; after the refill the first address works again")
  void wrongTokensThrottleTheirAddressOnly() {
    String aliceToken =
        operator.admin.createAgent("@throttle.alice", "open", List.of()).await().token();
    AspClient alice = operator.client(aliceToken);
    String session = alice.createSession(NewSession.inviting()).await().sessionId();
    String path = "/sessions/" + session;
    try (RawHttp first = client("127.0.0.1");
        RawHttp other = client("127.0.0.2")) {
      // successes take nothing from the budget, however many
      for (int i = 0; i < 4 * BUDGET; i++) {
        assertEquals(200, first.get(path, aliceToken).status());
      }
      for (int i = 0; i < BUDGET; i++) {
        assertError(first.get(path, "wrong-token-" + i), 401, "unauthenticated");
      }
      RawHttp.Response limited = first.get(path, "wrong-token-again");
      assertError(limited, 429, "rate_limited");
      assertRetryAfter(limited);
      // refused before the token is looked at: a correct one from this address waits too
      assertError(first.get(path, aliceToken), 429, "rate_limited");

      // another address: its own budget, and a correct token is never slowed
      assertEquals(200, other.get(path, aliceToken).status());
      assertError(other.get(path, "wrong-token-elsewhere"), 401, "unauthenticated");

      long throttledAt = System.nanoTime();
      awaitStatus(first, path, aliceToken, 200);
      assertTrue(System.nanoTime() - throttledAt < WAIT.toNanos(), "the first address works again");
      // with its whole budget back
      assertError(first.get(path, "wrong-token-after-refill"), 401, "unauthenticated");
    } finally {
      alice.close();
    }
  }

  @Test
  @DisplayName(
      "failures on /a2a, the admin API, the WebSocket upgrade and a hello share one budget, and"
          + " each surface refuses a throttled address with its own 429")
  void everyCredentialCheckCounts() {
    String address = "127.0.0.3";
    String agentToken =
        operator.admin.createAgent("@throttle.carol", "open", List.of()).await().token();
    try (RawHttp http = client(address)) {
      HubNodes.Node node = HubNodes.hello(http); // no secret presented: not a check
      JsonObject poll = new JsonObject().put("node_id", node.id());

      HubNodes.error(
          http.post("/a2a/events/poll", "wrong-secret", poll), 403, "node_secret_invalid");
      HubNodes.error(
          http.post("/a2a/events/poll", "wrong-secret", poll), 403, "node_secret_invalid");
      assertError(http.get("/admin/agents", "wrong-admin-token"), 401, "unauthenticated");
      assertEquals(401, upgrade(address, "wrong-token"), "a wrong token on WS /connect");
      JsonObject rejected =
          HubNodes.error(
              http.post("/a2a/hello", "wrong-secret", new JsonObject().put("sender_id", node.id())),
              403,
              "node_secret_invalid");
      assertNotNull(rejected);
      // the budget is spent: the next failure, on any surface, is the 429
      assertError(http.get("/admin/agents", "wrong-admin-token"), 429, "rate_limited");

      RawHttp.Response a2a = http.post("/a2a/events/poll", node.secret(), poll);
      HubNodes.error(a2a, 429, "rate_limited");
      assertRetryAfter(a2a);
      RawHttp.Response admin = http.get("/admin/agents", OperatorHarness.ADMIN_TOKEN);
      assertError(admin, 429, "rate_limited");
      assertRetryAfter(admin);
      assertEquals(429, upgrade(address, agentToken), "the upgrade is refused with 429");

      // the others are served
      assertEquals(101, upgrade("127.0.0.4", agentToken));
      try (RawHttp elsewhere = client("127.0.0.4")) {
        HubNodes.ok(elsewhere.post("/a2a/events/poll", node.secret(), poll));
      }
    }
  }

  private static RawHttp client(String localAddress) {
    return new RawHttp(operator.vertx, "127.0.0.1", operator.running.port(), localAddress);
  }

  private static void assertError(RawHttp.Response response, int status, String code) {
    assertEquals(status, response.status(), response.text());
    assertEquals(code, response.json().getJsonObject("error").getString("code"), response.text());
  }

  /** {@code Retry-After} in whole seconds, no longer than the window. */
  private static void assertRetryAfter(RawHttp.Response response) {
    String header = response.header("Retry-After");
    assertNotNull(header, "Retry-After is set");
    long seconds = Long.parseLong(header);
    assertTrue(seconds >= 1 && seconds <= (WINDOW_MS + 999) / 1000, "Retry-After " + header);
  }

  /**
   * The status of {@code WS /connect} with {@code token} from {@code localAddress}: 101 or the
   * refusal.
   */
  private static int upgrade(String localAddress, String token) {
    WebSocketClient client =
        operator.vertx.createWebSocketClient(
            new WebSocketClientOptions().setLocalAddress(localAddress));
    try {
      client
          .connect(
              new WebSocketConnectOptions()
                  .setHost("127.0.0.1")
                  .setPort(operator.running.port())
                  .setURI("/connect")
                  .addHeader("Authorization", "Bearer " + token))
          .compose(socket -> socket.close())
          .await();
      return 101;
    } catch (UpgradeRejectedException e) {
      return e.getStatus();
    } finally {
      client.close().await();
    }
  }

  private static void awaitStatus(RawHttp http, String path, String token, int status) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (http.get(path, token).status() != status) {
      if (System.nanoTime() > deadline) {
        fail(path + " did not answer " + status + " within " + WAIT);
      }
      LockSupport.parkNanos(50_000_000); // polling, bounded above
    }
  }
}
