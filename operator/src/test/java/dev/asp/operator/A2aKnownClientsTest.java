package dev.asp.operator;

import static dev.asp.operator.HubNodes.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The known clients of hub spec §16, replayed request by request in exactly the shapes they send,
 * asserting exactly the fields and statuses each of them reads: a change that would break one of
 * them fails here. (The mailbox flow of the official v1.90 client has its own test.)
 */
@DisplayName("A2A known clients, replayed")
class A2aKnownClientsTest {
  private static OperatorHarness operator;
  private static RawHttp http;

  @BeforeAll
  static void start() {
    operator = OperatorHarness.start(TestDatabase.fresh(), Map.of("ASP_A2A_HEARTBEAT_LIMIT", "3"));
    http = new RawHttp(operator.vertx, "127.0.0.1", operator.port());
  }

  @AfterAll
  static void stop() {
    http.close();
    operator.close();
  }

  private static JsonObject helloEnvelope(String senderId) {
    JsonObject hello =
        new JsonObject()
            .put("protocol", "gep-a2a")
            .put("protocol_version", "1.0.0")
            .put("message_type", "hello")
            .put("message_id", "msg_" + System.nanoTime())
            .put("timestamp", "2026-03-27T10:00:00.000Z")
            .put(
                "payload",
                new JsonObject()
                    .put("capabilities", new JsonObject().put("coding", true))
                    .put("env_fingerprint", new JsonObject().put("os", "linux")));
    if (senderId != null) {
      hello.put("sender_id", senderId);
    }
    return hello;
  }

  @Test
  @DisplayName("js-evomap-darwin: register, heartbeat, create, join, message, leave")
  void darwin() {
    JsonObject reg = ok(http.post("/a2a/hello", null, helloEnvelope(null)));
    JsonObject view = reg.getJsonObject("payload") != null ? reg.getJsonObject("payload") : reg;
    String id = view.getString("your_node_id");
    String secret = view.getString("node_secret");
    assertNotNull(id);
    assertNotNull(secret);
    assertTrue(view.getLong("heartbeat_interval_ms") > 0);
    JsonObject other =
        ok(http.post("/a2a/hello", null, helloEnvelope(null))).getJsonObject("payload");

    JsonObject beat = ok(http.post("/a2a/heartbeat", secret, new JsonObject().put("node_id", id)));
    assertEquals("ok", beat.getString("status"));
    assertEquals("alive", beat.getString("survival_status"));
    assertNotNull(beat.getString("server_time"));
    assertTrue(beat.getLong("next_heartbeat_ms") > 0);
    assertNotNull(beat.getJsonArray("pending_events"));

    JsonObject created =
        ok(
            http.post(
                "/a2a/session/create",
                secret,
                new JsonObject().put("sender_id", id).put("topic", "darwin run")));
    String session = created.getString("session_id");
    assertNotNull(session);
    ok(
        http.post(
            "/a2a/session/join",
            other.getString("node_secret"),
            new JsonObject()
                .put("sender_id", other.getString("your_node_id"))
                .put("session_id", session)));
    JsonObject sent =
        ok(
            http.post(
                "/a2a/session/message",
                secret,
                new JsonObject()
                    .put("sender_id", id)
                    .put("session_id", session)
                    .put("message", "hello swarm")));
    assertNotNull(sent.getString("message_id"));
    // the other side's stream carries it, typed for `.type || .event_type`
    JsonObject beat2 =
        ok(
            http.post(
                "/a2a/heartbeat",
                other.getString("node_secret"),
                new JsonObject().put("node_id", other.getString("your_node_id"))));
    List<String> types = new ArrayList<>();
    beat2
        .getJsonArray("pending_events")
        .forEach(e -> types.add(((JsonObject) e).getString("type")));
    assertTrue(types.contains("session_message"), types.toString());
    ok(
        http.post(
            "/a2a/session/leave",
            secret,
            new JsonObject().put("sender_id", id).put("session_id", session)));
  }

  @Test
  @DisplayName(
      "swarmpay: throwaway session, content as a JSON string, level >= 2 nested in payload")
  void swarmpay() {
    JsonObject reg =
        ok(http.post("/a2a/hello", null, helloEnvelope(null))).getJsonObject("payload");
    String id = reg.getString("your_node_id");
    String secret = reg.getString("node_secret");
    assertTrue(id.startsWith("node_"));
    assertEquals(64, secret.length());
    JsonObject created =
        ok(
            http.post(
                "/a2a/session/create",
                secret,
                new JsonObject().put("sender_id", id).put("topic", "swarmpay-" + "x".repeat(40))));
    String session = created.getString("session_id");
    JsonObject beat = ok(http.post("/a2a/heartbeat", secret, new JsonObject().put("node_id", id)));
    assertTrue(
        beat.getJsonObject("payload").getJsonObject("capability_profile").getInteger("level") >= 2);
    for (String msgType : List.of("dialog", "broadcast")) {
      JsonObject sent =
          ok(
              http.post(
                  "/a2a/session/message",
                  secret,
                  new JsonObject()
                      .put("sender_id", id)
                      .put("session_id", session)
                      .put("content", new JsonObject().put("handoff", "task-1").encode())
                      .put("msg_type", msgType)
                      .put("message_type", "handoff")
                      .put("metadata", new JsonObject().put("swarm", "pay"))));
      assertEquals(session, sent.getString("session_id"));
    }
  }

