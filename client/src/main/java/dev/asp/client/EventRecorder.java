package dev.asp.client;

import dev.asp.protocol.Event;
import dev.asp.protocol.EventType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Records the events of a stream for tests and the bench: pass it as the stream's consumer, then
 * wait for what should arrive. Thread-safe; waits block the calling thread (never call them on an
 * event loop) and wake on each arrival rather than polling.
 *
 * <pre>{@code
 * EventRecorder alice = new EventRecorder();
 * client.connect(alice).connected().await();
 * Event joined = alice.awaitType(sessionId, EventType.JOINED, Duration.ofSeconds(5));
 * }</pre>
 *
 * A wait that times out throws {@link IllegalStateException} describing what did arrive.
 */
public final class EventRecorder implements Consumer<Event> {
  private static final int SHOWN_ON_FAILURE = 20;

  private final List<Event> all = new ArrayList<>();
  private final Map<String, List<Event>> bySession = new HashMap<>();

  @Override
  public synchronized void accept(Event event) {
    all.add(event);
    bySession.computeIfAbsent(event.sessionId(), id -> new ArrayList<>()).add(event);
    notifyAll();
  }

  /** The events of one session, in arrival order. */
  public synchronized List<Event> events(String sessionId) {
    return List.copyOf(bySession.getOrDefault(sessionId, List.of()));
  }

  /** Every event, in arrival order. */
  public synchronized List<Event> all() {
    return List.copyOf(all);
  }

  public synchronized int size() {
    return all.size();
  }

  /** Forgets everything recorded so far. */
  public synchronized void clear() {
    all.clear();
    bySession.clear();
  }

  /** The first event (already received or yet to come) matching {@code p}. */
  public Event await(Predicate<Event> p, Duration timeout) {
    return await("event matching the predicate", p, timeout);
  }

  /** As {@link #await(Predicate, Duration)}, naming what is awaited in the timeout message. */
  public synchronized Event await(String description, Predicate<Event> p, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int scanned = 0;
    while (true) {
      for (scanned = Math.min(scanned, all.size()); scanned < all.size(); scanned++) {
        if (p.test(all.get(scanned))) {
          return all.get(scanned);
        }
      }
      waitUntil(deadline, () -> "no " + description + " within " + timeout);
    }
  }

  /** The first event of {@code type} in a session. */
  public Event awaitType(String sessionId, EventType type, Duration timeout) {
    return await(
        type.wire() + " in " + sessionId,
        e -> sessionId.equals(e.sessionId()) && type.wire().equals(e.type()),
        timeout);
  }

  /** Waits until a session has at least {@code n} events; returns them all (n or more). */
  public synchronized List<Event> awaitCount(String sessionId, int n, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (bySession.getOrDefault(sessionId, List.of()).size() < n) {
      waitUntil(
          deadline, () -> "fewer than " + n + " events in " + sessionId + " within " + timeout);
    }
    return events(sessionId);
  }

  /**
   * Whether no event matching {@code p}, among those received before or during the quiet period,
   * exists. Returns false as soon as one does; true only after waiting the whole period.
   */
  public synchronized boolean noneMatching(Predicate<Event> p, Duration quietPeriod) {
    long deadline = System.nanoTime() + quietPeriod.toNanos();
    int scanned = 0;
    while (true) {
      for (scanned = Math.min(scanned, all.size()); scanned < all.size(); scanned++) {
        if (p.test(all.get(scanned))) {
          return false;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return true;
      }
      timedWait(left);
    }
  }

  /** Waits for the next arrival, or throws with {@code failure} once the deadline has passed. */
  private void waitUntil(long deadline, Supplier<String> failure) {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new IllegalStateException(failure.get() + "; " + describeReceived());
    }
    timedWait(left);
  }

  private void timedWait(long nanos) {
    try {
      TimeUnit.NANOSECONDS.timedWait(this, nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for events", e);
    }
  }

  private String describeReceived() {
    if (all.isEmpty()) {
      return "received nothing";
    }
    StringBuilder text = new StringBuilder("received ").append(all.size()).append(" event(s)");
    int from = Math.max(0, all.size() - SHOWN_ON_FAILURE);
    text.append(from > 0 ? ", the last " + SHOWN_ON_FAILURE + ": " : ": ");
    for (int i = from; i < all.size(); i++) {
      Event e = all.get(i);
      text.append(i > from ? ", " : "")
          .append(e.sessionId())
          .append('#')
          .append(e.sequence())
          .append(' ')
          .append(e.type());
    }
    return text.toString();
  }
}
