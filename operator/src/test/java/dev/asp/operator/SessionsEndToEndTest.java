package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.client.AspClient;
import dev.asp.client.AspClientException;
import dev.asp.client.NewSession;
import dev.asp.client.Replies.EventsPage;
import dev.asp.client.Replies.MessageSent;
import dev.asp.client.Replies.SessionView;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Event;
import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Spec §3–§5 through the real gateway, with the project's client, on a real PostgreSQL. */
@DisplayName("Sessions, end to end")
class SessionsEndToEndTest {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static OperatorHarness operator;

  @BeforeAll
  static void start() {
    operator = OperatorHarness.start(TestDatabase.fresh());
  }

  @AfterAll
  static void stop() {
    operator.close();
  }

  /** A fresh agent with the open policy, so trust never gets in the way of these tests. */
  private record Agent(String handle, AspClient client) {}

  private static Agent agent() {
    String handle = "@e2e" + COUNTER.incrementAndGet() + ".agent";
    return new Agent(handle, operator.agent(handle, "open"));
  }

  private static ErrorCode failure(Supplier<Future<?>> call) {
    AspClientException e = assertThrows(AspClientException.class, () -> call.get().await());
    for (ErrorCode code : ErrorCode.values()) {
      if (code.wireCode().equals(e.code())) {
        assertEquals(code.httpStatus(), e.status());
        return code;
      }
    }
    throw new AssertionError("unknown error code " + e.code());
  }

  private static List<Event> allEvents(Agent agent, String sessionId) {
    return agent.client().events(sessionId, null, 1000).await().events();
  }

  private static List<String> types(List<Event> events) {
    return events.stream().map(Event::type).toList();
  }

  @Test
  @DisplayName("the seed's flow: create with invite, join, exchange messages, end")
  void seedFlow() {
    Agent alice = agent();
    Agent bob = agent();
    String id = alice.client().createSession(NewSession.inviting(bob.handle())).await().sessionId();
    assertTrue(id.matches("^sess_[0-9A-Z]+$"), id);
    assertEquals("invited", alice.client().getSession(id).await().statusOf(bob.handle()));
    bob.client().join(id).await();
    MessageSent hello = alice.client().send(id, "hello bob").await();
    MessageSent hi = bob.client().send(id, "hi alice").await();
    alice.client().end(id).await();

    assertTrue(hello.messageId().matches("^msg_[0-9A-Z]+$"));
    assertEquals(hello.sequence() + 1, hi.sequence());
    List<Event> events = allEvents(bob, id);
    assertEquals(
        List.of(
            "session.invited",
            "session.joined",
            "session.message",
            "session.message",
            "session.ended"),
        types(events));
    for (int i = 0; i < events.size(); i++) {
      Event event = events.get(i);
      assertEquals(i, event.sequence(), "one counter per session from 0, without gaps");
      assertEquals(id, event.sessionId());
      assertTrue(event.eventId().matches("^evt_[0-9A-Z]+$"));
      assertTrue(event.createdAt() > 1_600_000_000_000L, "epoch milliseconds");
    }
    JsonObject message = events.get(2).payload();
    assertEquals(
        Set.of("id", "session_id", "sender", "sequence", "content", "created_at"),
        message.fieldNames());
    assertEquals(hello.messageId(), message.getString(Fields.ID));
    assertEquals(hello.sequence(), message.getLong(Fields.SEQUENCE));
    assertEquals(hello.sequence(), events.get(2).sequence());
    assertEquals(alice.handle(), message.getString(Fields.SENDER));
    assertEquals(alice.handle(), events.get(4).payload().getString(Fields.ENDED_BY));
    assertEquals(bob.handle(), events.get(1).payload().getString(Fields.AGENT));
    JsonObject invited = events.get(0).payload();
    assertEquals(bob.handle(), invited.getString(Fields.INVITEE));
    assertEquals(alice.handle(), invited.getString(Fields.BY));

    SessionView view = alice.client().getSession(id).await();
    assertEquals(id, view.id());
    assertEquals("ended", view.state());
    assertNotNull(view.endedAt());
    assertEquals("joined", view.statusOf(bob.handle()));
  }

  @Test
  @DisplayName("a session without invitees is fine, and the topic is kept")
  void noInvitees() {
    Agent alice = agent();
    var created = alice.client().createSession(NewSession.inviting().topic("solo")).await();
    assertNull(created.sequence());
    SessionView view = alice.client().getSession(created.sessionId()).await();
    assertEquals("solo", view.topic());
    assertEquals("active", view.state());
    assertEquals(1, view.participants().size());
    assertEquals("joined", view.statusOf(alice.handle()));
    assertNotNull(view.participants().get(0).joinedAt());
  }

