package dev.asp.operator;

import static dev.asp.operator.HubNodes.events;
import static dev.asp.operator.HubNodes.flatPoll;
import static dev.asp.operator.HubNodes.ok;
import static dev.asp.operator.HubNodes.poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.operator.HubNodes.Node;
import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestSql;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Subscription notices (hub spec §9) through the real gateway against a real PostgreSQL: {@code
 * topic_task_available} when a task with a subscribed signal is added and {@code knowledge_update}
 * when it is submitted, field by field, in the subscriber's notice session and on its views; at
 * most one per subscriber, task and type; none for the actor, for private sessions, or where trust
 * refuses; and rows a dying node left undelivered finished by the sweeper.
 */
@DisplayName("A2A subscription notices, end to end")
class A2aNoticesTest {
  private static final String ASSET = "sha256:" + "cd".repeat(32);
  private static final Duration WITHIN = Duration.ofSeconds(10);
  private static HubOperator hub;
  private static OperatorHarness operator;
  private static RawHttp http;
  private static TestSql sql;

  @BeforeAll
  static void start() {
    hub = HubOperator.start(Map.of("ASP_A2A_SWEEP_MS", "50"));
    operator = hub.operator;
    http = hub.http;
    sql = hub.sql;
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  private static void subscribe(Node node, String topic) {
    ok(
        http.post(
            "/a2a/subscribe",
            node.secret(),
            new JsonObject().put("sender_id", node.id()).put("topic", topic)));
  }

  private static String publicSession(Node owner) {
    return HubNodes.createSession(http, owner);
  }

  /** Adds {@code tasks} as {@code owner}; the ids of the added tasks, in order. */
  private static List<String> add(Node owner, String session, JsonArray tasks) {
    JsonObject reply =
        ok(
            http.post(
                "/a2a/session/board/update",
                owner.secret(),
                new JsonObject()
                    .put("sender_id", owner.id())
                    .put("session_id", session)
                    .put("add_tasks", tasks)));
    List<String> ids = new ArrayList<>();
    reply.getJsonArray("added").forEach(t -> ids.add(((JsonObject) t).getString("task_id")));
    return ids;
  }

  private static JsonObject task(String title, String... signals) {
    return new JsonObject()
        .put("title", title)
        .put("description", "about " + title)
        .put("signals", new JsonArray(List.of(signals)))
        .put("contribution_weight", 0.4);
  }

  /** Polls until an event of {@code type} arrives; the notices of that type seen. */
  private static List<JsonObject> awaitNotices(Node node, String type) {
    long deadline = System.nanoTime() + WITHIN.toNanos();
    List<JsonObject> seen = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      for (JsonObject event :
          events(ok(poll(http, node, flatPoll(node, 2000L, null, 100)).await()))) {
        if (type.equals(event.getString("type"))) {
          seen.add(event);
        }
      }
      if (!seen.isEmpty()) {
        return seen;
      }
    }
    throw new AssertionError("no " + type + " for " + node.id());
  }

  private static long notices(Node node) {
    return ((Number) sql.value("SELECT count(*) FROM a2a_notices WHERE node = $1", node.handle()))
        .longValue();
  }

  private static long pending() {
    return ((Number) sql.value("SELECT count(*) FROM a2a_notices WHERE delivered_at IS NULL"))
        .longValue();
  }

