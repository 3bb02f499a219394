package dev.asp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.bench.Checker.Kind;
import dev.asp.bench.Checker.Violation;
import dev.asp.protocol.Event;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CheckerTest {
  private static final String S = "sess_1";
  private static final String ALICE = "@b.alice";
  private static final String BOB = "@b.bob";

  private final Checker checker = new Checker();

  private static Event invited(long seq, String invitee) {
    return new Event(
        "session.invited", S, "evt_" + seq, seq, 0, new JsonObject().put("invitee", invitee));
  }

  private static Event joined(long seq, String agent) {
    return new Event(
        "session.joined", S, "evt_" + seq, seq, 0, new JsonObject().put("agent", agent));
  }

  private static Event message(long seq) {
    return new Event(
        "session.message",
        S,
        "evt_" + seq,
        seq,
        0,
        new JsonObject().put("id", "msg_" + seq).put("sequence", seq).put("sender", ALICE));
  }

  /** Alice creates and invites bob (0), bob joins (1), alice sends messages 2..4, all acked. */
  private void session() {
    checker.expect(S, List.of(ALICE, BOB));
    for (long seq = 2; seq <= 4; seq++) {
      checker.acknowledged(S, "msg_" + seq, seq);
    }
  }

  private void deliverAll(String agent, long... skip) {
    List<Event> events =
        List.of(invited(0, BOB), joined(1, BOB), message(2), message(3), message(4));
    for (Event e : events) {
      if (java.util.Arrays.stream(skip).noneMatch(s -> s == e.sequence())) {
        checker.received(agent, e);
      }
    }
  }

  @Test
  @DisplayName("Complete, ordered histories of every participant are clean")
  void clean() {
    session();
    deliverAll(ALICE);
    deliverAll(BOB);
    Checker.Verdict verdict = checker.verdict();
    assertTrue(verdict.clean(), verdict.violations().toString());
    assertEquals(2, verdict.checkedHistories());
  }

  @Test
  @DisplayName("An acknowledged message a participant never received is named as missing")
  void missing() {
    session();
    deliverAll(ALICE);
    deliverAll(BOB, 4);
    Checker.Verdict verdict = checker.verdict();
    assertEquals(new Violation(Kind.MISSING, BOB, S, 4, null), verdict.first());
    assertEquals(1, verdict.violationCount());
  }

  @Test
  @DisplayName("A hole in the middle of a stream is a gap at the first missing sequence")
  void gap() {
    session();
    deliverAll(ALICE, 3);
    deliverAll(BOB);
    Violation first = checker.verdict().first();
    assertEquals(Kind.GAP, first.kind());
    assertEquals(ALICE, first.agent());
    assertEquals(3, first.sequence());
  }

  @Test
  @DisplayName("An event delivered twice is named as a duplicate")
  void duplicate() {
    session();
    deliverAll(ALICE);
    deliverAll(BOB);
    checker.received(BOB, message(3));
    Checker.Verdict verdict = checker.verdict();
    assertEquals(new Violation(Kind.DUPLICATE, BOB, S, 3, null), verdict.first());
    assertEquals(1, verdict.violationCount());
  }

  @Test
  @DisplayName("Events out of sequence order are named as reordered")
  void reordered() {
    session();
    deliverAll(ALICE);
    for (Event e : List.of(invited(0, BOB), joined(1, BOB), message(3), message(2), message(4))) {
      checker.received(BOB, e);
    }
    Checker.Verdict verdict = checker.verdict();
    assertEquals(
        Kind.REORDERED,
        verdict.violations().stream()
            .filter(v -> v.kind() != Kind.GAP)
            .findFirst()
            .orElseThrow()
            .kind());
    assertTrue(
        verdict.violations().stream()
            .anyMatch(
                v -> v.kind() == Kind.REORDERED && v.agent().equals(BOB) && v.sequence() == 2),
        verdict.violations().toString());
  }

  @Test
  @DisplayName("A late joiner's invitation before the transcript restart is not a reordering")
  void joinerRestart() {
    checker.expect(S, List.of(ALICE, BOB));
    checker.acknowledged(S, "msg_0", 0);
    checker.acknowledged(S, "msg_3", 3);
    // alice sends 0, invites bob (1)... bob's stream: invitation 1, then transcript 0, 2, 3
    Event m0 = message(0);
    Event inv = invited(1, BOB);
    Event j = joined(2, BOB);
    Event m3 = message(3);
    for (Event e : List.of(m0, inv, j, m3)) {
      checker.received(ALICE, e);
    }
    for (Event e : List.of(inv, m0, j, m3)) {
      checker.received(BOB, e);
    }
    Checker.Verdict verdict = checker.verdict();
    assertTrue(verdict.clean(), verdict.violations().toString());
  }

  @Test
  @DisplayName("A message delivered at another sequence than its POST returned is a mismatch")
  void sequenceMismatch() {
    checker.expect(S, List.of(ALICE));
    checker.acknowledged(S, "msg_2", 5);
    checker.received(ALICE, message(2));
    Violation first = checker.verdict().first();
    assertEquals(Kind.SEQUENCE_MISMATCH, first.kind());
    assertEquals(5, first.sequence());
  }
}
