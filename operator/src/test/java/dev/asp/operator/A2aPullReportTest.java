package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asp.operator.HubNodes.Node;
import dev.asp.protocol.a2a.A2aAction;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusClient;
import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import dev.asp.testkit.TestSql;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The write report of a pull response ({@code PULL_WRITTEN}) against the node's next pull, in the
 * orders a cluster produces (hub spec §5.3: "a response lost after a complete write is not
 * repeated"; rows whose write failed "are sent again first"). The test plays the gateway on the
 * event bus, as {@code Pulling} does, so it can choose when each report arrives; everything behind
 * it is the real A2A verticle on a real PostgreSQL. To make "the next poll overtakes the report"
 * happen every time, it holds the node's view row lock while both queue behind it.
 */
@DisplayName("A2A pull view: write reports and the next poll")
class A2aPullReportTest {
  private static final Duration WITHIN = Duration.ofSeconds(15);
  private static OperatorHarness operator;
  private static RawHttp http;
  private static BusClient bus;
  private static TestSql sql;

  @BeforeAll
  static void start() {
    operator = OperatorHarness.start(TestDatabase.fresh(), Map.of("ASP_BUS_TIMEOUT_MS", "5000"));
    http = new RawHttp(operator.vertx, "127.0.0.1", operator.port());
    bus = new BusClient(operator.vertx, 15_000);
    sql = new TestSql(operator.vertx, operator.db());
  }

  @AfterAll
  static void stop() {
    sql.close();
    http.close();
    operator.close();
  }

  /** A node b in a session with a, with {@code messages} messages from a in its view. */
  private static Node reader(int messages) {
    Node a = HubNodes.hello(http);
    Node b = HubNodes.hello(http);
    String session = HubNodes.createSession(http, a, b);
    HubNodes.join(http, b, session);
    for (int i = 0; i < messages; i++) {
      HubNodes.send(http, a, session, "m" + i).await();
    }
    return b;
  }

  /** {@code PULL} as the gateway sends it for a poll without timeout_ms. */
  private static Future<JsonObject> pull(Node node, String requestId, Long cursor) {
    JsonObject body =
        new JsonObject()
            .put("caller", node.handle())
            .put("view", "pull")
            .put("channel", "poll")
            .put("request_id", requestId)
            .put("limit", 50)
            .put("wait_ms", 0);
    if (cursor != null) {
      body.put("cursor", cursor);
    }
    return bus.request(Addresses.A2A, A2aAction.PULL, body);
  }

  private static Future<JsonObject> report(Node node, JsonArray numbers, boolean written) {
    return bus.request(
        Addresses.A2A,
        A2aAction.PULL_WRITTEN,
        new JsonObject()
            .put("caller", node.handle())
            .put("view", "pull")
            .put("channel", "poll")
            .put("numbers", numbers)
            .put("written", written));
  }

  @Test
  @DisplayName(
      "a poll that reaches the view before the last response's report waits for it: nothing"
          + " read in full comes again")
  void pollOvertakesTheReport() {
    Node b = reader(3);
    JsonObject first = pull(b, "r1", null).await();
    JsonArray numbers = first.getJsonArray("numbers");
    assertEquals(4, numbers.size(), "the invitation and three messages: " + first.encode());

    // the client read r1 in full and polled again; its report is still on the way
    Pool pool = operator.db().pool(operator.vertx);
    SqlConnection conn = pool.getConnection().await();
    Transaction holding = conn.begin().await();
    conn.preparedQuery("SELECT next_no FROM a2a_views WHERE node = $1 AND view = 'pull' FOR UPDATE")
        .execute(Tuple.of(b.handle()))
        .await();
    Future<JsonObject> next = pull(b, "r2", null);
    awaitWaitingForTheView(1);
    Future<JsonObject> reported = report(b, numbers, true);
    awaitWaitingForTheView(2);
    holding.commit().await();
    conn.close().await();
    pool.close().await();

    JsonObject second = next.await();
    reported.await();
    assertEquals(new JsonArray(), second.getJsonArray("events"), second.encode());
    assertEquals(
        first.getString("next_cursor"), "" + second.getValue("next_cursor"), second.encode());
  }

  @Test
  @DisplayName("a response whose write failed comes again at once, with the same numbers")
  void unwrittenComesAgain() {
    Node b = reader(2);
    JsonObject first = pull(b, "r1", null).await();
    report(b, first.getJsonArray("numbers"), false).await();
    JsonObject second = pull(b, "r2", null).await();
    assertEquals(first.getJsonArray("numbers"), second.getJsonArray("numbers"));
    assertEquals(first.getJsonArray("events"), second.getJsonArray("events"));
  }

  @Test
  @DisplayName(
      "a response whose report never comes (its gateway died) comes again, first; a cursor poll"
          + " does not wait for it")
  void lostReport() {
    Node b = reader(2);
    JsonObject first = pull(b, "r1", null).await();
    JsonObject again = pull(b, "r2", null).await(); // waits out the report, then hands them out
    assertEquals(first.getJsonArray("numbers"), again.getJsonArray("numbers"));
    assertEquals(first.getJsonArray("events"), again.getJsonArray("events"));
    long cursor = Long.parseLong(again.getString("next_cursor"));
    JsonObject byCursor = pull(b, "r3", cursor).await(); // r2's report is lost too: no wait
    assertEquals(new JsonArray(), byCursor.getJsonArray("events"), byCursor.encode());
  }

  /**
   * Waits until {@code count} sessions are blocked on a lock of the view table's rows (a pull's
   * upsert of its view row, a report's lock of it).
   */
  private static void awaitWaitingForTheView(int count) {
    HubNodes.await(
        count + " waiting for the view lock",
        WITHIN,
        () ->
            ((Number)
                        sql.value(
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                + " AND query LIKE '%a2a_views%'"
                                + " AND pid <> pg_backend_pid()"))
                    .longValue()
                >= count);
  }
}
