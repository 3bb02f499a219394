package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.client.AspClient;
import dev.asp.client.AspEventStream;
import dev.asp.client.EventRecorder;
import dev.asp.client.NewSession;
import dev.asp.client.Replies.MessageSent;
import dev.asp.protocol.Event;
import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The reconnect path (AGENT_CONNECT with its first pages) end to end: a tiny replay batch makes the
 * first pages share their bound and the rest of the replay continue from the log, while live events
 * of the same sessions race it.
 */
@DisplayName("Reconnect: first pages, the rest of the replay and live events, through the gateway")
class ReconnectReplayTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int SESSIONS = 3;
  private static final int MISSED = 5;
  private static final int RACING = 3;
  private static OperatorHarness operator;

  @BeforeAll
  static void start() {
    operator =
        OperatorHarness.start(
            TestDatabase.fresh(),
            Map.of(
                "ASP_REPLAY_BATCH", "4",
                "ASP_GRACE_MS", "60000",
                "ASP_CURSOR_FLUSH_MS", "50",
                "ASP_WS_PING_INTERVAL_MS", "500"));
  }

  @AfterAll
  static void stop() {
    operator.close();
  }

  /** The latest sequence of a session's log as alice reads it. */
  private static long head(AspClient alice, String id) {
    long head = -1;
    Long after = null;
    boolean more = true;
    while (more) {
      var page = alice.events(id, after, 1000).await();
      for (Event event : page.events()) {
        head = Math.max(head, event.sequence());
      }
      more = page.nextCursor() != null;
      after = more ? Long.valueOf(page.nextCursor()) : null;
    }
    return head;
  }

  @Test
  @DisplayName(
      "every session continues after what the old stream got: in order, no gap, repeats only of"
          + " what it read, the replay beyond the first pages and the live events racing it included")
  void replayAcrossSessionsInOrder() {
    AspClient alice = operator.agent("@recon.alice", "open");
    AspClient bob = operator.agent("@recon.bob", "open");
    EventRecorder before = new EventRecorder();
    AspEventStream first = bob.connect(before);
    first.connected().await();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < SESSIONS; i++) {
      String id = alice.createSession(NewSession.inviting("@recon.bob")).await().sessionId();
      bob.join(id).await();
      ids.add(id);
    }
    for (String id : ids) {
      before.await(e -> e.sessionId().equals(id) && e.type().equals("session.joined"), WAIT);
    }
    // a clean close: what no pong confirmed yet comes again first (docs/delivery.md)
    first.close().await();

    EventRecorder aliceView = new EventRecorder();
    AspEventStream watcher = alice.connect(aliceView);
    watcher.connected().await();
    for (String id : ids) {
      aliceView.await(
          e -> e.sessionId().equals(id) && e.type().equals(EventType.DISCONNECTED.wire()), WAIT);
      for (int m = 0; m < MISSED; m++) {
        alice.send(id, "while away " + m).await();
      }
    }

    EventRecorder after = new EventRecorder();
    AspEventStream second = bob.connect(after);
    List<Future<MessageSent>> racing = new ArrayList<>();
    for (int m = 0; m < RACING; m++) {
      for (String id : ids) {
        racing.add(alice.send(id, "racing " + m));
      }
    }
    second.connected().await();
    Future.all(racing).await();
    for (String id : ids) {
      aliceView.await(
          e -> e.sessionId().equals(id) && e.type().equals(EventType.RECONNECTED.wire()), WAIT);
    }

    for (String id : ids) {
      long firstMissed =
          before.events(id).stream().mapToLong(Event::sequence).max().orElseThrow() + 1;
      long head = head(alice, id);
      after.await(e -> e.sessionId().equals(id) && e.sequence() == head, WAIT);
      List<Event> all = after.events(id);
      // repeats only of what the old stream read, all before anything new, in order
      int repeated = 0;
      while (repeated < all.size() && all.get(repeated).sequence() < firstMissed) {
        repeated++;
      }
      List<Long> again = all.subList(0, repeated).stream().map(Event::sequence).toList();
      List<Long> read = before.events(id).stream().map(Event::sequence).toList();
      assertTrue(read.containsAll(again), id + ": repeats only of what was read: " + again);
      assertEquals(again.stream().sorted().distinct().toList(), again, id + ": repeats in order");
      List<Event> rest = all.subList(repeated, all.size());
      assertEquals(
          LongStream.rangeClosed(firstMissed, head).boxed().toList(),
          rest.stream().map(Event::sequence).toList(),
          id + ": then exactly the rest of the log, in order, once");
      assertEquals(EventType.DISCONNECTED.wire(), rest.get(0).type(), "first what it missed");
      assertEquals(
          "@recon.bob",
          after.events(id).stream()
              .filter(e -> e.type().equals(EventType.RECONNECTED.wire()))
              .findFirst()
              .orElseThrow()
              .payload()
              .getString(Fields.AGENT));
    }
    second.close().await();
    watcher.close().await();
  }
}