  @Test
  @DisplayName("the initial message is recorded and its sequence returned")
  void initialMessage() {
    Agent alice = agent();
    Agent bob = agent();
    var created =
        alice
            .client()
            .createSession(NewSession.inviting(bob.handle()).initialMessage("first words"))
            .await();
    assertNotNull(created.sequence());
    Event message =
        allEvents(alice, created.sessionId()).stream()
            .filter(e -> e.type().equals(EventType.MESSAGE.wire()))
            .findFirst()
            .orElseThrow();
    assertEquals(created.sequence(), message.sequence());
    assertEquals("first words", message.payload().getString(Fields.CONTENT));
  }

  @Test
  @DisplayName("send-and-end carries the message inline on session.invited, then ends")
  void sendAndEnd() {
    Agent alice = agent();
    Agent bob = agent();
    var created =
        alice
            .client()
            .createSession(
                NewSession.inviting(bob.handle()).initialMessage("one shot").endAfterSend())
            .await();
    String id = created.sessionId();
    assertEquals("ended", alice.client().getSession(id).await().state());
    List<Event> bobSees = allEvents(bob, id);
    assertEquals(List.of("session.invited", "session.ended"), types(bobSees));
    JsonObject inline = bobSees.get(0).payload().getJsonObject(Fields.INITIAL_MESSAGE);
    assertEquals("one shot", inline.getString(Fields.CONTENT));
    assertEquals(created.sequence(), inline.getLong(Fields.SEQUENCE));
    assertEquals(alice.handle(), inline.getString(Fields.SENDER));
    assertEquals(
        EventType.ENDED.wire(), allEvents(alice, id).get(allEvents(alice, id).size() - 1).type());
    assertEquals(ErrorCode.SESSION_ENDED, failure(() -> bob.client().join(id)));
  }

  @Test
  @DisplayName("only joined participants may send, invite, leave and end")
  void participantStatus() {
    Agent alice = agent();
    Agent bob = agent();
    Agent carol = agent();
    String id = alice.client().createSession(NewSession.inviting(bob.handle())).await().sessionId();
    assertEquals(ErrorCode.FORBIDDEN, failure(() -> bob.client().send(id, "too early")));
    assertEquals(ErrorCode.FORBIDDEN, failure(() -> bob.client().invite(id, carol.handle())));
    assertEquals(ErrorCode.FORBIDDEN, failure(() -> bob.client().end(id)));
    assertEquals(ErrorCode.FORBIDDEN, failure(() -> bob.client().leave(id)));
    // a non-participant learns nothing: 404 for everything, reads included
    assertEquals(ErrorCode.NOT_FOUND, failure(() -> carol.client().getSession(id)));
    assertEquals(ErrorCode.NOT_FOUND, failure(() -> carol.client().events(id, null, null)));
    assertEquals(ErrorCode.NOT_FOUND, failure(() -> carol.client().join(id)));
    assertEquals(ErrorCode.NOT_FOUND, failure(() -> carol.client().send(id, "hi")));
    assertEquals(ErrorCode.NOT_FOUND, failure(() -> carol.client().end(id)));
    assertEquals(
        ErrorCode.NOT_FOUND,
        failure(() -> carol.client().getSession("sess_0000000000000000000000000")));
    bob.client().join(id).await();
    bob.client().join(id).await();
    bob.client().leave(id).await();
    assertEquals(ErrorCode.FORBIDDEN, failure(() -> bob.client().send(id, "gone")));
    assertEquals(ErrorCode.FORBIDDEN, failure(() -> bob.client().join(id)));
    assertEquals("left", alice.client().getSession(id).await().statusOf(bob.handle()));
  }

  @Test
  @DisplayName(
      "invite adds reachable handles, omits unknown ones, and brings a left participant back")
  void invite() {
    Agent alice = agent();
    Agent bob = agent();
    String id = alice.client().createSession(NewSession.inviting()).await().sessionId();
    assertEquals(
        List.of(bob.handle()), alice.client().invite(id, bob.handle(), "@nobody.here").await());
    bob.client().join(id).await();
    bob.client().leave(id).await();
    assertEquals(List.of(bob.handle()), alice.client().invite(id, bob.handle()).await());
    assertEquals("invited", alice.client().getSession(id).await().statusOf(bob.handle()));
    bob.client().join(id).await();
    assertEquals("joined", alice.client().getSession(id).await().statusOf(bob.handle()));
  }

  @Test
  @DisplayName("the last joined participant leaving ends the session; messages to it are refused")
  void lastLeaverEnds() {
    Agent alice = agent();
    Agent bob = agent();
    String id = alice.client().createSession(NewSession.inviting(bob.handle())).await().sessionId();
    alice.client().leave(id).await();
    SessionView view = bob.client().getSession(id).await();
    assertEquals("ended", view.state());
    List<Event> events = allEvents(bob, id);
    assertEquals(EventType.ENDED.wire(), events.get(events.size() - 1).type());
    Agent dave = agent();
    String other = dave.client().createSession(NewSession.inviting()).await().sessionId();
    dave.client().end(other).await();
    assertEquals(ErrorCode.SESSION_ENDED, failure(() -> dave.client().send(other, "late")));
    assertEquals(ErrorCode.SESSION_ENDED, failure(() -> dave.client().end(other)));
  }