  @Test
  @DisplayName(
      "section9: create with two invitees, explicit joins, 35 directed chunks, all in the reader's"
          + " context with fromNodeId and the payload as sent")
  void section9() {
    List<JsonObject> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      JsonObject reg = ok(http.post("/a2a/hello", null, helloEnvelope(null)));
      assertEquals("acknowledged", reg.getJsonObject("payload").getString("status"));
      assertNotNull(reg.getJsonObject("payload").getString("node_secret"));
      assertNotNull(reg.getJsonObject("payload").getString("your_node_id"));
      nodes.add(reg.getJsonObject("payload"));
    }
    JsonObject lead = nodes.get(0);
    JsonObject reader = nodes.get(1);
    JsonObject created =
        ok(
            http.post(
                "/a2a/session/create",
                lead.getString("node_secret"),
                new JsonObject()
                    .put("title", "Section 9 op")
                    .put("description", "coordinated analysis")
                    .put(
                        "invite_node_ids",
                        new JsonArray()
                            .add(reader.getString("your_node_id"))
                            .add(nodes.get(2).getString("your_node_id")))
                    .put("sender_id", lead.getString("your_node_id"))));
    String session = created.getString("session_id");
    for (JsonObject node : nodes.subList(1, 3)) {
      ok(
          http.post(
              "/a2a/session/join",
              node.getString("node_secret"),
              new JsonObject()
                  .put("session_id", session)
                  .put("sender_id", node.getString("your_node_id"))));
    }
    String text = "y".repeat(4000);
    for (int chunk = 0; chunk < 35; chunk++) {
      ok(
          http.post(
              "/a2a/session/message",
              lead.getString("node_secret"),
              new JsonObject()
                  .put("sender_id", lead.getString("your_node_id"))
                  .put("session_id", session)
                  .put("to_node_id", reader.getString("your_node_id"))
                  .put(
                      "payload",
                      new JsonObject().put("chunk", chunk).put("of", 35).put("data", text))));
    }
    JsonObject context =
        ok(
            http.get(
                "/a2a/session/context?session_id="
                    + session
                    + "&node_id="
                    + reader.getString("your_node_id"),
                reader.getString("node_secret")));
    JsonArray recent = context.getJsonArray("recent_messages");
    assertEquals(35, recent.size());
    for (int chunk = 0; chunk < 35; chunk++) {
      JsonObject message = recent.getJsonObject(chunk);
      assertEquals(lead.getString("your_node_id"), message.getString("fromNodeId"));
      assertNotNull(message.getString("id"));
      assertEquals(
          new JsonObject().put("chunk", chunk).put("of", 35).put("data", text),
          message.getJsonObject("payload"));
    }
    // the third participant reads none of them
    JsonObject third =
        ok(
            http.get(
                "/a2a/session/context?session_id="
                    + session
                    + "&node_id="
                    + nodes.get(2).getString("your_node_id"),
                nodes.get(2).getString("node_secret")));
    assertEquals(0, third.getJsonArray("recent_messages").size());
  }

  @Test
  @DisplayName("fmw666/evomap-official-skill: session/list with string ids, type and status")
  void officialSkill() {
    JsonObject reg =
        ok(http.post("/a2a/hello", null, helloEnvelope(null))).getJsonObject("payload");
    ok(
        http.post(
            "/a2a/session/create",
            reg.getString("node_secret"),
            new JsonObject().put("title", "listed")));
    JsonObject listed = ok(http.get("/a2a/session/list", reg.getString("node_secret")));
    assertFalse(listed.getJsonArray("sessions").isEmpty());
    for (Object item : listed.getJsonArray("sessions")) {
      JsonObject session = (JsonObject) item;
      assertTrue(session.getValue("id") instanceof String);
      assertEquals("session", session.getString("type"));
      assertNotNull(session.getString("status"));
    }
  }

  @Test
  @DisplayName(
      "official client v1.29.8: own id adopted, its heartbeat shape, rate_limited with"
          + " retry_after_ms and policy.window_ms, unknown_node sends it back to hello")
  void official1298() {
    String own = "node_" + Long.toHexString(System.nanoTime()).substring(0, 8) + "beef";
    JsonObject reg = ok(http.post("/a2a/hello", null, helloEnvelope(own)));
    String secret =
        reg.getJsonObject("payload").getString("node_secret") != null
            ? reg.getJsonObject("payload").getString("node_secret")
            : reg.getString("node_secret");
    assertTrue(secret.matches("[0-9a-f]{64}"));
    JsonObject shape =
        new JsonObject()
            .put("node_id", own)
            .put("sender_id", own)
            .put("version", "1.29.8")
            .put("uptime_ms", 1234)
            .put("timestamp", "2026-03-27T10:00:00.000Z")
            .put("meta", new JsonObject().put("platform", "linux"));
    for (int i = 0; i < 3; i++) {
      JsonObject beat = ok(http.post("/a2a/heartbeat", secret, shape));
      assertEquals("ok", beat.getString("status"));
      assertNotNull(beat.getJsonArray("available_work"));
      assertNotNull(beat.getJsonArray("overdue_tasks"));
    }
    RawHttp.Response limited = http.post("/a2a/heartbeat", secret, shape);
    assertEquals(429, limited.status());
    JsonObject body = limited.json();
    assertEquals("rate_limited", body.getString("error"));
    assertEquals("rate_limited", body.getString("status"));
    assertTrue(body.getLong("retry_after_ms") > 0);
    assertEquals(300000, body.getJsonObject("policy").getInteger("window_ms"));
    assertEquals(3, body.getJsonObject("policy").getInteger("limit"));
    assertTrue(Long.parseLong(limited.header("Retry-After")) >= 1);
    JsonObject unknown =
        ok(
            http.post(
                "/a2a/heartbeat",
                null,
                new JsonObject().put("node_id", "node_neverregistered1").put("version", "1.29.8")));
    assertEquals("unknown_node", unknown.getString("status"));
  }
}
