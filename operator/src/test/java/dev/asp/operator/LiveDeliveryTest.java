package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.client.AspClient;
import dev.asp.client.AspClientException;
import dev.asp.client.AspEventStream;
import dev.asp.client.EventRecorder;
import dev.asp.client.EventStreamOptions;
import dev.asp.client.NewSession;
import dev.asp.client.Replies.MessageSent;
import dev.asp.protocol.CloseCodes;
import dev.asp.protocol.Event;
import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Spec §5–§6 end to end: real WebSocket clients on {@code WS /connect} of the real gateway, with
 * the grace window and timings shortened by configuration.
 */
@DisplayName("Live delivery over WS /connect")
class LiveDeliveryTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final Duration QUIET = Duration.ofMillis(600);
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static OperatorHarness operator;
  private final List<AspEventStream> streams = new ArrayList<>();

  @BeforeAll
  static void start() {
    operator =
        OperatorHarness.start(
            TestDatabase.fresh(),
            Map.of(
                "ASP_GRACE_MS", "1500",
                "ASP_GRACE_SWEEP_MS", "50",
                "ASP_CURSOR_FLUSH_MS", "50",
                "ASP_WS_PING_INTERVAL_MS", "500",
                "ASP_WS_WRITE_QUEUE_BYTES", "65536",
                "ASP_WS_SLOW_CONSUMER_MS", "1500"));
  }

  @AfterAll
  static void stop() {
    operator.close();
  }

  @AfterEach
  void closeStreams() {
    streams.forEach(s -> s.close().await());
  }

  /** An agent with the open policy, its REST client and a recorder of what its stream gets. */
  record Agent(String handle, AspClient client, EventRecorder events, AspEventStream stream) {}

  private Agent agent() {
    return agent(new EventStreamOptions());
  }

  private Agent agent(EventStreamOptions options) {
    return agent(options, false);
  }

  /** {@code direct}: past the harness's recording relay, whose buffers would hide backpressure. */
  private Agent agent(EventStreamOptions options, boolean direct) {
    String handle = "@live" + COUNTER.incrementAndGet() + ".agent";
    AspClient client =
        direct ? operator.directAgent(handle, "open") : operator.agent(handle, "open");
    EventRecorder events = new EventRecorder();
    AspEventStream stream = client.connect(events, options);
    stream.connected().await();
    streams.add(stream);
    return new Agent(handle, client, events, stream);
  }

  private AspEventStream connect(AspClient client, EventRecorder recorder) {
    AspEventStream stream = client.connect(recorder);
    stream.connected().await();
    streams.add(stream);
    return stream;
  }

  private void closeStream(AspEventStream stream) {
    streams.remove(stream);
    stream.close().await();
  }

  private static Event awaitType(Agent agent, String sessionId, EventType type, String about) {
    return agent
        .events()
        .await(
            e ->
                e.sessionId().equals(sessionId)
                    && e.type().equals(type.wire())
                    && (about == null
                        || about.equals(e.payload().getString(Fields.AGENT))
                        || about.equals(e.payload().getString(Fields.INVITEE))),
            WAIT);
  }

  private static List<Long> sequences(List<Event> events) {
    return events.stream().map(Event::sequence).toList();
  }

  private static void assertStrictlyIncreasing(List<Event> events) {
    for (int i = 1; i < events.size(); i++) {
      assertTrue(
          events.get(i).sequence() > events.get(i - 1).sequence(),
          "strictly increasing: " + sequences(events));
    }
  }

  @Test
  @DisplayName("the seed's four moments: invited, joined, messages both ways, ended")
  void seedFlow() {
    Agent alice = agent();
    Agent bob = agent();
    String id = alice.client().createSession(NewSession.inviting(bob.handle())).await().sessionId();
    Event invited = awaitType(bob, id, EventType.INVITED, bob.handle());
    assertEquals(alice.handle(), invited.payload().getString(Fields.BY));

    bob.client().join(id).await();
    awaitType(alice, id, EventType.JOINED, bob.handle());

    MessageSent hello = alice.client().send(id, "hello bob").await();
    Event received = awaitType(bob, id, EventType.MESSAGE, null);
    assertEquals(hello.sequence(), received.sequence(), "POST sequence = delivered sequence");
    assertEquals(hello.messageId(), received.payload().getString(Fields.ID));
    assertEquals("hello bob", received.payload().getString(Fields.CONTENT));

    MessageSent hi = bob.client().send(id, "hi alice").await();
    alice.events().await(e -> e.sequence() == hi.sequence() && e.sessionId().equals(id), WAIT);

    alice.client().end(id).await();
    Event ended = awaitType(bob, id, EventType.ENDED, null);
    assertEquals(alice.handle(), ended.payload().getString(Fields.ENDED_BY));
    awaitType(alice, id, EventType.ENDED, null);

    assertEquals(List.of(0L, 1L, 2L, 3L, 4L), sequences(bob.events().events(id)));
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L), sequences(alice.events().events(id)));
  }

  @Test
  @DisplayName("a late joiner gets the transcript replayed before live events")
  void lateJoiner() {
    Agent alice = agent();
    Agent bob = agent();
    Agent carol = agent();
    String id = alice.client().createSession(NewSession.inviting(bob.handle())).await().sessionId();
    bob.client().join(id).await();
    for (int i = 0; i < 3; i++) {
      alice.client().send(id, "before carol " + i).await();
    }
    alice.client().invite(id, carol.handle()).await();
    Event invitation = awaitType(carol, id, EventType.INVITED, carol.handle());
    assertTrue(carol.events().noneMatching(e -> e.sequence() != invitation.sequence(), QUIET));

    carol.client().join(id).await();
    Event joined = awaitType(carol, id, EventType.JOINED, carol.handle());
    MessageSent after = bob.client().send(id, "after carol").await();
    carol.events().await(e -> e.sequence() == after.sequence(), WAIT);

    List<Event> carolSees = carol.events().events(id);
    List<Long> expected = new ArrayList<>();
    expected.add(invitation.sequence());
    for (long s = 0; s <= after.sequence(); s++) {
      if (s != invitation.sequence()) {
        expected.add(s);
      }
    }
    assertEquals(
        expected, sequences(carolSees), "every event once: the invitation, then the rest in order");
    assertStrictlyIncreasing(carolSees.subList(1, carolSees.size()));
    assertTrue(
        carolSees.indexOf(joined) < carolSees.size() - 1,
        "the transcript comes before live events");
  }

  @Test
  @DisplayName("concurrent senders: every receiver sees strictly increasing sequences without gaps")
  void ordering() {
    Agent a = agent();
    Agent b = agent();
    Agent c = agent();
    String id =
        a.client().createSession(NewSession.inviting(b.handle(), c.handle())).await().sessionId();
    b.client().join(id).await();
    c.client().join(id).await();
    List<Future<MessageSent>> sends = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      for (Agent sender : List.of(a, b, c)) {
        sends.add(sender.client().send(id, sender.handle() + " " + i));
      }
    }
    Future.all(sends).await();
    long last = sends.stream().mapToLong(f -> f.result().sequence()).max().orElseThrow();
    Map<String, Long> sequenceOf = new HashMap<>();
    sends.forEach(f -> sequenceOf.put(f.result().messageId(), f.result().sequence()));
    for (Agent receiver : List.of(a, b, c)) {
      receiver.events().await(e -> e.sessionId().equals(id) && e.sequence() == last, WAIT);
      List<Event> got = receiver.events().events(id);
      // an invitee gets its invitation first; joining then replays the transcript in order
      assertStrictlyIncreasing(receiver == a ? got : got.subList(1, got.size()));
      List<Event> tail =
          got.stream().filter(e -> e.sequence() >= got.get(got.size() - 91).sequence()).toList();
      for (int i = 1; i < tail.size(); i++) {
        assertEquals(tail.get(i - 1).sequence() + 1, tail.get(i).sequence(), "no gap");
      }
      for (Event e : got) {
        if (e.type().equals(EventType.MESSAGE.wire())) {
          assertEquals(sequenceOf.get(e.payload().getString(Fields.ID)), e.sequence());
        }
      }
    }
  }

  @Test
  @DisplayName(
      "a reconnect within grace replays the missed events (after at most repeats of what the pongs"
          + " had not confirmed); others see disconnected and reconnected")
  void reconnectWithinGrace() {
    Agent alice = agent();
    Agent bob = agent();
    String id = alice.client().createSession(NewSession.inviting(bob.handle())).await().sessionId();
    bob.client().join(id).await();
    MessageSent before = alice.client().send(id, "before").await();
    bob.events().await(e -> e.sequence() == before.sequence(), WAIT);
    int seenBefore = bob.events().events(id).size();

    closeStream(bob.stream());
    awaitType(alice, id, EventType.DISCONNECTED, bob.handle());
    MessageSent m1 = alice.client().send(id, "while away 1").await();
    MessageSent m2 = alice.client().send(id, "while away 2").await();
    assertEquals("joined", alice.client().getSession(id).await().statusOf(bob.handle()));

    EventRecorder again = new EventRecorder();
    connect(bob.client(), again);
    awaitType(alice, id, EventType.RECONNECTED, bob.handle());
    Event reconnected =
        again.await(
            e -> e.type().equals(EventType.RECONNECTED.wire()) && e.sessionId().equals(id), WAIT);
    // a clean close confirms nothing: what bob read after the last pong may come again, at the
    // same sequences (the client's duplicate dropping is per stream, and this is a new one)
    List<Long> seenSequences = bob.events().events(id).stream().map(Event::sequence).toList();
    for (Event e : again.events(id)) {
      if (e.sequence() <= before.sequence()) {
        assertTrue(seenSequences.contains(e.sequence()), "a repeat of what bob had: " + e);
      }
    }
    List<Event> replayed =
        again.events(id).stream().filter(e -> e.sequence() > before.sequence()).toList();
    assertEquals(
        List.of(
            EventType.DISCONNECTED.wire(),
            EventType.MESSAGE.wire(),
            EventType.MESSAGE.wire(),
            EventType.RECONNECTED.wire()),
        replayed.stream().map(Event::type).toList(),
        "exactly the missed events, in order");
    assertEquals(m1.sequence(), replayed.get(1).sequence());
    assertEquals(m2.sequence(), replayed.get(2).sequence());
    assertEquals(reconnected.sequence(), replayed.get(3).sequence());
    assertEquals(seenBefore, bob.events().events(id).size(), "the old stream got nothing more");
  }

  @Test
  @DisplayName(
      "grace expiry makes the agent leave with reason grace_expired; coming back later brings nothing new")
  void graceExpiry() {
    Agent alice = agent();
    Agent bob = agent();
    String id = alice.client().createSession(NewSession.inviting(bob.handle())).await().sessionId();
    bob.client().join(id).await();
    awaitType(bob, id, EventType.JOINED, bob.handle());
    closeStream(bob.stream());
    awaitType(alice, id, EventType.DISCONNECTED, bob.handle());
    Event left = awaitType(alice, id, EventType.LEFT, bob.handle());
    assertEquals(Fields.REASON_GRACE_EXPIRED, left.payload().getString(Fields.REASON));
    assertEquals("left", alice.client().getSession(id).await().statusOf(bob.handle()));
    MessageSent after = alice.client().send(id, "after bob left").await();

    EventRecorder again = new EventRecorder();
    connect(bob.client(), again);
    again.await(e -> e.sequence() == left.sequence() && e.sessionId().equals(id), WAIT);
    assertTrue(
        again.noneMatching(e -> e.sessionId().equals(id) && e.sequence() > left.sequence(), QUIET));
    assertFalse(again.events(id).stream().anyMatch(e -> e.sequence() == after.sequence()));
  }

  @Test
  @DisplayName("two connections of one agent both receive everything; closing one fires nothing")
  void twoConnections() {
    Agent alice = agent();
    Agent bob = agent();
    EventRecorder second = new EventRecorder();
    AspEventStream extra = connect(bob.client(), second);
    String id = alice.client().createSession(NewSession.inviting(bob.handle())).await().sessionId();
    bob.client().join(id).await();
    MessageSent m = alice.client().send(id, "to both").await();
    bob.events().await(e -> e.sequence() == m.sequence(), WAIT);
    second.await(e -> e.sequence() == m.sequence(), WAIT);
    assertEquals(sequences(bob.events().events(id)), sequences(second.events(id)));

    closeStream(extra);
    MessageSent m2 = alice.client().send(id, "still there").await();
    bob.events().await(e -> e.sequence() == m2.sequence(), WAIT);
    assertTrue(
        alice.events().noneMatching(e -> e.type().equals(EventType.DISCONNECTED.wire()), QUIET),
        "closing an extra connection fires nothing");
  }

  @Test
  @DisplayName(
      "invited-only agents get only their invitation and session.ended; send-and-end delivers the inline message")
  void invitedOnly() {
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
    alice.client().send(id, "not for bob").await();
    alice.client().end(id).await();
    awaitType(bob, id, EventType.ENDED, null);
    assertEquals(
        List.of(EventType.INVITED.wire(), EventType.ENDED.wire()),
        bob.events().events(id).stream().map(Event::type).toList());

    Agent dave = agent();
    var oneShot =
        alice
            .client()
            .createSession(
                NewSession.inviting(dave.handle()).initialMessage("one shot").endAfterSend())
            .await();
    awaitType(dave, oneShot.sessionId(), EventType.ENDED, null);
    List<Event> daveSees = dave.events().events(oneShot.sessionId());
    assertEquals(2, daveSees.size());
    assertEquals(
        "one shot",
        daveSees.get(0).payload().getJsonObject(Fields.INITIAL_MESSAGE).getString(Fields.CONTENT));
    assertEquals(
        oneShot.sequence(),
        daveSees.get(0).payload().getJsonObject(Fields.INITIAL_MESSAGE).getLong(Fields.SEQUENCE));
  }

  @Test
  @DisplayName("left and blocked agents receive nothing further")
  void leftAndBlocked() {
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
    carol.client().join(id).await();
    bob.client().leave(id).await();
    Event bobLeft = awaitType(bob, id, EventType.LEFT, bob.handle());
    operator.admin.block(alice.handle(), carol.handle()).await();
    Event carolLeft = awaitType(carol, id, EventType.LEFT, carol.handle());
    MessageSent after = alice.client().send(id, "after").await();
    alice.events().await(e -> e.sequence() == after.sequence(), WAIT);
    assertTrue(
        bob.events()
            .noneMatching(
                e -> e.sessionId().equals(id) && e.sequence() > bobLeft.sequence(), QUIET));
    assertTrue(
        carol
            .events()
            .noneMatching(
                e -> e.sessionId().equals(id) && e.sequence() > carolLeft.sequence(), QUIET));
  }

  @Test
  @DisplayName(
      "a slow consumer is cut off without slowing a healthy receiver, and replays when it returns")
  void slowConsumer() {
    Agent alice = agent();
    // a small fixed receive buffer, so that not reading pushes back at once (Linux would otherwise
    // let the kernel buffer tens of MiB for it)
    Agent slow = agent(new EventStreamOptions().setReceiveBufferSize(32 * 1024), true);
    Agent healthy = agent();
    String id =
        alice
            .client()
            .createSession(NewSession.inviting(slow.handle(), healthy.handle()))
            .await()
            .sessionId();
    slow.client().join(id).await();
    healthy.client().join(id).await();
    awaitType(slow, id, EventType.JOINED, healthy.handle());
    AspEventStream slowStream = slow.stream();
    slowStream.pause().await();
    long pausedAt = System.currentTimeMillis();
    // far more than the operator's socket send buffer (up to 4 MiB here) and its write queue hold
    String big = "x".repeat(64 * 1024);
    MessageSent last = null;
    for (int i = 0; i < 120; i++) {
      last = alice.client().send(id, big + i).await();
    }
    long lastSequence = last.sequence();
    healthy.events().await(e -> e.sequence() == lastSequence, WAIT);
    // the operator cuts it off after the slow-consumer timeout: it goes offline for the others
    awaitType(alice, id, EventType.DISCONNECTED, slow.handle());
    assertTrue(System.currentTimeMillis() - pausedAt >= 1_500);
    slowStream.resume().await();
    slow.events().await(e -> e.sequence() == lastSequence, Duration.ofSeconds(30));
    assertEquals(Short.valueOf(CloseCodes.SLOW_CONSUMER), slowStream.lastCloseCode());
    assertTrue(slowStream.connections() >= 2, "it reconnected");
    List<Event> got = slow.events().events(id);
    // Cut off mid-write, the operator cannot know which of the frames still queued for the socket
    // reached the peer (ASP has no acknowledgements), so it replays them: never a loss, at most a
    // few repeats bounded by what one socket holds in flight. Documented in docs/delivery.md.
    List<Long> distinct = got.stream().map(Event::sequence).distinct().toList();
    assertTrue(got.size() - distinct.size() <= 16, () -> "repeats bounded: " + sequences(got));
    assertStrictlyIncreasing(
        distinct.stream()
            .map(s -> got.stream().filter(e -> e.sequence() == s).findFirst().orElseThrow())
            .toList());
    assertEquals(
        lastSequence + 1,
        distinct.stream().filter(s -> s <= lastSequence).count(),
        "nothing missing");
  }

  @Test
  @DisplayName(
      "rotating an agent's tokens closes its streams (4003); the old token cannot come back")
  void credentialsChangedClosesStreams() {
    Agent bob = agent();
    operator.admin.rotateTokens(bob.handle()).await();
    Throwable stopped =
        bob.stream().stopped().<Throwable>transform(r -> Future.succeededFuture(r.cause())).await();
    assertEquals(Short.valueOf(CloseCodes.CREDENTIALS_CHANGED), bob.stream().lastCloseCode());
    assertTrue(
        stopped instanceof AspClientException e && e.status() == 401, String.valueOf(stopped));
    assertEquals(
        401,
        org.junit.jupiter.api.Assertions.assertThrows(
                AspClientException.class,
                () -> bob.client().createSession(NewSession.inviting()).await())
            .status());
  }
}