  @Test
  @DisplayName("reopen: same id and transcript, only for a participant joined at the end")
  void reopen() {
    Agent alice = agent();
    Agent bob = agent();
    Agent carol = agent();
    String id =
        alice
            .client()
            .createSession(NewSession.inviting(bob.handle(), carol.handle()))
            .await()
            .sessionId();
    bob.client().join(id).await();
    alice.client().send(id, "before").await();
    assertEquals(ErrorCode.CONFLICT, failure(() -> alice.client().reopen(id, null, null)));
    bob.client().end(id).await();
    assertEquals(ErrorCode.FORBIDDEN, failure(() -> carol.client().reopen(id, null, null)));
    Agent outsider = agent();
    assertEquals(ErrorCode.NOT_FOUND, failure(() -> outsider.client().reopen(id, null, null)));

    int before = allEvents(bob, id).size();
    bob.client().reopen(id, List.of(outsider.handle()), "we're back").await();
    SessionView view = bob.client().getSession(id).await();
    assertEquals("active", view.state());
    assertNull(view.endedAt());
    assertEquals("joined", view.statusOf(bob.handle()));
    assertEquals("invited", view.statusOf(alice.handle()));
    assertEquals("invited", view.statusOf(carol.handle()));
    assertEquals("invited", view.statusOf(outsider.handle()));
    List<Event> after = allEvents(bob, id);
    assertEquals("before", after.get(3).payload().getString(Fields.CONTENT), "transcript intact");
    List<Event> added = after.subList(before, after.size());
    assertEquals(EventType.REOPENED.wire(), added.get(0).type());
    assertEquals(bob.handle(), added.get(0).payload().getString(Fields.REOPENED_BY));
    Set<String> reinvited = new HashSet<>();
    added.stream()
        .filter(e -> e.type().equals(EventType.INVITED.wire()))
        .forEach(e -> reinvited.add(e.payload().getString(Fields.INVITEE)));
    assertEquals(Set.of(alice.handle(), carol.handle(), outsider.handle()), reinvited);
    assertEquals(EventType.MESSAGE.wire(), added.get(added.size() - 1).type());
    alice.client().join(id).await();
    alice.client().send(id, "hello again").await();
  }

