package dev.asp.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.InboundPolicy;
import dev.asp.storage.DatabaseSettings;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Trust settings")
class TrustSettingsTest {
  private static final DatabaseSettings DB =
      DatabaseSettings.fromUrl("postgresql://asp:dbpass@localhost:5432/asp", 4);

  @Test
  @DisplayName("never print the admin token or the database password")
  void toStringHidesSecrets() {
    String text = new TrustSettings(DB, "adm_very-secret", 1000).toString();
    assertFalse(text.contains("adm_very-secret"), text);
    assertFalse(text.contains("dbpass"), text);
    assertTrue(text.contains("enabled"), text);
  }

  @Test
  @DisplayName("a blank admin token disables the admin credential")
  void blankAdminTokenDisables() {
    TrustSettings settings = new TrustSettings(DB, "  ", 1000);
    assertNull(settings.adminToken());
    assertFalse(settings.adminEnabled());
  }

  @Test
  @DisplayName("hub nodes default to owner a2a, open policy, a 10-minute reissue, a stored hub id")
  void hubNodeDefaults() {
    TrustSettings settings = new TrustSettings(DB, null, 1000);
    assertEquals("a2a", settings.nodeOwner());
    assertEquals(InboundPolicy.OPEN, settings.nodePolicy());
    assertEquals(600_000, settings.unclaimedReissueMs());
    assertNull(settings.hubNodeId());
    TrustSettings nulls = settings.withHubNodes(null, null, 0, null);
    assertEquals("a2a", nulls.nodeOwner());
    assertEquals(InboundPolicy.OPEN, nulls.nodePolicy());
  }

  @Test
  @DisplayName("a configured hub id must be hub_ and 32 lowercase hex")
  void hubIdForm() {
    TrustSettings settings = new TrustSettings(DB, null, 1000);
    String valid = "hub_" + "0123456789abcdef".repeat(2);
    assertEquals(valid, settings.withHubNodes("a2a", InboundPolicy.OPEN, 0, valid).hubNodeId());
    for (String invalid :
        new String[] {"hub_" + "0123456789ABCDEF".repeat(2), "hub_123", "node_" + "a".repeat(32)}) {
      assertThrows(
          IllegalArgumentException.class,
          () -> settings.withHubNodes("a2a", InboundPolicy.OPEN, 0, invalid));
    }
  }

  @Test
  @DisplayName("the node owner must be an owner name, the reissue window not negative")
  void hubNodeBounds() {
    TrustSettings settings = new TrustSettings(DB, null, 1000);
    assertThrows(
        IllegalArgumentException.class,
        () -> settings.withHubNodes("A2A", InboundPolicy.OPEN, 0, null));
    assertThrows(
        IllegalArgumentException.class,
        () -> settings.withHubNodes("a2a", InboundPolicy.OPEN, -1, null));
  }
}
