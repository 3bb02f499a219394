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
import dev.asp.protocol.EventOrigin;
import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.protocol.ParticipantStatus;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.SessionAction;
import io.vertx.core.Future;
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

  /** An extension event from {@code by}, optionally restricted to {@code audience}. */
  private static void extension(String id, String by, String... audience) {
    fx.appendAs(
        id,
        by,
        EventOrigin.HUB,
        (conn, log) -> {
          log.append(
              "a2a.task_board_update",
              by,
              new JsonObject().put("by", by),
              audience.length == 0 ? null : List.of(audience));
          return Future.succeededFuture();
        });
  }

  @Test
  @DisplayName(
      "the SQL filter of EVENTS agrees with Eligibility.eligible, audience included, over a mixed"
          + " log, and never returns an extension event")
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
    fx.sendTo(id, alice, "to bob", alice, bob);
    extension(id, alice);
    fx.call(SessionAction.INVITE, in(alice, id).put(Fields.INVITE, handles(dave, erin)));
    fx.sendTo(id, carol, "to dave, invited", carol, dave);
    fx.call(SessionAction.LEAVE, in(carol, id));
    fx.send(alice, id, "two");
    fx.call(SessionAction.JOIN, in(erin, id));
    fx.sendTo(id, erin, "to alice", erin, alice);
    extension(id, erin, erin);
    fx.call(SessionAction.LEAVE, in(erin, id));
    fx.call(SessionAction.INVITE, in(bob, id).put(Fields.INVITE, handles(erin, frank)));
    fx.send(bob, id, "three");
    fx.sendTo(id, bob, "to frank, invited", bob, frank);
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
      long leftSequence =
          participant.getLong("left_sequence") == null ? -1 : participant.getLong("left_sequence");
      List<Long> byStatus = new ArrayList<>();
      List<Long> expected = new ArrayList<>();
      for (Row event : log) {
        EventType type = EventType.fromWire(event.getString("type"));
        String[] audience = event.getArrayOfStrings("audience");
        String subject = event.getString("subject");
        long sequence = event.getLong("sequence");
        if (Eligibility.eligible(status, leftSequence, handle, type, subject, sequence)) {
          byStatus.add(sequence);
          // an ASP view: eligible with the audience, and an ASP type (no extension event)
          if (type != null
              && Eligibility.eligible(
                  status,
                  leftSequence,
                  handle,
                  type,
                  subject,
                  sequence,
                  audience == null ? null : List.of(audience))) {
            expected.add(sequence);
          }
        }
      }
      String who = handle + " (" + status + ")";
      assertEquals(expected, sequences(fx.events(handle, id)), who);
      assertFalse(expected.isEmpty());
      // the delivery form: the same events, plus the rest of what the status admits as hidden
      JsonObject withHidden =
          fx.call(
              SessionAction.EVENTS,
              in(handle, id)
                  .put(Fields.AFTER_SEQUENCE, -1)
                  .put(Fields.LIMIT, 1000)
                  .put(BusFields.WITH_HIDDEN, true));
      assertEquals(expected, sequences(jsonObjects(withHidden.getJsonArray(Fields.EVENTS))), who);
      List<Long> hidden = new ArrayList<>(byStatus);
      hidden.removeAll(expected);
      assertEquals(hidden, withHidden.getJsonArray(BusFields.HIDDEN).getList(), who);
    }
    assertTrue(
        fx.events(alice, id).stream().noneMatch(e -> e.getString(Fields.TYPE).startsWith("a2a.")));
  }

  @Test
  @DisplayName(
      "a message with audience [a, b] in a session of a, b, c: a and b read it in order, c reads"
          + " around it, with a gap, and its later events")
  void directedMessage() {
    List<String> agents = fx.friends("alice", "bob", "carol");
    String a = agents.get(0);
    String b = agents.get(1);
    String c = agents.get(2);
    String id = fx.createJoined(a, b, c);
    long before = fx.send(a, id, "for all").getLong(Fields.SEQUENCE);
    long directed = fx.sendTo(id, a, "for b", a, b);
    long after = fx.send(b, id, "for all again").getLong(Fields.SEQUENCE);
    assertEquals(List.of(before, directed, after), tail(sequences(fx.events(a, id)), 3));
    assertEquals(List.of(before, directed, after), tail(sequences(fx.events(b, id)), 3));
    assertEquals(List.of(before, after), tail(sequences(fx.events(c, id)), 2));
    assertFalse(sequences(fx.events(c, id)).contains(directed));
    JsonObject message = fx.events(b, id).get(fx.events(b, id).size() - 2);
    assertEquals("for b", message.getJsonObject(Fields.PAYLOAD).getString(Fields.CONTENT));
    assertFalse(message.containsKey("audience"), "the envelope never carries the audience");
  }

  private static List<Long> tail(List<Long> list, int n) {
    return list.subList(list.size() - n, list.size());
  }

  @Test
  @DisplayName(
      "an ASP session without A2A actions has no extension events and no gaps; with one, EVENTS"
          + " leaves it out")
  void extensionEventsLeftOut() {
    List<String> agents = fx.friends("alice", "bob");
    String id = fx.createJoined(agents.get(0), agents.get(1));
    fx.send(agents.get(0), id, "x");
    assertEquals(List.of(0L, 1L, 2L), sequences(fx.events(agents.get(1), id)));
    extension(id, agents.get(0));
    fx.send(agents.get(1), id, "y");
    assertEquals(List.of(0L, 1L, 2L, 4L), sequences(fx.events(agents.get(1), id)));
    assertEquals("a2a.task_board_update", fx.loggedTypes(id).get(3));
  }

  @Test
  @DisplayName(
      "with hidden rows asked for, they count towards the limit and the cursor, without payload")
  void hiddenPaging() {
    List<String> agents = fx.friends("alice", "bob", "carol");
    String alice = agents.get(0);
    String carol = agents.get(2);
    String id = fx.createJoined(alice, agents.get(1), carol); // 0..3: invitations and joins
    fx.sendTo(id, alice, "hidden from carol", alice, agents.get(1)); // 4
    extension(id, alice); // 5
    fx.send(alice, id, "for carol"); // 6
    JsonObject first =
        fx.call(
            SessionAction.EVENTS,
            in(carol, id)
                .put(Fields.AFTER_SEQUENCE, 3)
                .put(Fields.LIMIT, 2)
                .put(BusFields.WITH_HIDDEN, true));
    assertEquals(List.of(), first.getJsonArray(Fields.EVENTS).getList());
    assertEquals(List.of(4L, 5L), first.getJsonArray(BusFields.HIDDEN).getList());
    assertEquals("5", first.getString(Fields.NEXT_CURSOR));
    JsonObject second =
        fx.call(
            SessionAction.EVENTS,
            in(carol, id)
                .put(Fields.AFTER_SEQUENCE, 5)
                .put(Fields.LIMIT, 2)
                .put(BusFields.WITH_HIDDEN, true));
    assertEquals(List.of(6L), sequences(jsonObjects(second.getJsonArray(Fields.EVENTS))));
    assertEquals(List.of(), second.getJsonArray(BusFields.HIDDEN).getList());
    assertFalse(second.containsKey(Fields.NEXT_CURSOR));
    // without the flag (GET /events), nothing of it: no hidden list, a plain page
    JsonObject plain = page(carol, id, 3, 2);
    assertFalse(plain.containsKey(BusFields.HIDDEN));
    assertEquals(List.of(6L), sequences(jsonObjects(plain.getJsonArray(Fields.EVENTS))));
  }
}
