package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Hub spec §4 "Alive", with the offline window shortened by configuration. */
@DisplayName("A2A liveness")
class A2aLivenessTest {
  private static final long OFFLINE_MS = 1000;
  private static OperatorHarness operator;
  private static RawHttp http;

  @BeforeAll
  static void start() {
    operator =
        OperatorHarness.start(
            TestDatabase.fresh(), Map.of("ASP_A2A_OFFLINE_MS", Long.toString(OFFLINE_MS)));
    http = new RawHttp(operator.vertx, "127.0.0.1", operator.port());
  }

  @AfterAll
  static void stop() {
    http.close();
    operator.close();
  }

  private static JsonObject hello() {
    return http.post("/a2a/hello", null, new JsonObject()).json();
  }

  /** The invite outcome of a new session of {@code owner} inviting {@code invitee}. */
  private static boolean invitable(JsonObject owner, JsonObject invitee) {
    JsonObject created =
        http.post(
                "/a2a/session/create",
                owner.getString("node_secret"),
                new JsonObject()
                    .put("invite_node_ids", new JsonArray().add(invitee.getString("node_id"))))
            .json();
    return created.getJsonArray("rejected_invites").isEmpty();
  }

  @Test
  @DisplayName(
      "a node is invitable while alive; dormant after the offline window; a poll makes it alive")
  void pollKeepsANodeAlive() {
    JsonObject a = hello();
    JsonObject b = hello();
    assertEquals(true, invitable(a, b));
    // the window is the configured 1 s; wait for it to pass, bounded
    long deadline = System.currentTimeMillis() + 10 * OFFLINE_MS;
    while (invitable(a, b) && System.currentTimeMillis() < deadline) {
      operator.vertx.timer(100).await();
    }
    assertEquals(false, invitable(a, b), "dormant after the offline window");
    assertEquals(
        200, http.post("/a2a/events/poll", b.getString("node_secret"), new JsonObject()).status());
    assertEquals(true, invitable(a, b), "an open poll makes it alive again");
  }
}
