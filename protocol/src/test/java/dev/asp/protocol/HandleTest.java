package dev.asp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Handles and allowlist entries")
class HandleTest {
  @Test
  @DisplayName("follow ^@[a-z0-9_-]+\\.[a-z0-9_-]+$")
  void handles() {
    assertTrue(Handle.isValid("@acme.support"));
    assertTrue(Handle.isValid("@a-b_c.d-e_9"));
    for (String bad :
        new String[] {"acme.support", "@Acme.support", "@acme", "@acme.a.b", "@.a", "@a.", ""}) {
      assertFalse(Handle.isValid(bad), bad);
    }
    assertEquals(
        ErrorCode.INVALID_HANDLE,
        assertThrows(AspException.class, () -> Handle.require("x")).code());
    assertEquals("acme", Handle.owner("@acme.support"));
  }

  @Test
  @DisplayName("each part is at most 64 characters, owners and allowlist entries too")
  void lengths() {
    String max = "a".repeat(Handle.MAX_PART);
    String over = "a".repeat(Handle.MAX_PART + 1);
    assertTrue(Handle.isValid("@" + max + "." + max));
    assertFalse(Handle.isValid("@" + over + ".bot"));
    assertFalse(Handle.isValid("@acme." + over));
    assertTrue(Handle.isValidOwner(max));
    assertFalse(Handle.isValidOwner(over));
    assertTrue(Handle.isValidAllowlistEntry("@" + max + ".*"));
    assertFalse(Handle.isValidAllowlistEntry("@" + over + ".*"));
    assertFalse(Handle.isValidAllowlistEntry("@acme." + over));
  }

  @Test
  @DisplayName("match exact handles and owner globs only")
  void entries() {
    assertTrue(Handle.isValidAllowlistEntry("@acme.*"));
    assertTrue(Handle.isValidAllowlistEntry("@acme.bot"));
    assertFalse(Handle.isValidAllowlistEntry("@*.bot"));
    assertFalse(Handle.isValidAllowlistEntry("*"));
    assertTrue(Handle.entryMatches("@acme.*", "@acme.bot"));
    assertFalse(Handle.entryMatches("@acme.*", "@acmeco.bot"));
    assertTrue(Handle.entryMatches("@acme.bot", "@acme.bot"));
    assertFalse(Handle.entryMatches("@acme.bot", "@acme.bot2"));
  }
}
