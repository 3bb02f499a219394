package dev.asp.session;

import static dev.asp.session.SessionFixture.handles;
import static dev.asp.session.SessionFixture.in;
import static dev.asp.session.SessionFixture.jsonObjects;
import static dev.asp.session.SessionFixture.sequences;
import static dev.asp.session.SessionFixture.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.Eligibility;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.protocol.ParticipantStatus;
import dev.asp.protocol.bus.SessionAction;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Reading a session and its events")
class ReadsTest {
  private static SessionFixture fx;

  @BeforeAll
  static void start() {
    fx = SessionFixture.start();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static JsonObject page(String caller, String id, long after, int limit) {
    return fx.call(
        SessionAction.EVENTS,
        in(caller, id).put(Fields.AFTER_SEQUENCE, after).put(Fields.LIMIT, limit));
  }

  @Test
  @DisplayName(
      "GET shows id, state, topic, participants by handle, created_at; absent fields omitted")
  void view() {
    List<String> agents = fx.friends("carol", "alice", "bob");
    String carol = agents.get(0);
    String alice = agents.get(1);
    String bob = agents.get(2);
    String id =
        fx.call(
                SessionAction.CREATE,
                SessionFixture.as(carol)
                    .put(Fields.INVITE, handles(alice, bob))
                    .put(Fields.TOPIC, "t"))
            .getString(Fields.SESSION_ID);
    fx.call(SessionAction.JOIN, in(alice, id));
    fx.call(SessionAction.LEAVE, in(alice, id));

    JsonObject view = fx.call(SessionAction.GET, in(bob, id));
    assertEquals(
        Set.of(Fields.ID, Fields.STATE, Fields.TOPIC, Fields.PARTICIPANTS, Fields.CREATED_AT),
        view.fieldNames());
    assertEquals(id, view.getString(Fields.ID));
    assertEquals("active", view.getString(Fields.STATE));
    assertEquals("t", view.getString(Fields.TOPIC));
    List<JsonObject> participants = jsonObjects(view.getJsonArray(Fields.PARTICIPANTS));
    List<String> byHandle = agents.stream().sorted().toList();
    assertEquals(byHandle, participants.stream().map(p -> p.getString(Fields.HANDLE)).toList());
    for (JsonObject participant : participants) {
      String handle = participant.getString(Fields.HANDLE);
      if (handle.equals(carol)) {
        assertEquals(
            Set.of(Fields.HANDLE, Fields.STATUS, Fields.JOINED_AT), participant.fieldNames());
        assertEquals("joined", participant.getString(Fields.STATUS));
      } else if (handle.equals(alice)) {
        assertEquals("left", participant.getString(Fields.STATUS));
        assertTrue(participant.containsKey(Fields.LEFT_AT));
      } else {
        assertEquals(Set.of(Fields.HANDLE, Fields.STATUS), participant.fieldNames());
        assertEquals("invited", participant.getString(Fields.STATUS));
      }
    }

    fx.call(SessionAction.END, in(carol, id));
    JsonObject ended = fx.call(SessionAction.GET, in(alice, id));
    assertEquals("ended", ended.getString(Fields.STATE));
    assertTrue(ended.containsKey(Fields.ENDED_AT));
    JsonObject untitled = fx.call(SessionAction.GET, in(carol, fx.create(carol)));
    assertNull(untitled.getValue(Fields.TOPIC));
    assertFalse(untitled.containsKey(Fields.TOPIC));
  }

  @Test
  @DisplayName("a non-participant gets not_found for GET and EVENTS, like an unknown session")
  void strangers() {
    List<String> agents = fx.friends("alice", "bob");
    String id = fx.create(agents.get(0));
    String eve = fx.agent("eve");
    assertEquals(ErrorCode.NOT_FOUND, fx.failure(SessionAction.GET, in(eve, id)).code());
    assertEquals(ErrorCode.NOT_FOUND, fx.failure(SessionAction.EVENTS, in(eve, id)).code());
    String unknown = "sess_0000000000000000000000000";
    assertEquals(
        ErrorCode.NOT_FOUND, fx.failure(SessionAction.GET, in(agents.get(0), unknown)).code());
    assertEquals(
        ErrorCode.NOT_FOUND, fx.failure(SessionAction.EVENTS, in(agents.get(0), unknown)).code());
  }

  @Test
  @DisplayName("a joined participant reads every event, including the transcript before it joined")
  void joinedSeesAll() {
    List<String> agents = fx.friends("alice", "bob", "carol");
    String alice = agents.get(0);
    String id = fx.createJoined(alice, agents.get(1));
    fx.send(alice, id, "early");
    fx.call(SessionAction.INVITE, in(alice, id).put(Fields.INVITE, handles(agents.get(2))));
    fx.call(SessionAction.JOIN, in(agents.get(2), id));
    List<JsonObject> seen = fx.events(agents.get(2), id);
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L), sequences(seen));
    assertEquals("early", seen.get(2).getJsonObject(Fields.PAYLOAD).getString(Fields.CONTENT));
    assertEquals(
        Set.of(
            Fields.TYPE,
            Fields.SESSION_ID,
            Fields.EVENT_ID,
            Fields.SEQUENCE,
            Fields.CREATED_AT,
            Fields.PAYLOAD),
        seen.get(0).fieldNames());
    assertEquals(fx.announced(id, 5), seen, "EVENTS and announcements carry the same events");
  }

  @Test
  @DisplayName("an invited participant reads only its own invitation and session.ended")
  void invitedSeesOwnInvitation() {
    List<String> agents = fx.friends("alice", "bob", "carol");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String id = fx.create(alice, bob, agents.get(2));
    fx.send(alice, id, "secret");
    assertEquals(List.of("session.invited"), types(fx.events(bob, id)));
    assertEquals(
        bob, fx.events(bob, id).get(0).getJsonObject(Fields.PAYLOAD).getString(Fields.INVITEE));
    fx.call(SessionAction.END, in(alice, id));
    assertEquals(List.of("session.invited", "session.ended"), types(fx.events(bob, id)));
  }

  @Test
  @DisplayName("a left participant reads events up to and including its own session.left")
  void leftSeesUpToLeaving() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String id = fx.createJoined(alice, bob);
    fx.send(bob, id, "bye");
    fx.call(SessionAction.LEAVE, in(bob, id));
    fx.send(alice, id, "after");
    List<JsonObject> seen = fx.events(bob, id);
    assertEquals(
        List.of("session.invited", "session.joined", "session.message", "session.left"),
        types(seen));
    assertEquals(5, fx.events(alice, id).size());
  }

  @Test
  @DisplayName("pages of at most limit events, with next_cursor while more eligible events exist")
  void paging() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String id = fx.create(alice, bob);
    for (int i = 0; i < 6; i++) {
      fx.send(alice, id, "m" + i);
    }
    List<Long> collected = new ArrayList<>();
    long after = -1;
    int pages = 0;
    while (true) {
      JsonObject page = page(alice, id, after, 3);
      pages++;
      List<JsonObject> events = jsonObjects(page.getJsonArray(Fields.EVENTS));
      collected.addAll(sequences(events));
      if (!page.containsKey(Fields.NEXT_CURSOR)) {
        break;
      }
      assertEquals(3, events.size());
      String cursor = page.getString(Fields.NEXT_CURSOR);
      assertEquals(Long.toString(events.get(2).getLong(Fields.SEQUENCE)), cursor);
      after = Long.parseLong(cursor);
    }
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L), collected);
    assertEquals(3, pages);
    // exactly limit eligible events left: no cursor
    assertFalse(page(alice, id, 3, 3).containsKey(Fields.NEXT_CURSOR));
    // the cursor counts eligible events only: bob (invited) has one, so no cursor at limit 1
    JsonObject bobs = page(bob, id, -1, 1);
    assertEquals(1, bobs.getJsonArray(Fields.EVENTS).size());
    assertFalse(bobs.containsKey(Fields.NEXT_CURSOR));
  }

  @Test
  @DisplayName("limit outside 1..1000 or after_sequence below -1 is invalid_request")
  void pageBounds() {
    String alice = fx.agent("alice");
    String id = fx.create(alice);
    for (long limit : new long[] {0, 1001}) {
      assertEquals(
          ErrorCode.INVALID_REQUEST,
          fx.failure(SessionAction.EVENTS, in(alice, id).put(Fields.LIMIT, limit)).code());
    }
    assertEquals(
        ErrorCode.INVALID_REQUEST,
        fx.failure(SessionAction.EVENTS, in(alice, id).put(Fields.AFTER_SEQUENCE, -2)).code());
    assertEquals(0, page(alice, id, -1, 1000).getJsonArray(Fields.EVENTS).size());
  }

  @Test
  @DisplayName("the SQL filter of EVENTS agrees with Eligibility.eligible over a mixed log")
  void sqlAgreesWithEligibility() {
    List<String> agents = fx.friends("alice", "bob", "carol", "dave", "erin", "frank");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String carol = agents.get(2);
    String dave = agents.get(3);
    String erin = agents.get(4);
    String frank = agents.get(5);
    String id = fx.createJoined(alice, bob, carol);
    fx.send(bob, id, "one");
    fx.call(SessionAction.INVITE, in(alice, id).put(Fields.INVITE, handles(dave, erin)));
    fx.call(SessionAction.LEAVE, in(carol, id));
    fx.send(alice, id, "two");
    fx.call(SessionAction.JOIN, in(erin, id));
    fx.call(SessionAction.LEAVE, in(erin, id));
    fx.call(SessionAction.INVITE, in(bob, id).put(Fields.INVITE, handles(erin, frank)));
    fx.send(bob, id, "three");
    fx.call(SessionAction.LEAVE, in(bob, id));
    fx.call(SessionAction.END, in(alice, id));
    // now: alice joined, bob left, carol left, dave invited, erin invited (left before), frank
    // invited

    List<Row> log = fx.log(id);
    List<Row> participants =
        fx.rows("SELECT handle, status, left_sequence FROM participants WHERE session_id = $1", id);
    assertEquals(6, participants.size());
    for (Row participant : participants) {
      String handle = participant.getString("handle");
      ParticipantStatus status = ParticipantStatus.fromWire(participant.getString("status"));
      Long leftSequence = participant.getLong("left_sequence");
      List<Long> expected =
          log.stream()
              .filter(
                  event ->
                      Eligibility.eligible(
                          status,
                          leftSequence == null ? -1 : leftSequence,
                          handle,
                          EventType.fromWire(event.getString("type")),
                          event.getString("subject"),
                          event.getLong("sequence")))
              .map(event -> event.getLong("sequence"))
              .toList();
      assertEquals(expected, sequences(fx.events(handle, id)), handle + " (" + status + ")");
      assertFalse(expected.isEmpty());
    }
  }
}
