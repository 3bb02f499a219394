package dev.asp.session;

import static dev.asp.session.SessionFixture.in;
import static dev.asp.session.SessionFixture.sequences;
import static dev.asp.session.SessionFixture.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.EventOrigin;
import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.protocol.Ids;
import dev.asp.protocol.ParticipantStatus;
import dev.asp.protocol.SessionKind;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.SessionAction;
import dev.asp.session.log.Announcement;
import dev.asp.session.log.EventLog;
import dev.asp.session.log.LeaveEffect;
import dev.asp.session.log.Membership;
import dev.asp.session.log.SessionSnapshot;
import dev.asp.session.log.Sessions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The session module's public append path ({@code dev.asp.session.log}) as another module (the A2A
 * verticle) uses it: inside its own transaction, under the session row lock, on the real database.
 */
@DisplayName("The public append path")
class LogApiTest {
  private static SessionFixture fx;

  @BeforeAll
  static void start() {
    fx = SessionFixture.start();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static Row session(String id) {
    return fx.rows(
            "SELECT state, kind, visibility, max_participants, next_sequence, created_by, topic"
                + " FROM sessions WHERE id = $1",
            id)
        .get(0);
  }

  private static Row participant(String id, String handle) {
    return fx.rows(
            "SELECT status, joined_at, left_at, left_sequence FROM participants"
                + " WHERE session_id = $1 AND handle = $2",
            id,
            handle)
        .get(0);
  }

  private static List<String> origins(String id) {
    return fx.log(id).stream().map(row -> row.getString("origin")).toList();
  }

  @Test
  @DisplayName(
      "Sessions.insert stores kind, visibility and limit, the creator joined, and no event yet")
  void insert() {
    String alice = fx.agent("alice");
    String id = Ids.newSessionId();
    long now = System.currentTimeMillis();
    EventLog log =
        fx.sql
            .withTransaction(
                conn ->
                    Sessions.insert(
                        conn,
                        id,
                        SessionKind.A2A,
                        Sessions.PUBLIC,
                        5,
                        "plan",
                        alice,
                        now,
                        EventOrigin.A2A))
            .await();
    assertEquals(id, log.sessionId());
    assertEquals(0, log.nextSequence());
    assertEquals(now, log.now());
    assertEquals(EventOrigin.A2A, log.origin());
    Row row = session(id);
    assertEquals("active", row.getString("state"));
    assertEquals("a2a", row.getString("kind"));
    assertEquals("public", row.getString("visibility"));
    assertEquals(5, row.getInteger("max_participants"));
    assertEquals(0L, row.getLong("next_sequence"));
    assertEquals(alice, row.getString("created_by"));
    assertEquals("plan", row.getString("topic"));
    assertEquals("joined", participant(id, alice).getString("status"));
    assertEquals(now, participant(id, alice).getLong("joined_at"));
    assertTrue(fx.log(id).isEmpty());

    SessionSnapshot snapshot =
        fx.sql.withTransaction(conn -> SessionSnapshot.lock(conn, id, alice)).await();
    assertEquals(SessionKind.A2A, snapshot.kind());
    assertEquals(Sessions.PUBLIC, snapshot.visibility());
    assertEquals(5, snapshot.maxParticipants());
    assertEquals(ParticipantStatus.JOINED, snapshot.callerStatus());
  }

  @Test
  @DisplayName("an ASP create is kind asp, private, with no limit")
  void aspDefaults() {
    String alice = fx.agent("alice");
    String id = fx.create(alice);
    Row row = session(id);
    assertEquals("asp", row.getString("kind"));
    assertEquals("private", row.getString("visibility"));
    assertNull(row.getInteger("max_participants"));
    fx.send(alice, id, "hi");
    assertEquals(List.of("asp"), origins(id));
  }

  @Test
  @DisplayName("Sessions.insert refuses a bad visibility or limit and writes nothing")
  void insertRefuses() {
    String alice = fx.agent("alice");
    for (Object[] bad : new Object[][] {{"open", null}, {null, null}, {Sessions.PRIVATE, 0}}) {
      String id = Ids.newSessionId();
      Throwable failure =
          assertThrows(
              Throwable.class,
              () ->
                  fx.sql
                      .withTransaction(
                          conn ->
                              Sessions.insert(
                                  conn,
                                  id,
                                  SessionKind.A2A,
                                  (String) bad[0],
                                  (Integer) bad[1],
                                  null,
                                  alice,
                                  1L,
                                  EventOrigin.A2A))
                      .await());
      assertInstanceOf(IllegalArgumentException.class, failure, Arrays.toString(bad));
      assertEquals(0, fx.count("SELECT count(*) FROM sessions WHERE id = $1", id));
    }
  }

  @Test
  @DisplayName(
      "the stranger forms of lock and peek see a session its caller has no row in; the plain ones"
          + " do not")
  void strangers() {
    String alice = fx.agent("alice");
    String eve = fx.agent("eve");
    String id = fx.insertSession(SessionKind.A2A, Sessions.PUBLIC, null, alice);
    SessionSnapshot seen =
        fx.sql.withTransaction(conn -> SessionSnapshot.lockAny(conn, id, eve)).await();
    assertFalse(seen.participant());
    assertNull(seen.callerStatus());
    assertNull(seen.maxParticipants());
    assertFalse(SessionSnapshot.peekAny(fx.sql, id, eve).await().participant());
    assertNotFound(
        () -> fx.sql.withTransaction(conn -> SessionSnapshot.lock(conn, id, eve)).await());
    assertNotFound(() -> SessionSnapshot.peek(fx.sql, id, eve).await());
    // an unknown session is not_found in every form
    assertNotFound(
        () -> SessionSnapshot.peekAny(fx.sql, "sess_0000000000000000000000000", eve).await());
  }

  private static void assertNotFound(org.junit.jupiter.api.function.Executable call) {
    assertEquals(ErrorCode.NOT_FOUND, assertThrows(AspException.class, call).code());
  }

  @Test
  @DisplayName(
      "hubJoin appends session.invited then session.joined in one commit, for a new member and"
          + " for one that left")
  void hubJoin() {
    String alice = fx.agent("alice");
    String bob = fx.agent("bob");
    String id = fx.insertSession(SessionKind.DM, Sessions.PRIVATE, null, alice);
    Announcement first =
        fx.appendAs(
            id,
            alice,
            EventOrigin.HUB,
            (conn, log) -> Membership.hubJoin(conn, log, bob, alice, "dm"));
    assertEquals(
        List.of("session.invited", "session.joined"),
        types(first.events().stream().map(e -> e.toJson()).toList()));
    assertEquals(
        new JsonObject().put(Fields.INVITEE, bob).put(Fields.BY, alice).put(Fields.TOPIC, "dm"),
        first.events().get(0).payload());
    assertEquals(new JsonObject().put(Fields.AGENT, bob), first.events().get(1).payload());
    assertEquals("joined", participant(id, bob).getString("status"));
    assertEquals(List.of("hub", "hub"), origins(id));

    fx.call(SessionAction.LEAVE, in(bob, id));
    fx.appendAs(
        id, alice, EventOrigin.HUB, (conn, log) -> Membership.hubJoin(conn, log, bob, alice, null));
    assertEquals("joined", participant(id, bob).getString("status"));
    assertNull(participant(id, bob).getLong("left_at"));
    assertEquals(
        List.of(
            "session.invited",
            "session.joined",
            "session.left",
            "session.invited",
            "session.joined"),
        fx.loggedTypes(id));
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L), sequences(fx.events(bob, id)));
  }

  @Test
  @DisplayName(
      "publicJoin appends only session.joined for an agent with no row; one that left joins"
          + " again the same way")
  void publicJoin() {
    String alice = fx.agent("alice");
    String carol = fx.agent("carol");
    String id = fx.insertSession(SessionKind.A2A, Sessions.PUBLIC, null, alice);
    fx.send(alice, id, "before carol came");
    fx.appendAs(id, alice, EventOrigin.A2A, (conn, log) -> Membership.publicJoin(conn, log, carol));
    assertEquals(List.of("session.message", "session.joined"), fx.loggedTypes(id));
    Row row = participant(id, carol);
    assertEquals("joined", row.getString("status"));
    assertNotNull(row.getLong("joined_at"));
    // joined: the transcript from before its join is its to read, as for any joiner
    assertEquals(List.of(0L, 1L), sequences(fx.events(carol, id)));

    fx.call(SessionAction.LEAVE, in(carol, id));
    long leftAt = participant(id, carol).getLong("left_sequence");
    fx.appendAs(id, alice, EventOrigin.A2A, (conn, log) -> Membership.publicJoin(conn, log, carol));
    row = participant(id, carol);
    assertEquals("joined", row.getString("status"));
    assertNull(row.getLong("left_at"));
    assertEquals(leftAt, row.getLong("left_sequence"), "kept as history");
    assertEquals(
        List.of("session.message", "session.joined", "session.left", "session.joined"),
        fx.loggedTypes(id));
    assertEquals(
        new JsonObject().put(Fields.AGENT, carol), fx.log(id).get(3).getJsonObject("payload"));
  }

  @Test
  @DisplayName(
      "an invited participant declines through Membership.leave: session.left, and it reads no"
          + " more than before")
  void decline() {
    List<String> agents = fx.friends("alice", "bob", "carol");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String carol = agents.get(2);
    String id = fx.createJoined(alice, carol);
    fx.call(SessionAction.INVITE, in(alice, id).put(Fields.INVITE, SessionFixture.handles(bob)));
    fx.send(alice, id, "bob cannot read this");
    long invitation = fx.nextSequence(id) - 2;
    assertEquals(List.of(invitation), sequences(fx.events(bob, id)));
    fx.appendAs(
        id,
        bob,
        EventOrigin.A2A,
        (conn, log) ->
            Membership.leave(conn, log, bob, true, ParticipantStatus.INVITED, LeaveEffect.NONE));
    assertEquals("left", fx.status(id, bob));
    assertNull(participant(id, bob).getLong("left_sequence"));
    assertEquals("active", fx.state(id));
    List<Row> log = fx.log(id);
    Row left = log.get(log.size() - 1);
    assertEquals("session.left", left.getString("type"));
    assertEquals(
        new JsonObject().put(Fields.AGENT, bob).put(Fields.REASON, Fields.REASON_LEFT),
        left.getJsonObject("payload"));
    // it never had the transcript, so it gains none: like a force-left invitee, it reads nothing
    assertEquals(List.of(), fx.events(bob, id));
  }

  @Test
  @DisplayName(
      "an event of an extension type with an audience stores both, and its origin, alone or in a"
          + " batch")
  void audienceAndOriginStored() {
    List<String> agents = fx.friends("alice", "bob", "carol");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String id = fx.createJoined(alice, bob, agents.get(2));
    long next = fx.nextSequence(id);
    fx.appendAs(
        id,
        alice,
        EventOrigin.HUB,
        (conn, log) -> {
          log.append("a2a.task_board_update", alice, new JsonObject().put("x", 1), List.of(bob));
          return Future.succeededFuture();
        });
    fx.appendAs(
        id,
        alice,
        EventOrigin.A2A,
        (conn, log) -> {
          log.appendMessage(alice, "to bob", null, null, List.of(alice, bob));
          log.append(EventType.MESSAGE.wire(), alice, new JsonObject(), null);
          log.append("a2a.session_status", null, new JsonObject(), List.of(alice));
          return Future.succeededFuture();
        });
    assertEquals(next + 4, fx.nextSequence(id));
    List<Row> appended = fx.log(id).subList((int) next, (int) next + 4);
    assertEquals(
        List.of(
            "a2a.task_board_update", "session.message", "session.message", "a2a.session_status"),
        appended.stream().map(row -> row.getString("type")).toList());
    assertEquals(
        List.of("hub", "a2a", "a2a", "a2a"),
        appended.stream().map(row -> row.getString("origin")).toList());
    assertEquals(List.of(bob), List.of(appended.get(0).getArrayOfStrings("audience")));
    assertEquals(List.of(alice, bob), List.of(appended.get(1).getArrayOfStrings("audience")));
    assertNull(appended.get(2).getArrayOfStrings("audience"));
    assertEquals(List.of(alice), List.of(appended.get(3).getArrayOfStrings("audience")));
  }

  @Test
  @DisplayName("an event type that is neither ASP nor a2a.<name>, or an empty audience, is refused")
  void refusedAppends() {
    EventLog log = new EventLog(Ids.newSessionId(), 0, 1L, EventOrigin.A2A);
    for (String type : new String[] {"session.bogus", "a2a.", "a2a.Task", "x.y", null}) {
      assertThrows(
          IllegalArgumentException.class,
          () -> log.append(type, null, new JsonObject(), null),
          String.valueOf(type));
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> log.append("a2a.x", null, new JsonObject(), List.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> log.appendMessage("@a.b", "x", null, null, List.of()));
    assertThrows(IllegalArgumentException.class, () -> log.append("a2a.x", null, null, null));
    assertEquals(0, log.nextSequence(), "nothing refused took a sequence");
    assertEquals(EventOrigin.ASP, new EventLog("s", 0, 1L).origin());
  }

  @Test
  @DisplayName(
      "the announcement carries each event's audience beside it; the event itself is the bare"
          + " envelope")
  void announcedAudiences() {
    List<String> agents = fx.friends("alice", "bob", "carol");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String id = fx.createJoined(alice, bob, agents.get(2));
    int before = fx.announcementsOf(id).size();
    fx.appendAs(
        id,
        alice,
        EventOrigin.A2A,
        (conn, log) -> {
          log.appendMessage(alice, "all", null, null);
          log.appendMessage(alice, "bob only", null, null, List.of(alice, bob));
          return Future.succeededFuture();
        });
    SessionFixture.eventually(
        "the announcement", () -> fx.announcementsOf(id).size() == before + 1);
    JsonObject announcement = fx.announcementsOf(id).get(before);
    assertEquals(
        new JsonArray().addNull().add(new JsonArray().add(alice).add(bob)),
        announcement.getJsonArray(BusFields.AUDIENCES));
    for (Object event : announcement.getJsonArray(Fields.EVENTS)) {
      assertEquals(
          Set.of(
              Fields.TYPE,
              Fields.SESSION_ID,
              Fields.EVENT_ID,
              Fields.SEQUENCE,
              Fields.CREATED_AT,
              Fields.PAYLOAD),
          ((JsonObject) event).fieldNames());
    }
    // and a command of the session verticle announces no audience for each of its events
    fx.send(bob, id, "plain");
    SessionFixture.eventually(
        "the send's announcement", () -> fx.announcementsOf(id).size() == before + 2);
    assertEquals(
        new JsonArray().addNull(),
        fx.announcementsOf(id).get(before + 1).getJsonArray(BusFields.AUDIENCES));
  }
}
