package dev.asp.session;

import static dev.asp.session.SessionFixture.handles;
import static dev.asp.session.SessionFixture.in;
import static dev.asp.session.SessionFixture.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import dev.asp.protocol.SessionKind;
import dev.asp.protocol.bus.SessionAction;
import dev.asp.session.log.Sessions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Joining, inviting, leaving and ending")
class ParticipationTest {
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

  private static List<String> loggedTypes(String id) {
    return fx.log(id).stream().map(row -> row.getString("type")).toList();
  }

  @Test
  @DisplayName("an invited participant joins: status joined, joined_at set, session.joined {agent}")
  void join() {
    List<String> agents = fx.friends("alice", "bob");
    String bob = agents.get(1);
    String id = fx.create(agents.get(0), bob);
    assertEquals(OK, fx.call(SessionAction.JOIN, in(bob, id)));
    assertEquals("joined", fx.status(id, bob));
    Row row =
        fx.rows("SELECT joined_at FROM participants WHERE session_id = $1 AND handle = $2", id, bob)
            .get(0);
    assertNotNull(row.getLong(0));
    JsonObject joined = fx.announced(id, 2).get(1);
    assertEquals("session.joined", joined.getString(Fields.TYPE));
    assertEquals(new JsonObject().put(Fields.AGENT, bob), joined.getJsonObject(Fields.PAYLOAD));
  }

  @Test
  @DisplayName("joining twice succeeds without a second session.joined")
  void joinTwice() {
    List<String> agents = fx.friends("alice", "bob");
    String id = fx.createJoined(agents.get(0), agents.get(1));
    assertEquals(OK, fx.call(SessionAction.JOIN, in(agents.get(1), id)));
    assertEquals(OK, fx.call(SessionAction.JOIN, in(agents.get(0), id)));
    assertEquals(List.of("session.invited", "session.joined"), loggedTypes(id));
  }

  @Test
  @DisplayName("a left participant cannot join again (forbidden); a stranger gets not_found")
  void joinAfterLeave() {
    List<String> agents = fx.friends("alice", "bob");
    String id = fx.createJoined(agents.get(0), agents.get(1));
    fx.call(SessionAction.LEAVE, in(agents.get(1), id));
    assertEquals(ErrorCode.FORBIDDEN, fx.failure(SessionAction.JOIN, in(agents.get(1), id)).code());
    assertEquals(
        ErrorCode.NOT_FOUND, fx.failure(SessionAction.JOIN, in(fx.agent("eve"), id)).code());
  }

  @Test
  @DisplayName("joining an ended session is session_ended")
  void joinEnded() {
    List<String> agents = fx.friends("alice", "bob");
    String id = fx.create(agents.get(0), agents.get(1));
    fx.call(SessionAction.END, in(agents.get(0), id));
    assertEquals(
        ErrorCode.SESSION_ENDED, fx.failure(SessionAction.JOIN, in(agents.get(1), id)).code());
    assertEquals("invited", fx.status(id, agents.get(1)));
  }

  @Test
  @DisplayName("invite adds reachable handles in request order and silently omits the others")
  void invite() {
    List<String> agents = fx.friends("alice", "bob", "carol", "dave");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String id = fx.createJoined(alice, bob);
    String carol = agents.get(2);
    String dave = agents.get(3);
    String denied = fx.agent("denied");
    String pending = fx.agent("pending");
    fx.trust.allow(alice, pending);
    fx.call(SessionAction.INVITE, in(alice, id).put(Fields.INVITE, handles(pending)));

    JsonObject reply =
        fx.call(
            SessionAction.INVITE,
            in(alice, id)
                .put(
                    Fields.INVITE,
                    handles(dave, denied, "@nobody.home", bob, pending, alice, carol, dave)));
    assertEquals(new JsonObject().put(Fields.INVITED, new JsonArray().add(dave).add(carol)), reply);
    assertEquals("invited", fx.status(id, carol));
    assertEquals(0, fx.count("SELECT count(*) FROM participants WHERE handle = $1", denied));
    List<JsonObject> events = fx.announced(id, 5);
    assertEquals(
        List.of(
            "session.invited",
            "session.joined",
            "session.invited",
            "session.invited",
            "session.invited"),
        types(events));
    assertEquals(
        new JsonObject().put(Fields.INVITEE, dave).put(Fields.BY, alice),
        events.get(3).getJsonObject(Fields.PAYLOAD));
  }

