package dev.asp.client.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The delivered-sequences tracker")
class DeliveredSequencesTest {
  private static final String SESSION = "sess_A";

  private final DeliveredSequences delivered = new DeliveredSequences();

  @Test
  @DisplayName("lets an in-order stream through in one run, from 0 or from any cursor")
  void inOrder() {
    assertEquals(range(0, 999), offer(SESSION, range(0, 999)));
    assertEquals(1, delivered.runs(SESSION));

    assertEquals(range(500, 1499), offer("sess_B", range(500, 1499)));
    assertEquals(1, delivered.runs("sess_B"));
  }

  @Test
  @DisplayName("drops the repeats of a replay after a crash and keeps what is new")
  void crashReplay() {
    offer(SESSION, range(0, 10));

    assertEquals(List.of(11L, 12L), offer(SESSION, range(7, 12)));
    assertEquals(1, delivered.runs(SESSION));
    assertEquals(List.of(), offer(SESSION, range(0, 12)));
  }

  @Test
  @DisplayName("lets the transcript through after the invitation, dropping only the invitation")
  void invitedThenTranscript() {
    assertEquals(List.of(5L), offer(SESSION, List.of(5L)));

    assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 6L), offer(SESSION, range(0, 6)));
    assertEquals(1, delivered.runs(SESSION), "the runs merged once the transcript reached 5");
    assertEquals(List.of(7L), offer(SESSION, range(5, 7)));
  }

  @Test
  @DisplayName("fills holes between runs in any order and merges them")
  void mergesRuns() {
    offer(SESSION, List.of(10L, 20L, 30L));
    assertEquals(3, delivered.runs(SESSION));

    assertEquals(List.of(11L, 19L, 21L, 29L), offer(SESSION, List.of(11L, 19L, 21L, 29L, 20L)));
    assertEquals(3, delivered.runs(SESSION));
    assertEquals(range(12, 18), offer(SESSION, range(12, 18)));
    assertEquals(range(28, 22), offer(SESSION, range(28, 22)));
    assertEquals(1, delivered.runs(SESSION));
    assertEquals(List.of(9L, 31L), offer(SESSION, range(9, 31)));
  }

  @Test
  @DisplayName("beyond its runs bound forgets the lowest runs: a repeat there gets through")
  void runsBound() {
    DeliveredSequences small = new DeliveredSequences(10, 3);
    for (long seq : List.of(0L, 10L, 20L, 30L)) {
      assertTrue(small.firstDelivery(SESSION, seq));
    }
    assertEquals(3, small.runs(SESSION));

    assertTrue(small.firstDelivery(SESSION, 0), "the lowest run was forgotten");
    assertEquals(3, small.runs(SESSION), "and remembering 0 again forgot the lowest: 0 itself");
    for (long seq : List.of(10L, 20L, 30L)) {
      assertFalse(small.firstDelivery(SESSION, seq), "the highest runs are kept: " + seq);
    }
  }

  @Test
  @DisplayName("beyond its sessions bound forgets the least recently seen session")
  void sessionsBound() {
    DeliveredSequences small = new DeliveredSequences(2, 3);
    small.firstDelivery("sess_1", 0);
    small.firstDelivery("sess_2", 0);
    small.firstDelivery("sess_1", 1); // sess_2 is now the least recently seen
    small.firstDelivery("sess_3", 0);

    assertEquals(2, small.sessions());
    assertEquals(0, small.runs("sess_2"));
    assertFalse(small.firstDelivery("sess_1", 1));
    assertFalse(small.firstDelivery("sess_3", 0));
    assertTrue(small.firstDelivery("sess_2", 0), "forgotten, so it gets through again");
  }

  @Test
  @DisplayName("keeps many interleaved sessions apart")
  void manySessions() {
    int sessions = 1_000;
    for (long seq = 0; seq < 20; seq++) {
      for (int s = 0; s < sessions; s++) {
        assertTrue(delivered.firstDelivery("sess_" + s, seq));
      }
    }
    for (int s = 0; s < sessions; s++) {
      assertEquals(List.of(20L), offer("sess_" + s, range(15, 20)));
      assertEquals(1, delivered.runs("sess_" + s));
    }
    assertEquals(sessions, delivered.sessions());
  }

  @Test
  @DisplayName("never drops an unseen event, and within its bounds drops every repeat")
  void matchesASet() {
    Random random = new Random(42);
    DeliveredSequences bounded = new DeliveredSequences(10, 4);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 50_000; i++) {
      String session = "sess_" + random.nextInt(12);
      long seq = random.nextInt(300);
      boolean isNew = seen.add(session + "#" + seq);
      if (isNew) {
        assertTrue(bounded.firstDelivery(session, seq), session + "#" + seq + " is new");
      } else {
        bounded.firstDelivery(session, seq); // may get through: the bounds are small
      }
    }
    DeliveredSequences unbounded = new DeliveredSequences(100, 1_000);
    seen.clear();
    for (int i = 0; i < 50_000; i++) {
      String session = "sess_" + random.nextInt(12);
      long seq = random.nextInt(300);
      assertEquals(seen.add(session + "#" + seq), unbounded.firstDelivery(session, seq));
    }
  }

  @Test
  @DisplayName("refuses bounds below 1")
  void bounds() {
    assertThrows(IllegalArgumentException.class, () -> new DeliveredSequences(0, 1));
    assertThrows(IllegalArgumentException.class, () -> new DeliveredSequences(1, 0));
  }

  /** Offers the sequences in order; returns those let through. */
  private List<Long> offer(String session, List<Long> sequences) {
    List<Long> through = new ArrayList<>();
    for (long seq : sequences) {
      if (delivered.firstDelivery(session, seq)) {
        through.add(seq);
      }
    }
    return through;
  }

  /** {@code from..to} inclusive, counting down when {@code to < from}. */
  private static List<Long> range(long from, long to) {
    return from <= to
        ? LongStream.rangeClosed(from, to).boxed().toList()
        : LongStream.rangeClosed(to, from).map(x -> from + to - x).boxed().toList();
  }
}
