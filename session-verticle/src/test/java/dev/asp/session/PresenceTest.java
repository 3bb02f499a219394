package dev.asp.session;

import static dev.asp.session.SessionFixture.eventually;
import static dev.asp.session.SessionFixture.in;
import static dev.asp.session.SessionFixture.presence;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.SessionAction;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Presence: going offline and coming back")
class PresenceTest {
  private static final String DISCONNECTED = "session.disconnected";
  private static final String RECONNECTED = "session.reconnected";
  private static SessionFixture fx;

  @BeforeAll
  static void start() {
    fx = SessionFixture.start(1_000, 50);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  /** The presence events (and leaves) of a session's log, in order. */
  private static List<String> presenceTypes(String id) {
    return fx.loggedTypes(id).stream()
        .filter(
            type ->
                type.equals(DISCONNECTED)
                    || type.equals(RECONNECTED)
                    || type.equals("session.left"))
        .toList();
  }

  private static boolean hasGrace(String agent) {
    return fx.count("SELECT count(*) FROM grace WHERE agent = $1", agent) > 0;
  }

  /**
   * Makes a fresh agent go offline now and waits until its grace expires: once it has, every grace
   * deadline set before this call has passed and been swept too.
   */
  private static void waitForDeadlinesSetSoFar() {
    List<String> agents = fx.friends("sentinel", "witness");
    String id = fx.createJoined(agents.get(0), agents.get(1));
    fx.online(agents.get(0), "sentinel-node");
    fx.offline(agents.get(0), "sentinel-node");
    eventually("the sentinel's grace expired", () -> "left".equals(fx.status(id, agents.get(0))));
  }

  @Test
  @DisplayName(
      "an agent back within its grace window gets session.disconnected then session.reconnected in"
          + " every active session where it is joined, and never leaves")
  void backWithinGrace() {
    List<String> agents = fx.friends("alice", "bob", "carol");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String both = fx.createJoined(alice, bob);
    String carols = fx.createJoined(agents.get(2), alice);
    String invitedOnly = fx.create(bob, alice);
    String ended = fx.createJoined(alice, bob);
    fx.call(SessionAction.END, in(alice, ended));

    assertEquals(Set.of(), fx.online(alice, "n1"));
    assertEquals(Set.of(both, carols), fx.offline(alice, "n1"));
    assertTrue(hasGrace(alice));
    assertEquals(Set.of(both, carols), fx.online(alice, "n1"));
    assertFalse(hasGrace(alice));

    for (String id : List.of(both, carols)) {
      assertEquals(List.of(DISCONNECTED, RECONNECTED), presenceTypes(id), id);
      List<Row> log = fx.log(id);
      for (Row row : log.subList(log.size() - 2, log.size())) {
        assertEquals(new JsonObject().put(Fields.AGENT, alice), row.getJsonObject("payload"));
      }
      List<JsonObject> announced = fx.announced(id, log.size());
      assertEquals(
          List.of(DISCONNECTED, RECONNECTED),
          SessionFixture.types(announced.subList(announced.size() - 2, announced.size())));
    }
    assertEquals(List.of(), presenceTypes(invitedOnly));
    assertEquals(List.of(), presenceTypes(ended));

    waitForDeadlinesSetSoFar();
    assertEquals(List.of(DISCONNECTED, RECONNECTED), presenceTypes(both));
    assertEquals("joined", fx.status(both, alice));
    assertEquals("joined", fx.status(carols, alice));
  }

  @Test
  @DisplayName(
      "a connection on a second node keeps the agent online: only the last one closing fires")
  void secondNode() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    String id = fx.createJoined(alice, agents.get(1));
    int events = fx.log(id).size();

    assertEquals(Set.of(), fx.online(alice, "a"));
    assertEquals(Set.of(), fx.online(alice, "b"));
    assertEquals(Set.of(), fx.offline(alice, "a"));
    assertEquals(events, fx.log(id).size());
    assertFalse(hasGrace(alice));

    assertEquals(Set.of(id), fx.offline(alice, "b"));
    assertEquals(Set.of(id), fx.online(alice, "a"));
    assertEquals(List.of(DISCONNECTED, RECONNECTED), presenceTypes(id));
  }

  @Test
  @DisplayName(
      "coming online without a pending grace window fires nothing, nor do repeated requests")
  void nothingPending() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    String id = fx.createJoined(alice, agents.get(1));
    int events = fx.log(id).size();

    assertEquals(Set.of(), fx.online(alice, "n1"));
    assertEquals(Set.of(), fx.online(alice, "n1"));
    assertEquals(Set.of(), fx.offline(alice, "never-connected"));
    assertEquals(events, fx.log(id).size());

