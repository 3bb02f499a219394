package dev.asp.protocol;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
