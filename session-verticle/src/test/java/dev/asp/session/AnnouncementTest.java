package dev.asp.session;

import static dev.asp.session.SessionFixture.in;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.SessionAction;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Announcements of committed events")
class AnnouncementTest {
  private static SessionFixture fx;

  @BeforeAll
  static void start() {
    fx = SessionFixture.start();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static JsonObject participant(String handle, String status) {
    return new JsonObject().put(Fields.HANDLE, handle).put(Fields.STATUS, status);
  }

  /** The announcement messages of a session once {@code count} of them arrived. */
  private static List<JsonObject> announcements(String id, int count) {
    SessionFixture.eventually(
        count + " announcements of " + id, () -> fx.announcementsOf(id).size() >= count);
    return fx.announcementsOf(id);
  }

  @Test
  @DisplayName(
      "each command's announcement carries every participant as it is after the commit, left ones"
          + " with the sequence they may read up to")
  void participants() {
    // Handles sort as alice < bob < carol, the order participants are listed in.
    List<String> agents = fx.friends("alice", "bob", "carol");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String carol = agents.get(2);
    String id = fx.create(alice, bob, carol);
    fx.call(SessionAction.JOIN, in(bob, id));
    fx.call(SessionAction.LEAVE, in(bob, id));

    List<JsonObject> announced = announcements(id, 3);
    assertEquals(3, announced.size(), "one announcement per command");
    assertEquals(2, announced.get(0).getJsonArray(Fields.EVENTS).size());
    assertEquals(
        new JsonArray()
            .add(participant(alice, "joined"))
            .add(participant(bob, "invited"))
            .add(participant(carol, "invited")),
        announced.get(0).getJsonArray(BusFields.PARTICIPANTS));
    assertEquals(
        new JsonArray()
            .add(participant(alice, "joined"))
            .add(participant(bob, "joined"))
            .add(participant(carol, "invited")),
        announced.get(1).getJsonArray(BusFields.PARTICIPANTS));
    long leftAt =
        announced.get(2).getJsonArray(Fields.EVENTS).getJsonObject(0).getLong(Fields.SEQUENCE);
    assertEquals(
        new JsonArray()
            .add(participant(alice, "joined"))
            .add(participant(bob, "left").put(BusFields.LEFT_SEQUENCE, leftAt))
            .add(participant(carol, "invited")),
        announced.get(2).getJsonArray(BusFields.PARTICIPANTS));
  }

  @Test
  @DisplayName("an agent force-left while only invited is announced as able to read nothing")
  void invitedThenLeft() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String id = fx.create(alice, bob);
    fx.call(
        SessionAction.FORCE_LEAVE,
        new JsonObject().put(BusFields.BLOCKER, alice).put(BusFields.BLOCKED, bob));

    JsonObject last = announcements(id, 2).get(1);
    assertEquals(
        new JsonArray()
            .add(participant(alice, "joined"))
            .add(participant(bob, "left").put(BusFields.LEFT_SEQUENCE, -1L)),
        last.getJsonArray(BusFields.PARTICIPANTS));
  }
}
