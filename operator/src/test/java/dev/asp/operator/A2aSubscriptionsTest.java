package dev.asp.operator;

import static dev.asp.operator.HubNodes.error;
import static dev.asp.operator.HubNodes.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.operator.HubNodes.Node;
import dev.asp.storage.DatabaseSettings;
import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import dev.asp.testkit.TestSql;
import io.vertx.core.Future;
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
 * Subscriptions (hub spec §9) through the real gateway against a real PostgreSQL: subscribe and
 * unsubscribe field by field, normalisation, idempotence both ways, the limit (also under
 * concurrent subscribes of one node), and bad input that answers its 4xx and stores nothing.
 */
@DisplayName("A2A subscriptions, end to end")
class A2aSubscriptionsTest {
  private static final int LIMIT = 3;
  private static DatabaseSettings db;
  private static OperatorHarness operator;
  private static RawHttp http;
  private static TestSql sql;

  @BeforeAll
  static void start() {
    db = TestDatabase.fresh();
    operator =
        OperatorHarness.start(
            db,
            Map.of(
                "ASP_A2A_HEARTBEAT_LIMIT", "1000",
                "ASP_A2A_POLL_MAX_WAIT_MS", "5000",
                "ASP_A2A_MAX_SUBSCRIPTIONS", Integer.toString(LIMIT)));
    http = new RawHttp(operator.vertx, "127.0.0.1", operator.port());
    sql = new TestSql(operator.vertx, db);
  }

  @AfterAll
  static void stop() {
    sql.close();
    http.close();
    operator.close();
  }

  static RawHttp.Response subscribe(Node node, Object topic, String action) {
    JsonObject body = new JsonObject().put("sender_id", node.id()).put("topic", topic);
    if (action != null) {
      body.put("action", action);
    }
    return http.post("/a2a/subscribe", node.secret(), body);
  }

  private static JsonObject subscriptions(Node node) {
    return ok(http.get("/a2a/subscriptions?node_id=" + node.id(), node.secret()));
  }

  private static long stored(Node node) {
    return ((Number)
            sql.value("SELECT count(*) FROM a2a_subscriptions WHERE node = $1", node.handle()))
        .longValue();
  }

  @Test
  @DisplayName("subscribe normalises the topic, is idempotent both ways, and lists oldest first")
  void subscribeAndList() {
    Node a = HubNodes.hello(http);
    JsonObject first = ok(subscribe(a, "  Machine \t  Learning ", null));
    assertEquals(
        new JsonObject()
            .put("topic", "machine learning")
            .put("action", "subscribe")
            .put("subscribed", true)
            .put("count", 1),
        first);
    // the same topic again, in another spelling: nothing more stored
    assertEquals(first, ok(subscribe(a, "MACHINE LEARNING", "subscribe")));
    JsonObject second = ok(subscribe(a, "rust", null));
    assertEquals(2, second.getInteger("count"));

    JsonObject listed = subscriptions(a);
    assertEquals(2, listed.getInteger("count"));
    JsonArray topics = listed.getJsonArray("subscriptions");
    assertEquals("machine learning", topics.getJsonObject(0).getString("topic"));
    assertEquals("rust", topics.getJsonObject(1).getString("topic"));
    for (Object item : topics) {
      JsonObject topic = (JsonObject) item;
      assertEquals(2, topic.size(), topic.encode());
      assertTrue(
          topic
              .getString("created_at")
              .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"),
          topic.encode());
    }
    // the caller is the default for node_id, and its hub node id or handle both name it
    assertEquals(listed, ok(http.get("/a2a/subscriptions", a.secret())));
    assertEquals(listed, ok(http.get("/a2a/subscriptions?node_id=" + a.handle(), a.secret())));

    JsonObject gone = ok(subscribe(a, " Rust", "unsubscribe"));
    assertEquals(
        new JsonObject()
            .put("topic", "rust")
            .put("action", "unsubscribe")
            .put("subscribed", false)
            .put("count", 1),
        gone);
    assertEquals(gone, ok(subscribe(a, "rust", "unsubscribe")));
    assertEquals(1, stored(a));
    // another node's subscriptions are its own
    Node b = HubNodes.hello(http);
    assertEquals(0, subscriptions(b).getInteger("count"));
    assertEquals(new JsonArray(), subscriptions(b).getJsonArray("subscriptions"));
  }

  @Test
  @DisplayName("the limit refuses one more topic, but not one already held")
  void limit() {
    Node a = HubNodes.hello(http);
    for (int i = 0; i < LIMIT; i++) {
      ok(subscribe(a, "topic " + i, null));
    }
    error(subscribe(a, "one more", null), 409, "subscription_limit_reached");
    assertEquals(LIMIT, stored(a));
    assertEquals(LIMIT, ok(subscribe(a, "topic 0", null)).getInteger("count"));
    ok(subscribe(a, "topic 0", "unsubscribe"));
    assertEquals(LIMIT, ok(subscribe(a, "one more", null)).getInteger("count"));
  }

  @Test
  @DisplayName("concurrent subscribes of one node never pass the limit")
  void concurrentLimit() {
    Node a = HubNodes.hello(http);
    List<Future<RawHttp.Response>> all = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      all.add(
          http.postAsync(
              "/a2a/subscribe",
              a.secret(),
              new JsonObject().put("sender_id", a.id()).put("topic", "parallel " + i)));
    }
    int accepted = 0;
    int refused = 0;
    for (Future<RawHttp.Response> response : all) {
      RawHttp.Response r = response.await();
      if (r.status() == 200) {
        accepted++;
      } else {
        error(r, 409, "subscription_limit_reached");
        refused++;
      }
    }
    assertEquals(LIMIT, accepted);
    assertEquals(12 - LIMIT, refused);
    assertEquals(LIMIT, stored(a));
  }

  @Test
  @DisplayName("bad input is a 4xx and stores nothing; auth and sender are checked")
  void badInput() {
    Node a = HubNodes.hello(http);
    Node b = HubNodes.hello(http);
    error(subscribe(a, "   ", null), 400, "validation_error");
    error(subscribe(a, "x".repeat(51), null), 400, "validation_error");
    error(subscribe(a, 42, null), 400, "validation_error");
    error(subscribe(a, "ok\u0000nul", null), 400, "validation_error");
    error(subscribe(a, "fine", "maybe"), 400, "validation_error");
    error(
        http.post("/a2a/subscribe", a.secret(), new JsonObject().put("sender_id", a.id())),
        400,
        "validation_error");
    error(
        http.post(
            "/a2a/subscribe",
            a.secret(),
            new JsonObject().put("sender_id", b.id()).put("topic", "fine")),
        403,
        "sender_mismatch");
    error(
        http.post("/a2a/subscribe", null, new JsonObject().put("topic", "fine")),
        401,
        "node_secret_required");
    error(
        http.post("/a2a/subscribe", "f".repeat(64), new JsonObject().put("topic", "fine")),
        403,
        "node_secret_invalid");
    error(http.get("/a2a/subscriptions?node_id=" + b.id(), a.secret()), 403, "sender_mismatch");
    error(http.get("/a2a/subscriptions", null), 401, "node_secret_required");
    assertEquals(0, stored(a));
    // exactly 50 characters is fine
    assertEquals("y".repeat(50), ok(subscribe(a, "Y".repeat(50), null)).getString("topic"));
  }
}