    assertEquals(Set.of(id), fx.offline(alice, "n1"));
    assertEquals(Set.of(), fx.offline(alice, "n1"));
    assertEquals(List.of(DISCONNECTED), presenceTypes(id));
  }

  @Test
  @DisplayName(
      "a presence reset takes offline the agents whose only connections were on dead nodes")
  void reset() {
    List<String> agents = fx.friends("alice", "bob", "carol");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String carol = agents.get(2);
    String id = fx.createJoined(alice, bob, carol);
    fx.online(alice, "dead");
    fx.online(bob, "live");
    fx.online(carol, "dead");
    fx.online(carol, "live");

    JsonArray offline =
        fx.call(
                SessionAction.PRESENCE_RESET,
                new JsonObject().put(BusFields.LIVE_NODES, new JsonArray().add("live")))
            .getJsonArray(BusFields.OFFLINE);

    assertTrue(offline.contains(alice));
    assertFalse(offline.contains(bob));
    assertFalse(offline.contains(carol));
    assertEquals(0, fx.count("SELECT count(*) FROM presence WHERE node = 'dead'"));
    assertTrue(hasGrace(alice));
    assertFalse(hasGrace(carol));
    assertEquals(List.of(DISCONNECTED), presenceTypes(id));
    assertEquals(
        new JsonObject().put(Fields.AGENT, alice),
        fx.log(id).get(fx.log(id).size() - 1).getJsonObject("payload"));

    assertEquals(Set.of(id), fx.online(alice, "live"));
  }

  @Test
  @DisplayName(
      "a presence reset naming dead nodes takes offline only the agents left with no connection,"
          + " and repeating it changes nothing")
  void resetDeadNodes() {
    List<String> agents = fx.friends("alice", "bob", "carol");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String carol = agents.get(2);
    String id = fx.createJoined(alice, bob, carol);
    fx.online(alice, "dead");
    fx.online(bob, "other");
    fx.online(carol, "dead");
    fx.online(carol, "live");
    JsonObject request = new JsonObject().put(BusFields.DEAD_NODES, new JsonArray().add("dead"));

    JsonArray offline =
        fx.call(SessionAction.PRESENCE_RESET, request).getJsonArray(BusFields.OFFLINE);
    JsonArray again =
        fx.call(SessionAction.PRESENCE_RESET, request).getJsonArray(BusFields.OFFLINE);

    assertEquals(new JsonArray().add(alice), offline);
    assertEquals(new JsonArray(), again);
    assertEquals(0, fx.count("SELECT count(*) FROM presence WHERE node = 'dead'"));
    assertEquals(1, fx.count("SELECT count(*) FROM presence WHERE node = 'other'"));
    assertTrue(hasGrace(alice));
    assertFalse(hasGrace(bob));
    assertEquals(List.of(DISCONNECTED), presenceTypes(id));
  }

  @Test
  @DisplayName("a presence reset with a minimum age leaves connections recorded more recently")
  void resetMinimumAge() {
    List<String> agents = fx.friends("alice", "bob");
    fx.createJoined(agents.get(0), agents.get(1));
    fx.online(agents.get(0), "young");
    JsonObject request =
        new JsonObject()
            .put(BusFields.DEAD_NODES, new JsonArray().add("young"))
            .put(BusFields.MIN_AGE_MS, 600_000);

    JsonArray untouched =
        fx.call(SessionAction.PRESENCE_RESET, request).getJsonArray(BusFields.OFFLINE);
    JsonArray forgotten =
        fx.call(SessionAction.PRESENCE_RESET, request.put(BusFields.MIN_AGE_MS, 0))
            .getJsonArray(BusFields.OFFLINE);

    assertEquals(new JsonArray(), untouched);
    assertEquals(new JsonArray().add(agents.get(0)), forgotten);
  }

  @Test
  @DisplayName(
      "racing offline and online requests leave a session's presence events alternating and"
          + " matching where the agent ends up")
  void racing() {
    List<String> agents = fx.friends("alice", "bob", "carol");
    String alice = agents.get(0);
    List<String> sessions =
        List.of(fx.createJoined(alice, agents.get(1)), fx.createJoined(agents.get(2), alice));
    fx.online(alice, "n");

    List<Future<JsonObject>> requests = new ArrayList<>();
    for (int round = 0; round < 10; round++) {
      requests.add(fx.bus.session(SessionAction.AGENT_OFFLINE, presence(alice, "n")));
      requests.add(fx.bus.session(SessionAction.AGENT_ONLINE, presence(alice, "n")));
    }
    Future.all(requests).await();
    // Whatever order the requests were bookkept in, end online.
    fx.online(alice, "n");

    for (String id : sessions) {
      List<String> types = presenceTypes(id);
      for (int i = 0; i < types.size(); i++) {
        assertEquals(i % 2 == 0 ? DISCONNECTED : RECONNECTED, types.get(i), id + " " + types);
      }
      assertEquals(0, types.size() % 2, id + " ends disconnected: " + types);
      assertEquals(
          0,
          fx.count("SELECT count(*) FROM participants WHERE session_id = $1 AND disconnected", id));
    }
  }

  @Test
  @DisplayName(
      "an agent whose deadline passed before it came back is not reconnected: it still expires")
  void backTooLate() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    String id = fx.createJoined(alice, agents.get(1));
    fx.online(alice, "n1");
    fx.offline(alice, "n1");

    // Hold alice's grace row, already due, so the return is certainly judged before the sweep.
    SqlConnection holder = fx.sql.getConnection().await();
    Transaction tx = holder.begin().await();
    Future<JsonObject> back;
    try {
      holder
          .preparedQuery("UPDATE grace SET deadline = 0 WHERE agent = $1")
          .execute(Tuple.of(alice))
          .await();
      back = fx.bus.session(SessionAction.AGENT_ONLINE, presence(alice, "n1"));
      eventually(
          "the return waits for the grace row",
          () ->
              fx.count(
                      "SELECT count(*) FROM pg_stat_activity"
                          + " WHERE datname = current_database() AND wait_event_type = 'Lock'")
                  > 0);
    } finally {
      tx.commit().await();
      holder.close().await();
    }

    assertTrue(back.await().getJsonArray(BusFields.RECONNECTED).isEmpty());
    eventually("alice expired", () -> "left".equals(fx.status(id, alice)));
    assertEquals(
        new JsonObject().put(Fields.AGENT, alice).put(Fields.REASON, Fields.REASON_GRACE_EXPIRED),
        fx.log(id).get(fx.log(id).size() - 1).getJsonObject("payload"));
    assertEquals(
        List.of("session.invited", "session.joined", "session.disconnected", "session.left"),
        fx.loggedTypes(id));
  }
}