  @Test
  @DisplayName(
      "one sequence per session, shared by all event types, strictly increasing under concurrent senders")
  void concurrentSequences() {
    Agent alice = agent();
    Agent bob = agent();
    String id = alice.client().createSession(NewSession.inviting(bob.handle())).await().sessionId();
    bob.client().join(id).await();
    List<Future<MessageSent>> sends = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      sends.add((i % 2 == 0 ? alice : bob).client().send(id, "m" + i));
    }
    Future.all(sends).await();
    Set<Long> acknowledged = new HashSet<>();
    sends.forEach(f -> acknowledged.add(f.result().sequence()));
    assertEquals(40, acknowledged.size(), "no two messages share a sequence");
    List<Event> events = allEvents(alice, id);
    assertEquals(42, events.size());
    for (int i = 0; i < events.size(); i++) {
      assertEquals(i, events.get(i).sequence());
    }
    for (Event event : events) {
      if (event.type().equals(EventType.MESSAGE.wire())) {
        assertTrue(acknowledged.contains(event.sequence()));
        assertEquals(event.sequence(), event.payload().getLong(Fields.SEQUENCE));
      }
    }
  }

  @Test
  @DisplayName(
      "a retried send with the same idempotency key returns the same result and appends nothing")
  void idempotentSend() {
    Agent alice = agent();
    String id = alice.client().createSession(NewSession.inviting()).await().sessionId();
    MessageSent first = alice.client().send(id, "once", "key-1", null).await();
    MessageSent again = alice.client().send(id, "once", "key-1", null).await();
    assertEquals(first, again);
    List<Future<MessageSent>> retries = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      retries.add(alice.client().send(id, "twice", "key-2", null));
    }
    Future.all(retries).await();
    Set<MessageSent> distinct = new HashSet<>();
    retries.forEach(f -> distinct.add(f.result()));
    assertEquals(1, distinct.size(), "concurrent retries all see the one stored result");
    List<Event> events = allEvents(alice, id);
    assertEquals(2, events.stream().filter(e -> e.type().equals(EventType.MESSAGE.wire())).count());
    assertEquals(
        "key-1",
        events.stream()
            .filter(e -> e.type().equals(EventType.MESSAGE.wire()))
            .findFirst()
            .orElseThrow()
            .payload()
            .getString(Fields.IDEMPOTENCY_KEY));
  }

  @Test
  @DisplayName(
      "a retried create with the same idempotency key returns the same session, even concurrently")
  void idempotentCreate() {
    Agent alice = agent();
    Agent bob = agent();
    NewSession request =
        NewSession.inviting(bob.handle()).initialMessage("hi").idempotencyKey("create-1");
    var first = alice.client().createSession(request).await();
    assertEquals(first, alice.client().createSession(request).await());
    List<Future<?>> retries = new ArrayList<>();
    NewSession concurrent = NewSession.inviting(bob.handle()).idempotencyKey("create-2");
    for (int i = 0; i < 10; i++) {
      retries.add(alice.client().createSession(concurrent));
    }
    Future.all(retries).await();
    assertEquals(
        1, retries.stream().map(f -> f.result()).distinct().count(), "one session for one key");
    // another agent using the same key gets its own session
    assertTrue(
        !bob.client()
            .createSession(NewSession.inviting().idempotencyKey("create-1"))
            .await()
            .sessionId()
            .equals(first.sessionId()));
  }

  @Test
  @DisplayName("GET /events filters by eligibility: invited, joined and left callers")
  void eligibility() {
    Agent alice = agent();
    Agent bob = agent();
    Agent carol = agent();
    String id =
        alice
            .client()
            .createSession(NewSession.inviting(bob.handle(), carol.handle()))
            .await()
            .sessionId();
    carol.client().join(id).await();
    alice.client().send(id, "one").await();
    // bob is only invited: his own invitation and nothing else
    List<Event> bobSees = allEvents(bob, id);
    assertEquals(List.of("session.invited"), types(bobSees));
    assertEquals(bob.handle(), bobSees.get(0).payload().getString(Fields.INVITEE));
    // carol left: everything up to and including her own session.left, nothing after
    carol.client().leave(id).await();
    alice.client().send(id, "two").await();
    List<Event> carolSees = allEvents(carol, id);
    Event last = carolSees.get(carolSees.size() - 1);
    assertEquals(EventType.LEFT.wire(), last.type());
    assertEquals(carol.handle(), last.payload().getString(Fields.AGENT));
    assertTrue(
        carolSees.stream().noneMatch(e -> "two".equals(e.payload().getValue(Fields.CONTENT))));
    // bob joins: the whole transcript so far is his
    bob.client().join(id).await();
    assertEquals(allEvents(alice, id).size(), allEvents(bob, id).size());
    alice.client().end(id).await();
    // an invited-only agent still sees session.ended
    Agent dave = agent();
    String other =
        alice.client().createSession(NewSession.inviting(dave.handle())).await().sessionId();
    alice.client().end(other).await();
    assertEquals(List.of("session.invited", "session.ended"), types(allEvents(dave, other)));
  }

  @Test
  @DisplayName("GET /events pages with after_sequence, limit and next_cursor")
  void paging() {
    Agent alice = agent();
    String id = alice.client().createSession(NewSession.inviting()).await().sessionId();
    for (int i = 0; i < 7; i++) {
      alice.client().send(id, "m" + i).await();
    }
    List<Long> seen = new ArrayList<>();
    Long after = null;
    int pages = 0;
    while (true) {
      EventsPage page = alice.client().events(id, after, 3).await();
      pages++;
      page.events().forEach(e -> seen.add(e.sequence()));
      if (page.nextCursor() == null) {
        break;
      }
      after = Long.parseLong(page.nextCursor());
    }
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L), seen);
    assertEquals(3, pages);
    assertEquals(2, alice.client().events(id, 4L, null).await().events().size());
    assertNull(alice.client().events(id, 6L, 3).await().nextCursor());
  }

  @Test
  @DisplayName("rejected content stores nothing")
  void rejectedContentStoresNothing() {
    Agent alice = agent();
    String id = alice.client().createSession(NewSession.inviting()).await().sessionId();
    alice.client().send(id, "ok").await();
    assertEquals(ErrorCode.INVALID_CONTENT, failure(() -> alice.client().send(id, "")));
    assertEquals(
        ErrorCode.INVALID_CONTENT, failure(() -> alice.client().send(id, new JsonArray())));
    assertEquals(
        ErrorCode.INVALID_CONTENT,
        failure(
            () -> alice.client().send(id, new JsonArray().add(new JsonObject().put("type", "x")))));
    assertEquals(
        ErrorCode.PAYLOAD_TOO_LARGE, failure(() -> alice.client().send(id, "x".repeat(300_000))));
    assertEquals(1, allEvents(alice, id).size());
    assertEquals(
        ErrorCode.INVALID_REQUEST,
        failure(() -> alice.client().createSession(NewSession.inviting().endAfterSend())));
  }
}
