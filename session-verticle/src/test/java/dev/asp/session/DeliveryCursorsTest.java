package dev.asp.session;

import static dev.asp.session.SessionFixture.in;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import dev.asp.protocol.Ids;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.SessionAction;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Delivery cursors")
class DeliveryCursorsTest {
  private static final JsonObject OK = new JsonObject().put(Fields.OK, true);
  private static SessionFixture fx;

  @BeforeAll
  static void start() {
    fx = SessionFixture.start();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static JsonObject state(String agent) {
    return fx.call(SessionAction.DELIVERY_STATE, new JsonObject().put(BusFields.AGENT, agent));
  }

  private static JsonObject entry(String id, long prefix, JsonArray extras, long head) {
    return new JsonObject()
        .put(Fields.SESSION_ID, id)
        .put(BusFields.PREFIX, prefix)
        .put(BusFields.EXTRAS, extras)
        .put(BusFields.HEAD, head);
  }

  private static JsonObject cursor(String id, long prefix, Long... extras) {
    return new JsonObject()
        .put(Fields.SESSION_ID, id)
        .put(BusFields.PREFIX, prefix)
        .put(BusFields.EXTRAS, new JsonArray(List.of((Object[]) extras)));
  }

  private static JsonObject save(String agent, JsonObject... cursors) {
    return fx.call(
        SessionAction.SAVE_CURSORS,
        new JsonObject()
            .put(BusFields.AGENT, agent)
            .put(BusFields.CURSORS, new JsonArray(List.of((Object[]) cursors))));
  }

  /** A session both have joined, where {@code sender} then sent {@code count} messages. */
  private static String joinedWithMessages(String sender, String other, int count) {
    String id = fx.createJoined(sender, other);
    for (int i = 0; i < count; i++) {
      fx.send(sender, id, "m" + i);
    }
    return id;
  }

  /** The state entry of one session. */
  private static JsonObject stateOf(String agent, String id) {
    for (Object entry : state(agent).getJsonArray(BusFields.SESSIONS)) {
      if (id.equals(((JsonObject) entry).getString(Fields.SESSION_ID))) {
        return (JsonObject) entry;
      }
    }
    throw new AssertionError(id + " missing from the delivery state");
  }

  private static JsonArray longs(long... values) {
    JsonArray array = new JsonArray();
    for (long value : values) {
      array.add(value);
    }
    return array;
  }

  @Test
  @DisplayName(
      "the delivery state lists every session the agent has a row in, with its head, and no"
          + " cursor as prefix -1")
  void stateShape() {
    List<String> agents = fx.friends("alice", "bob", "carol");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String empty = fx.create(alice);
    String joined = fx.createJoined(bob, alice);
    fx.send(bob, joined, "hello");
    String invited = fx.create(bob, alice);
    String left = fx.createJoined(bob, alice);
    fx.call(SessionAction.LEAVE, in(alice, left));
    fx.create(bob, agents.get(2));

    JsonArray expected = new JsonArray();
    for (JsonObject entry :
        List.of(
            entry(empty, -1, new JsonArray(), -1),
            entry(joined, -1, new JsonArray(), 2),
            entry(invited, -1, new JsonArray(), 0),
            entry(left, -1, new JsonArray(), 2))) {
      expected.add(entry);
    }
    List<Object> sorted =
        expected.stream()
            .sorted(
                (a, b) ->
                    ((JsonObject) a)
                        .getString(Fields.SESSION_ID)
                        .compareTo(((JsonObject) b).getString(Fields.SESSION_ID)))
            .toList();
    assertEquals(new JsonArray(sorted), state(alice).getJsonArray(BusFields.SESSIONS));
    assertEquals(new JsonArray(), state(fx.agent("nobody")).getJsonArray(BusFields.SESSIONS));
  }

  @Test
  @DisplayName(
      "saving cursors upserts them and never moves one back: an equal prefix adds extras, a greater"
          + " one replaces them")
  void neverBackwards() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    String id = joinedWithMessages(alice, agents.get(1), 9);
    long head = fx.log(id).size() - 1;

    assertEquals(OK, save(alice, cursor(id, 3, 7L, 5L, 2L, 5L)));
    assertEquals(entry(id, 3, longs(5, 7), head), stateOf(alice, id));

    save(alice, cursor(id, 3, 6L));
    assertEquals(entry(id, 3, longs(5, 6, 7), head), stateOf(alice, id));

    save(alice, cursor(id, 2, 9L));
    assertEquals(entry(id, 3, longs(5, 6, 7), head), stateOf(alice, id));

    save(alice, cursor(id, 6, 9L, 5L, 8L));
    assertEquals(entry(id, 6, longs(8, 9), head), stateOf(alice, id));

    save(alice, cursor(id, 10));
    assertEquals(entry(id, 10, new JsonArray(), head), stateOf(alice, id));
  }

  @Test
  @DisplayName(
      "one batch may name a cursor twice: the result is that of saving them one after the other")
  void sameCursorTwiceInOneBatch() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    String id = joinedWithMessages(alice, agents.get(1), 9);
    long head = fx.log(id).size() - 1;

    assertEquals(OK, save(alice, cursor(id, 3, 5L), cursor(id, 3, 7L)));
    assertEquals(entry(id, 3, longs(5, 7), head), stateOf(alice, id));

    assertEquals(OK, save(alice, cursor(id, 6, 9L), cursor(id, 4, 8L), cursor(id, 6, 8L)));
    assertEquals(entry(id, 6, longs(8, 9), head), stateOf(alice, id));

    assertEquals(OK, save(alice, cursor(id, 2, 10L), cursor(id, 5)));
    assertEquals(entry(id, 6, longs(8, 9), head), stateOf(alice, id));
  }

  @Test
  @DisplayName("one request saves the cursors of several agents, each under its own agent")
  void severalAgents() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String id = fx.createJoined(alice, bob);
    fx.send(alice, id, "one");
    JsonObject request =
        new JsonObject()
            .put(
                BusFields.CURSORS,
                new JsonArray()
                    .add(cursor(id, 1).put(BusFields.AGENT, alice))
                    .add(cursor(id, 0, 2L).put(BusFields.AGENT, bob)));
    assertEquals(OK, fx.call(SessionAction.SAVE_CURSORS, request));
    long head = fx.log(id).size() - 1;
    assertEquals(entry(id, 1, longs(), head), stateOf(alice, id));
    assertEquals(entry(id, 0, longs(2L), head), stateOf(bob, id));
  }

  @Test
  @DisplayName("cursors of unknown sessions are skipped, the rest of the batch is saved")
  void unknownSessions() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    String id = fx.createJoined(alice, agents.get(1));

    assertEquals(
        OK,
        save(alice, cursor(Ids.newSessionId(), 4), cursor("not-a-session", 4), cursor(id, 0, 1L)));
    assertEquals(entry(id, 0, longs(1), 1), stateOf(alice, id));
    assertEquals(1, fx.count("SELECT count(*) FROM delivery_cursors WHERE agent = $1", alice));
  }

  @Test
  @DisplayName("a malformed cursor is invalid_request and saves nothing")
  void malformed() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    String id = fx.createJoined(alice, agents.get(1));
    JsonObject request =
        new JsonObject()
            .put(BusFields.AGENT, alice)
            .put(BusFields.CURSORS, new JsonArray().add(cursor(id, 1)).add(cursor(id, -2)));
    assertEquals(ErrorCode.INVALID_REQUEST, fx.failure(SessionAction.SAVE_CURSORS, request).code());
    assertEquals(0, fx.count("SELECT count(*) FROM delivery_cursors WHERE agent = $1", alice));
  }
}
