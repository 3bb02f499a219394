package dev.asp.client;

import static dev.asp.client.FakeOperator.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.Event;
import dev.asp.protocol.EventType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The event recorder")
class EventRecorderTest {
  private static final Duration LONG = Duration.ofSeconds(10);
  private static final Duration SHORT = Duration.ofMillis(100);

  private final EventRecorder recorder = new EventRecorder();
  private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    later.shutdownNow();
  }

  @Test
  @DisplayName("keeps events per session and overall, in arrival order")
  void recordsInOrder() {
    recorder.accept(event("sess_A", 0));
    recorder.accept(event("sess_B", 0));
    recorder.accept(event("sess_A", 1));

    assertEquals(List.of(0L, 1L), sequences(recorder.events("sess_A")));
    assertEquals(
        List.of("sess_A", "sess_B", "sess_A"),
        recorder.all().stream().map(Event::sessionId).toList());
    assertEquals(List.of(), recorder.events("sess_C"));
    recorder.clear();
    assertEquals(0, recorder.size());
  }

  @Test
  @DisplayName("returns at once an event already received")
  void awaitFindsPastEvents() {
    Event first = event("sess_A", 0);
    recorder.accept(first);
    recorder.accept(event("sess_A", 1));

    assertSame(first, recorder.await(e -> e.sessionId().equals("sess_A"), SHORT));
  }

  @Test
  @DisplayName("wakes up when a matching event arrives later")
  void awaitWakesOnArrival() {
    later.schedule(() -> recorder.accept(event("sess_A", 0)), 50, TimeUnit.MILLISECONDS);
    later.schedule(() -> recorder.accept(event("sess_A", 1)), 100, TimeUnit.MILLISECONDS);

    Event second = recorder.await(e -> e.sequence() == 1, LONG);

    assertEquals(1, second.sequence());
    assertEquals(
        EventType.MESSAGE.wire(), recorder.awaitType("sess_A", EventType.MESSAGE, LONG).type());
  }

  @Test
  @DisplayName("times out with an IllegalStateException describing what did arrive")
  void awaitTimesOut() {
    recorder.accept(event("sess_A", 0));

    IllegalStateException timeout =
        assertThrows(
            IllegalStateException.class,
            () -> recorder.awaitType("sess_A", EventType.JOINED, SHORT));

    assertTrue(timeout.getMessage().contains("sess_A#0 session.message"), timeout.getMessage());
  }

  @Test
  @DisplayName("waits for a count of events in one session")
  void awaitCount() {
    recorder.accept(event("sess_B", 0));
    for (int i = 0; i < 3; i++) {
      int seq = i;
      later.schedule(
          () -> recorder.accept(event("sess_A", seq)), 20L * (i + 1), TimeUnit.MILLISECONDS);
    }

    assertEquals(List.of(0L, 1L, 2L), sequences(recorder.awaitCount("sess_A", 3, LONG)));
    assertThrows(IllegalStateException.class, () -> recorder.awaitCount("sess_A", 4, SHORT));
  }

  @Test
  @DisplayName("noneMatching is true after a quiet period, false as soon as a match exists")
  void noneMatching() throws Exception {
    recorder.accept(event("sess_A", 0));

    assertTrue(recorder.noneMatching(e -> e.sequence() > 0, SHORT));

    long start = System.nanoTime();
    assertFalse(recorder.noneMatching(e -> e.sequence() == 0, LONG));
    later.schedule(() -> recorder.accept(event("sess_A", 1)), 50, TimeUnit.MILLISECONDS);
    assertFalse(recorder.noneMatching(e -> e.sequence() == 1, LONG));
    assertTrue(System.nanoTime() - start < LONG.toNanos() / 2, "waited the whole period");
  }

  @Test
  @DisplayName("records safely from many threads at once")
  void concurrentProducers() throws Exception {
    int producers = 4;
    int each = 2_000;
    List<CompletableFuture<Void>> running = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      String session = "sess_P" + p;
      running.add(
          CompletableFuture.runAsync(
              () -> {
                for (int i = 0; i < each; i++) {
                  recorder.accept(event(session, i));
                }
              }));
    }
    CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

    assertEquals(producers * each, recorder.size());
    for (int p = 0; p < producers; p++) {
      List<Long> sequences = sequences(recorder.events("sess_P" + p));
      for (int i = 0; i < each; i++) {
        assertEquals(i, sequences.get(i));
      }
    }
  }

  private static List<Long> sequences(List<Event> events) {
    return events.stream().map(Event::sequence).toList();
  }
}