  @Test
  @DisplayName("only a joined participant invites; an empty list is invalid_request")
  void whoMayInvite() {
    List<String> agents = fx.friends("alice", "bob", "carol");
    String id = fx.create(agents.get(0), agents.get(1));
    assertEquals(
        ErrorCode.FORBIDDEN,
        fx.failure(
                SessionAction.INVITE,
                in(agents.get(1), id).put(Fields.INVITE, handles(agents.get(2))))
            .code());
    assertEquals(
        ErrorCode.NOT_FOUND,
        fx.failure(
                SessionAction.INVITE,
                in(agents.get(2), id).put(Fields.INVITE, handles(agents.get(1))))
            .code());
    assertEquals(
        ErrorCode.INVALID_REQUEST,
        fx.failure(SessionAction.INVITE, in(agents.get(0), id).put(Fields.INVITE, handles()))
            .code());
    assertEquals(List.of("session.invited"), loggedTypes(id));
  }

  @Test
  @DisplayName("a left participant can be invited again and is back to invited")
  void reinviteLeft() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String id = fx.createJoined(alice, bob);
    fx.call(SessionAction.LEAVE, in(bob, id));
    JsonObject reply =
        fx.call(SessionAction.INVITE, in(alice, id).put(Fields.INVITE, handles(bob)));
    assertEquals(new JsonArray().add(bob), reply.getJsonArray(Fields.INVITED));
    assertEquals("invited", fx.status(id, bob));
    assertEquals(OK, fx.call(SessionAction.JOIN, in(bob, id)));
    assertEquals(
        List.of(
            "session.invited",
            "session.joined",
            "session.left",
            "session.invited",
            "session.joined"),
        loggedTypes(id));
  }

  @Test
  @DisplayName("inviting into an ended session is session_ended")
  void inviteEnded() {
    List<String> agents = fx.friends("alice", "bob");
    String id = fx.create(agents.get(0));
    fx.call(SessionAction.END, in(agents.get(0), id));
    assertEquals(
        ErrorCode.SESSION_ENDED,
        fx.failure(
                SessionAction.INVITE,
                in(agents.get(0), id).put(Fields.INVITE, handles(agents.get(1))))
            .code());
  }

  @Test
  @DisplayName("leave: status left with left_at and left_sequence, session.left {agent, reason}")
  void leave() {
    List<String> agents = fx.friends("alice", "bob");
    String bob = agents.get(1);
    String id = fx.createJoined(agents.get(0), bob);
    assertEquals(OK, fx.call(SessionAction.LEAVE, in(bob, id)));
    Row row =
        fx.rows(
                "SELECT status, left_at, left_sequence FROM participants"
                    + " WHERE session_id = $1 AND handle = $2",
                id,
                bob)
            .get(0);
    assertEquals("left", row.getString("status"));
    assertNotNull(row.getLong("left_at"));
    assertEquals(2L, row.getLong("left_sequence"));
    JsonObject left = fx.announced(id, 3).get(2);
    assertEquals("session.left", left.getString(Fields.TYPE));
    assertEquals(
        new JsonObject().put(Fields.AGENT, bob).put(Fields.REASON, Fields.REASON_LEFT),
        left.getJsonObject(Fields.PAYLOAD));
    assertEquals("active", fx.state(id), "alice is still joined");
    assertEquals(ErrorCode.FORBIDDEN, fx.failure(SessionAction.LEAVE, in(bob, id)).code());
  }

  @Test
  @DisplayName("the last joined participant to leave ends the session with session.ended {}")
  void lastLeaverEnds() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    String id = fx.create(alice, agents.get(1)); // bob stays invited
    fx.call(SessionAction.LEAVE, in(alice, id));
    List<JsonObject> events = fx.announced(id, 3);
    assertEquals(List.of("session.invited", "session.left", "session.ended"), types(events));
    assertEquals(new JsonObject(), events.get(2).getJsonObject(Fields.PAYLOAD));
    assertEquals("ended", fx.state(id));
    assertEquals(2, fx.announcementsOf(id).size(), "left and ended are announced together");
  }

  @Test
  @DisplayName("end: state ended with ended_at, session.ended {ended_by}; only joined may end")
  void end() {
    List<String> agents = fx.friends("alice", "bob", "carol");
    String alice = agents.get(0);
    String id = fx.createJoined(alice, agents.get(1));
    fx.call(SessionAction.INVITE, in(alice, id).put(Fields.INVITE, handles(agents.get(2))));
    assertEquals(ErrorCode.FORBIDDEN, fx.failure(SessionAction.END, in(agents.get(2), id)).code());
    assertEquals(OK, fx.call(SessionAction.END, in(agents.get(1), id)));
    assertEquals("ended", fx.state(id));
    assertEquals(
        1, fx.count("SELECT count(*) FROM sessions WHERE id = $1 AND ended_at IS NOT NULL", id));
    JsonObject ended = fx.announced(id, 4).get(3);
    assertEquals("session.ended", ended.getString(Fields.TYPE));
    assertEquals(
        new JsonObject().put(Fields.ENDED_BY, agents.get(1)), ended.getJsonObject(Fields.PAYLOAD));
    assertEquals(ErrorCode.SESSION_ENDED, fx.failure(SessionAction.END, in(alice, id)).code());
    assertEquals(ErrorCode.SESSION_ENDED, fx.failure(SessionAction.LEAVE, in(alice, id)).code());
  }

  @Test
  @DisplayName(
      "an ASP join of a full session (joined count = max_participants) is conflict and writes"
          + " nothing; a member joining again is still a no-op")
  void fullSession() {
    List<String> agents = fx.friends("alice", "bob", "carol");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String carol = agents.get(2);
    String id = fx.insertSession(SessionKind.A2A, Sessions.PUBLIC, 2, alice);
    fx.call(SessionAction.INVITE, in(alice, id).put(Fields.INVITE, handles(bob, carol)));
    assertEquals(OK, fx.call(SessionAction.JOIN, in(bob, id)));
    long next = fx.nextSequence(id);
    int announcements = fx.announcementsOf(id).size();

    AspException full = fx.failure(SessionAction.JOIN, in(carol, id));
    assertEquals(ErrorCode.CONFLICT, full.code());
    assertEquals(next, fx.nextSequence(id), "next_sequence unchanged");
    assertEquals("invited", fx.status(id, carol));
    assertEquals(announcements, fx.announcementsOf(id).size());
    assertEquals(OK, fx.call(SessionAction.JOIN, in(bob, id)));
    assertEquals(next, fx.nextSequence(id));

    // a place freed is a place taken
    fx.call(SessionAction.LEAVE, in(bob, id));
    assertEquals(OK, fx.call(SessionAction.JOIN, in(carol, id)));
    assertEquals("joined", fx.status(id, carol));
  }

  @Test
  @DisplayName("a session without max_participants takes any number of joins")
  void noLimit() {
    List<String> agents = fx.friends("alice", "bob", "carol", "dave");
    String id = fx.createJoined(agents.get(0), agents.get(1), agents.get(2), agents.get(3));
    assertEquals(
        4,
        fx.count(
            "SELECT count(*) FROM participants WHERE session_id = $1 AND status = 'joined'", id));
  }
}
