package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Hub spec §3 "Levels": an admin sets a node's level; with gating on, calls above it are 403. */
@DisplayName("A2A capability levels")
class A2aLevelsTest {
  private static OperatorHarness operator;
  private static RawHttp http;

  @BeforeAll
  static void start() {
    operator = OperatorHarness.start(TestDatabase.fresh(), Map.of("ASP_A2A_LEVEL_GATING", "true"));
    http = new RawHttp(operator.vertx, "127.0.0.1", operator.port());
  }

  @AfterAll
  static void stop() {
    http.close();
    operator.close();
  }

  private static RawHttp.Response setLevel(String handle, Object level) {
    return http.send(
        HttpMethod.PUT,
        "/admin/agents/" + handle + "/a2a",
        OperatorHarness.ADMIN_TOKEN,
        "application/json",
        new JsonObject().put("level", level).encode());
  }

  @Test
  @DisplayName(
      "a level-1 node is told its level and routes, and its join is insufficient_capability_level")
  void gating() {
    JsonObject a = http.post("/a2a/hello", null, new JsonObject()).json();
    JsonObject b = http.post("/a2a/hello", null, new JsonObject()).json();
    String bHandle = b.getString("handle");
    assertEquals(200, setLevel(bHandle, 1).status());
    assertEquals(400, setLevel(bHandle, 4).status());
    assertEquals(404, setLevel("@nobody.here", 2).status());

    JsonObject profile =
        http.post("/a2a/hello", b.getString("node_secret"), new JsonObject())
            .json()
            .getJsonObject("capability_profile");
    assertEquals(1, profile.getInteger("level"));
    assertFalse(profile.getJsonArray("endpoints").contains("POST /a2a/session/join"));
    assertTrue(profile.getJsonArray("endpoints").contains("POST /a2a/session/create"));

    String session =
        http.post(
                "/a2a/session/create",
                a.getString("node_secret"),
                new JsonObject().put("title", "levels"))
            .json()
            .getString("session_id");
    RawHttp.Response refused =
        http.post(
            "/a2a/session/join",
            b.getString("node_secret"),
            new JsonObject().put("session_id", session));
    assertEquals(403, refused.status());
    assertEquals("insufficient_capability_level", refused.json().getString("error"));
    assertEquals(
        1L,
        operator.count("SELECT count(*) FROM participants WHERE session_id = $1", session),
        "nothing stored for the refused join");

    // through the mailbox the same operation needs the same level, and is rejected for good
    JsonObject outbound =
        http.post(
                "/a2a/mailbox/outbound",
                b.getString("node_secret"),
                new JsonObject()
                    .put(
                        "messages",
                        new io.vertx.core.json.JsonArray()
                            .add(
                                new JsonObject()
                                    .put("id", "join-1")
                                    .put("type", "session_join")
                                    .put("payload", new JsonObject().put("session_id", session)))))
            .json();
    JsonObject result = outbound.getJsonArray("results").getJsonObject(0);
    assertEquals("rejected", result.getString("status"), outbound.encode());
    assertEquals("insufficient_capability_level", result.getString("error"));
    assertEquals(true, result.getBoolean("terminal"));

    assertEquals(200, setLevel(bHandle, 2).status());
    assertEquals(
        200,
        http.post(
                "/a2a/session/join",
                b.getString("node_secret"),
                new JsonObject().put("session_id", session))
            .status());
  }
}
