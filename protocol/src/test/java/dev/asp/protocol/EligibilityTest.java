package dev.asp.protocol;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Eligibility")
class EligibilityTest {
  private static final String BOB = "@bob.test";

  @Test
  @DisplayName("gives a joined agent every event, the transcript before its join included")
  void joined() {
    for (EventType type : EventType.values()) {
      assertTrue(Eligibility.eligible(ParticipantStatus.JOINED, -1, BOB, type, "@x.y", 0));
    }
  }

  @Test
  @DisplayName("gives an invited agent only its own invitation and session.ended")
  void invited() {
    assertTrue(Eligibility.eligible(ParticipantStatus.INVITED, -1, BOB, EventType.INVITED, BOB, 1));
    assertFalse(
        Eligibility.eligible(ParticipantStatus.INVITED, -1, BOB, EventType.INVITED, "@c.d", 2));
    assertTrue(Eligibility.eligible(ParticipantStatus.INVITED, -1, BOB, EventType.ENDED, null, 3));
    assertFalse(
        Eligibility.eligible(ParticipantStatus.INVITED, -1, BOB, EventType.MESSAGE, "@c.d", 0));
  }

  @Test
  @DisplayName("gives a left agent events up to and including its own session.left")
  void left() {
    assertTrue(Eligibility.eligible(ParticipantStatus.LEFT, 5, BOB, EventType.MESSAGE, "@c.d", 4));
    assertTrue(Eligibility.eligible(ParticipantStatus.LEFT, 5, BOB, EventType.LEFT, BOB, 5));
    assertFalse(Eligibility.eligible(ParticipantStatus.LEFT, 5, BOB, EventType.MESSAGE, "@c.d", 6));
    assertFalse(Eligibility.eligible(ParticipantStatus.LEFT, 5, BOB, EventType.ENDED, null, 7));
  }

  @Test
  @DisplayName("an audience hides the event from everyone it does not list, whatever their status")
  void audience() {
    List<String> audience = List.of("@a.b", BOB);
    assertTrue(
        Eligibility.eligible(
            ParticipantStatus.JOINED, -1, BOB, EventType.MESSAGE, "@a.b", 3, audience));
    assertFalse(
        Eligibility.eligible(
            ParticipantStatus.JOINED, -1, "@c.d", EventType.MESSAGE, "@a.b", 3, audience));
    // listed, but the status still decides
    assertFalse(
        Eligibility.eligible(
            ParticipantStatus.INVITED, -1, BOB, EventType.MESSAGE, "@a.b", 3, audience));
    assertFalse(
        Eligibility.eligible(
            ParticipantStatus.LEFT, 2, BOB, EventType.MESSAGE, "@a.b", 3, audience));
    assertTrue(
        Eligibility.eligible(
            ParticipantStatus.JOINED, -1, BOB, EventType.MESSAGE, "@a.b", 3, null));
    assertTrue(Eligibility.inAudience(BOB, null));
    assertFalse(Eligibility.inAudience(BOB, List.of("@a.b")));
  }

  @Test
  @DisplayName("an extension event (type null) is seen like any event that is no invitation or end")
  void extension() {
    assertTrue(Eligibility.eligible(ParticipantStatus.JOINED, -1, BOB, null, null, 4));
    assertFalse(Eligibility.eligible(ParticipantStatus.INVITED, -1, BOB, null, BOB, 4));
    assertTrue(Eligibility.eligible(ParticipantStatus.LEFT, 4, BOB, null, null, 4));
    assertFalse(Eligibility.eligible(ParticipantStatus.LEFT, 4, BOB, null, null, 5));
  }
}
