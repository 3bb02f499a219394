package dev.asp.operator;

import static dev.asp.operator.HubNodes.events;
import static dev.asp.operator.HubNodes.flatPoll;
import static dev.asp.operator.HubNodes.keys;
import static dev.asp.operator.HubNodes.ok;
import static dev.asp.operator.HubNodes.poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.operator.HubNodes.Node;
import dev.asp.storage.DatabaseSettings;
import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import dev.asp.testkit.TestSql;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pull view across a crash (hub spec §5.3 guarantee, §17.3): two operator processes share one
 * PostgreSQL; the one holding a hub node's long-poll is killed with SIGKILL mid-poll. Every
 * acknowledged message is in the log, and the node, resuming on the survivor with the last cursor
 * it received, gets exactly the events after it: the ones handed out for the killed poll first,
 * then the rest, nothing before the cursor again and nothing missing.
 *
 * <p>The victim runs only the gateway, so the poll it holds waits in the survivor's A2A verticle:
 * the hardest case, where the poll's waiter outlives its HTTP request and hands events out to a
 * gateway that is gone. (With both roles on every node the event bus may put the waiter on either
 * side; this split decides it.)
 */
@DisplayName("A2A pull view: the node holding a long-poll is killed")
class A2aNodeFailureTest {
  private static final Duration WITHIN = Duration.ofSeconds(20);
  private static final int LIMIT = 3;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName(
      "SIGKILL mid-poll: acknowledged messages are kept; a resume with the last cursor gets exactly"
          + " the events after it, the lost poll's first")
  void killedMidPoll() throws Exception {
    DatabaseSettings db = TestDatabase.fresh();
    Vertx vertx = Vertx.vertx();
    try (OperatorProcesses nodes =
            new OperatorProcesses(
                db, 2, Map.of("ASP_BUS_TIMEOUT_MS", "3000", "ASP_A2A_POLL_MAX_WAIT_MS", "30000"));
        TestSql sql = new TestSql(vertx, db)) {
      nodes.launch(0);
      nodes.launch(1, Map.of("ASP_ROLES", "gateway"));
      nodes.awaitServing(0);
      nodes.awaitServing(1);
      RawHttp survivor = new RawHttp(vertx, "127.0.0.1", nodes.port(0));
      RawHttp victim = new RawHttp(vertx, "127.0.0.1", nodes.port(1));

      Node a = HubNodes.hello(victim);
      Node b = HubNodes.hello(survivor);
      String session = HubNodes.createSession(victim, a, b);
      HubNodes.join(survivor, b, session);
      List<Long> acknowledged = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        acknowledged.add(
            HubNodes.send(i % 2 == 0 ? victim : survivor, a, session, "m" + i).await());
      }

      // b reads everything so far through the victim, by cursor, then long-polls there
      List<JsonObject> received = new ArrayList<>();
      String cursor = null;
      while (true) {
        JsonObject reply = ok(poll(victim, b, flatPoll(b, null, cursor, LIMIT)).await());
        List<JsonObject> got = events(reply);
        if (got.isEmpty()) {
          break;
        }
        received.addAll(got);
        cursor = reply.getString("next_cursor");
      }
      String lastCursor = cursor;
      String before = HubNodes.activeRequest(sql, b);
      Future<RawHttp.Response> killedPoll =
          poll(victim, b, flatPoll(b, 30_000L, lastCursor, LIMIT));
      HubNodes.await(
          "the long-poll takes the channel",
          WITHIN,
          () -> !Objects.equals(before, HubNodes.activeRequest(sql, b)));

      nodes.kill(1);
      Throwable lost =
          killedPoll
              .<Throwable>transform(r -> Future.succeededFuture(r.cause()))
              .await(WITHIN.toMillis(), TimeUnit.MILLISECONDS);
      assertTrue(lost != null, "the killed node's poll never answered: " + killedPoll.result());

      for (int i = 6; i < 11; i++) {
        acknowledged.add(HubNodes.send(survivor, a, session, "m" + i).await());
      }
      // the orphaned wait hands events out to the dead gateway: they are numbered, never arrive
      List<JsonObject> handedOut = new ArrayList<>();
      HubNodes.await(
          "the killed poll's wait hands out what came",
          WITHIN,
          () -> {
            handedOut.clear();
            handedOut.addAll(
                sql.rows(
                    "SELECT no, sequence FROM a2a_deliveries WHERE node = $1 AND view = 'pull'"
                        + " AND no > $2 ORDER BY no",
                    b.handle(),
                    Long.parseLong(lastCursor)));
            return !handedOut.isEmpty();
          });

      List<String> log = HubNodes.expectedView(survivor, b, session);
      List<Long> logged = new ArrayList<>();
      log.forEach(key -> logged.add(Long.parseLong(key.substring(key.lastIndexOf(' ') + 1))));
      assertTrue(
          logged.containsAll(acknowledged),
          "every acknowledged message is in the log: " + acknowledged + " in " + logged);

      // b resumes on the survivor with the last cursor it received
      List<JsonObject> resumed = new ArrayList<>();
      cursor = lastCursor;
      while (true) {
        JsonObject reply = ok(pollRetrying(survivor, b, flatPoll(b, null, cursor, LIMIT)));
        List<JsonObject> got = events(reply);
        if (got.isEmpty()) {
          assertEquals(cursor, reply.getString("next_cursor"));
          break;
        }
        resumed.addAll(got);
        cursor = reply.getString("next_cursor");
      }
      List<String> again = new ArrayList<>();
      for (JsonObject row : handedOut) {
        again.add(row.getLong("no") + "/" + row.getLong("sequence"));
      }
      List<String> firstResumed = new ArrayList<>();
      for (JsonObject event : resumed.subList(0, Math.min(handedOut.size(), resumed.size()))) {
        firstResumed.add(event.getString("cursor") + "/" + event.getLong("sequence"));
      }
      assertEquals(again, firstResumed, "the lost poll's events come again, first, as numbered");
      long lastReceived = received.get(received.size() - 1).getLong("sequence");
      assertFalse(
          resumed.stream().anyMatch(e -> e.getLong("sequence") <= lastReceived),
          "nothing before the cursor comes again: " + keys(resumed));
      List<String> all = new ArrayList<>(keys(received));
      all.addAll(keys(resumed));
      assertEquals(log, all, "none lost, none twice, in order");
      survivor.close();
      victim.close();
    } finally {
      vertx.close().await();
    }
  }

  /** A poll on the survivor, again while it answers 503 (the cluster is still settling). */
  private static RawHttp.Response pollRetrying(RawHttp http, Node node, JsonObject body)
      throws InterruptedException {
    long deadline = System.nanoTime() + WITHIN.toNanos();
    while (true) {
      RawHttp.Response response = poll(http, node, body).await();
      if (response.status() != 503 || System.nanoTime() > deadline) {
        return response;
      }
      Thread.sleep(100);
    }
  }
}
