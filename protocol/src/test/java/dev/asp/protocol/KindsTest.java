package dev.asp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Session kinds, event origins and extension event types")
class KindsTest {

  @Test
  @DisplayName("session kinds are stored in lower case and read back; an unknown one is refused")
  void kinds() {
    assertEquals(
        List.of("asp", "a2a", "dm", "deliberation", "pipeline", "notice"),
        java.util.Arrays.stream(SessionKind.values()).map(SessionKind::wire).toList());
    for (SessionKind kind : SessionKind.values()) {
      assertEquals(kind, SessionKind.fromWire(kind.wire()));
    }
    assertThrows(IllegalArgumentException.class, () -> SessionKind.fromWire("ASP"));
    assertThrows(IllegalArgumentException.class, () -> SessionKind.fromWire(null));
  }

  @Test
  @DisplayName("event origins are asp, a2a and hub")
  void origins() {
    assertEquals(
        List.of("asp", "a2a", "hub"),
        java.util.Arrays.stream(EventOrigin.values()).map(EventOrigin::wire).toList());
    for (EventOrigin origin : EventOrigin.values()) {
      assertEquals(origin, EventOrigin.fromWire(origin.wire()));
    }
    assertThrows(IllegalArgumentException.class, () -> EventOrigin.fromWire("gateway"));
  }

  @Test
  @DisplayName("extension types are a2a.<lower-case name>, and are not ASP event types")
  void extensionTypes() {
    assertTrue(EventType.isExtension("a2a.task_board_update"));
    assertTrue(EventType.isExtension("a2a.session_status"));
    assertFalse(EventType.isExtension("a2a."));
    assertFalse(EventType.isExtension("a2a.Task"));
    assertFalse(EventType.isExtension("a2a.task-board"));
    assertFalse(EventType.isExtension("session.message"));
    assertFalse(EventType.isExtension("xa2a.x"));
    assertFalse(EventType.isExtension(null));
    assertNull(EventType.fromWire("a2a.task_board_update"));
    assertEquals(EventType.values().length, EventType.wires().length);
    assertEquals("session.invited", EventType.wires()[0]);
  }
}
