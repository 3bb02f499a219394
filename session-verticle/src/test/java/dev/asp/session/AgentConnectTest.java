package dev.asp.session;

import static dev.asp.session.SessionFixture.in;
import static dev.asp.session.SessionFixture.presence;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.SessionAction;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("AGENT_CONNECT: online, delivery state and first replay pages in one request")
class AgentConnectTest {
  private static SessionFixture fx;

  @BeforeAll
  static void start() {
    fx = SessionFixture.start();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static JsonObject connect(String agent, String node, int limit) {
    return fx.call(SessionAction.AGENT_CONNECT, presence(agent, node).put(Fields.LIMIT, limit));
  }

  /** The state entries of the reply, by session id. */
  private static Map<String, JsonObject> bySession(JsonObject reply) {
    Map<String, JsonObject> entries = new HashMap<>();
    for (Object entry : reply.getJsonArray(BusFields.SESSIONS)) {
      JsonObject session = (JsonObject) entry;
      entries.put(session.getString(Fields.SESSION_ID), session);
    }
    return entries;
  }

  /** What EVENTS with hidden rows answers after {@code after}, as delivery would ask it. */
  private static JsonObject eventsPage(String agent, String id, long after, int limit) {
    return fx.call(
        SessionAction.EVENTS,
        in(agent, id)
            .put(Fields.AFTER_SEQUENCE, after)
            .put(Fields.LIMIT, limit)
            .put(BusFields.WITH_HIDDEN, true));
  }

  private static void saveCursor(String agent, String id, long prefix) {
    fx.call(
        SessionAction.SAVE_CURSORS,
        new JsonObject()
            .put(BusFields.AGENT, agent)
            .put(
                BusFields.CURSORS,
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put(Fields.SESSION_ID, id)
                            .put(BusFields.PREFIX, prefix)
                            .put(BusFields.EXTRAS, new JsonArray()))));
  }

  @Test
  @DisplayName(
      "an agent back within grace is reconnected, and each page is exactly what EVENTS reads from"
          + " its cursor, its own session.reconnected last")
  void backWithinGrace() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String id = fx.createJoined(alice, bob);
    fx.online(bob, "n1");
    saveCursor(bob, id, 1);
    fx.offline(bob, "n1");
    for (int i = 0; i < 3; i++) {
      fx.send(alice, id, "while away " + i);
    }

    JsonObject reply = connect(bob, "n1", 500);

    assertEquals(List.of(id), reply.getJsonArray(BusFields.RECONNECTED).getList());
    JsonObject entry = bySession(reply).get(id);
    assertEquals(1, entry.getLong(BusFields.PREFIX));
    assertEquals(fx.nextSequence(id) - 1, entry.getLong(BusFields.HEAD));
    JsonObject expected = eventsPage(bob, id, 1, 500);
    assertEquals(expected.getJsonArray(Fields.EVENTS), entry.getJsonArray(Fields.EVENTS));
    assertEquals(expected.getJsonArray(BusFields.HIDDEN), entry.getJsonArray(BusFields.HIDDEN));
    assertNull(entry.getString(Fields.NEXT_CURSOR));
    JsonArray events = entry.getJsonArray(Fields.EVENTS);
    assertEquals(
        EventType.RECONNECTED.wire(), events.getJsonObject(events.size() - 1).getString("type"));
    assertEquals(1, fx.count("SELECT count(*) FROM presence WHERE agent = $1", bob));
    assertEquals(0, fx.count("SELECT count(*) FROM grace WHERE agent = $1", bob));
  }

  @Test
  @DisplayName(
      "pages share the limit: n sessions behind get limit / n rows each, a full page says where"
          + " the log continues, and a session up to date gets none")
  void pagesShareTheLimit() {
    List<String> agents = fx.friends("carol", "dave");
    String carol = agents.get(0);
    String dave = agents.get(1);
    String first = fx.createJoined(carol, dave);
    String second = fx.createJoined(carol, dave);
    String upToDate = fx.createJoined(carol, dave);
    for (int i = 0; i < 5; i++) {
      fx.send(carol, first, "first " + i);
      fx.send(carol, second, "second " + i);
    }
    saveCursor(dave, upToDate, fx.nextSequence(upToDate) - 1);

    Map<String, JsonObject> entries = bySession(connect(dave, "n1", 6));

    assertEquals(3, entries.size());
    for (String id : List.of(first, second)) {
      JsonObject entry = entries.get(id);
      JsonObject expected = eventsPage(dave, id, -1, 3);
      assertEquals(expected.getJsonArray(Fields.EVENTS), entry.getJsonArray(Fields.EVENTS), id);
      assertEquals(expected.getString(Fields.NEXT_CURSOR), entry.getString(Fields.NEXT_CURSOR));
      assertEquals("2", entry.getString(Fields.NEXT_CURSOR));
    }
    assertFalse(entries.get(upToDate).containsKey(Fields.EVENTS));
  }

  @Test
  @DisplayName("more sessions behind than the limit: only the first `limit` get a page, of one row")
  void moreSessionsThanTheLimit() {
    List<String> agents = fx.friends("erin", "frank");
    String erin = agents.get(0);
    String frank = agents.get(1);
    List<String> ids =
        List.of(
            fx.createJoined(erin, frank),
            fx.createJoined(erin, frank),
            fx.createJoined(erin, frank));

    Map<String, JsonObject> entries = bySession(connect(frank, "n1", 2));

    List<String> sorted = ids.stream().sorted().toList();
    for (String id : sorted.subList(0, 2)) {
      assertEquals(1, entries.get(id).getJsonArray(Fields.EVENTS).size(), id);
      assertEquals("0", entries.get(id).getString(Fields.NEXT_CURSOR));
    }
    assertFalse(entries.get(sorted.get(2)).containsKey(Fields.EVENTS));
    assertTrue(entries.get(sorted.get(2)).getLong(BusFields.HEAD) > -1);
  }

  @Test
  @DisplayName("a limit out of range is invalid_request and books nothing")
  void invalidLimit() {
    String gina = fx.agent("gina");
    assertEquals(
        ErrorCode.INVALID_REQUEST,
        fx.failure(SessionAction.AGENT_CONNECT, presence(gina, "n1").put(Fields.LIMIT, 0)).code());
    assertEquals(0, fx.count("SELECT count(*) FROM presence WHERE agent = $1", gina));
  }
}
