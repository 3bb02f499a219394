package dev.asp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Ids")
class IdsTest {
  @Test
  @DisplayName("are a prefix and 26 characters of [0-9A-Z], unique and time-ordered")
  void shape() {
    Set<String> seen = new HashSet<>();
    String previous = "";
    for (int i = 0; i < 10_000; i++) {
      String id = Ids.newMessageId();
      assertTrue(id.matches("^msg_[0-9A-Z]{26}$"), id);
      assertTrue(seen.add(id));
      assertTrue(id.substring(4, 14).compareTo(previous) >= 0, "time prefix never goes back");
      previous = id.substring(4, 14);
    }
    assertTrue(Ids.newSessionId().matches("^sess_[0-9A-Z]{26}$"));
    assertTrue(Ids.newEventId().matches("^evt_[0-9A-Z]{26}$"));
  }

  @Test
  @DisplayName("recognise session ids and nothing else")
  void sessionIds() {
    assertTrue(Ids.isSessionId(Ids.newSessionId()));
    assertFalse(Ids.isSessionId("sess_abc"));
    assertFalse(Ids.isSessionId("msg_ABC"));
    assertFalse(Ids.isSessionId("sess_"));
    assertFalse(Ids.isSessionId(null));
    assertEquals(31, Ids.newSessionId().length());
  }
}