  @Test
  @DisplayName(
      "a task added with a subscribed signal, then submitted: one topic_task_available and one"
          + " knowledge_update, field by field, on poll and mailbox; none for the actor")
  void addThenSubmit() {
    Node owner = HubNodes.hello(http);
    Node subscriber = HubNodes.hello(http);
    Node bystander = HubNodes.hello(http);
    subscribe(subscriber, "nlp");
    subscribe(subscriber, "ml");
    subscribe(owner, "ml");
    subscribe(bystander, "vision");
    String session = publicSession(owner);
    List<String> ids =
        add(
            owner,
            session,
            new JsonArray().add(task("Train", "ML", "nlp")).add(task("Cook", "cooking")));
    String train = ids.get(0);

    List<JsonObject> available = awaitNotices(subscriber, "topic_task_available");
    assertEquals(1, available.size(), "" + available);
    JsonObject event = available.get(0);
    assertEquals(session, event.getString("session_id"), "the task's session, not the notice's");
    assertEquals(subscriber.id(), event.getString("node_id"));
    assertEquals("topic_task_available", event.getString("event_type"));
    assertEquals(
        new JsonObject()
            .put("topic", "ml")
            .put("session_id", session)
            .put("task_id", train)
            .put("title", "Train")
            .put("description", "about Train")
            .put("signals", new JsonArray().add("ml").add("nlp"))
            .put("contribution_weight", 0.4)
            .put("detail_url", "/a2a/session/board?session_id=" + session),
        event.getJsonObject("payload"),
        "the first matching signal is the topic; one notice although two topics match");
    // the board says what the notice points at
    ok(http.get(event.getJsonObject("payload").getString("detail_url"), subscriber.secret()));

    ok(
        http.post(
            "/a2a/session/submit",
            owner.secret(),
            new JsonObject()
                .put("sender_id", owner.id())
                .put("session_id", session)
                .put("task_id", train)
                .put("result_asset_id", ASSET)
                .put("summary", "trained")));
    List<JsonObject> knowledge = awaitNotices(subscriber, "knowledge_update");
    assertEquals(1, knowledge.size(), "" + knowledge);
    assertEquals(
        new JsonObject()
            .put("topic", "ml")
            .put("session_id", session)
            .put("task_id", train)
            .put("title", "Train")
            .put("signals", new JsonArray().add("ml").add("nlp"))
            .put("result_asset_id", ASSET)
            .put("summary", "trained")
            .put("submitted_by", owner.id()),
        knowledge.get(0).getJsonObject("payload"));

    // durable in the subscriber's one notice session, which the mailbox view carries too
    Object noticeSession =
        sql.value(
            "SELECT n.session_id FROM a2a_notice_sessions n JOIN sessions s ON s.id = n.session_id"
                + " WHERE n.node = $1 AND s.kind = 'notice'",
            subscriber.handle());
    assertTrue(noticeSession != null, "a notice session of kind notice");
    List<String> mailboxTypes =
        HubNodes.messages(HubNodes.inbound(http, subscriber, null, 50)).stream()
            .map(m -> m.getJsonObject("payload").getString("event_type"))
            .toList();
    assertTrue(
        mailboxTypes.containsAll(List.of("topic_task_available", "knowledge_update")),
        "" + mailboxTypes);

    assertEquals(2, notices(subscriber), "one per task and type");
    assertEquals(0, notices(owner), "the actor is not notified of its own change");
    assertEquals(0, notices(bystander), "no matching topic");
  }

  @Test
  @DisplayName(
      "private sessions notify nobody, and a subscriber who blocked the owner gets nothing")
  void privateAndBlocked() {
    Node owner = HubNodes.hello(http);
    Node subscriber = HubNodes.hello(http);
    Node blocker = HubNodes.hello(http);
    subscribe(subscriber, "secret-topic");
    subscribe(blocker, "secret-topic");
    String hidden =
        ok(http.post(
                "/a2a/session/create",
                owner.secret(),
                new JsonObject()
                    .put("sender_id", owner.id())
                    .put("title", "private work")
                    .put("visibility", "private")))
            .getString("session_id");
    add(owner, hidden, new JsonArray().add(task("Hidden", "secret-topic")));
    assertEquals(0, notices(subscriber), "a private session's task notifies nobody");

    operator.admin.block(blocker.handle(), owner.handle()).await();
    String open = publicSession(owner);
    String task = add(owner, open, new JsonArray().add(task("Open", "secret-topic"))).get(0);
    List<JsonObject> seen = awaitNotices(subscriber, "topic_task_available");
    assertEquals(task, seen.get(0).getJsonObject("payload").getString("task_id"));
    HubNodes.await(
        "the blocker's notice settled", WITHIN, () -> pending() == 0 && notices(blocker) == 1);
    List<JsonObject> blockerEvents =
        events(ok(poll(http, blocker, flatPoll(blocker, 300L, null, 100)).await()));
    assertTrue(
        blockerEvents.stream().noneMatch(e -> "topic_task_available".equals(e.getString("type"))),
        "refused by trust: recorded as sent, never shown: " + blockerEvents);
    assertEquals(
        null,
        sql.value("SELECT session_id FROM a2a_notice_sessions WHERE node = $1", blocker.handle()),
        "no notice session made for a refused notice");
  }

  @Test
  @DisplayName("a notice a dying node queued but never delivered is delivered by the sweeper")
  void sweeperFinishesLeftRows() {
    Node owner = HubNodes.hello(http);
    Node subscriber = HubNodes.hello(http);
    String session = publicSession(owner);
    String task = add(owner, session, new JsonArray().add(task("Orphan", "orphaned"))).get(0);
    subscribe(subscriber, "orphaned");
    // what a board change's transaction leaves when its node dies right after commit
    sql.value(
        "INSERT INTO a2a_notices (node, task_id, type, topic, session_id, created_at)"
            + " VALUES ($1, $2, 'a2a.topic_task_available', 'orphaned', $3, 1) RETURNING node",
        subscriber.handle(),
        task,
        session);
    List<JsonObject> seen = awaitNotices(subscriber, "topic_task_available");
    assertEquals(1, seen.size());
    assertEquals(task, seen.get(0).getJsonObject("payload").getString("task_id"));
    HubNodes.await("delivered once", WITHIN, () -> pending() == 0);
  }
}
