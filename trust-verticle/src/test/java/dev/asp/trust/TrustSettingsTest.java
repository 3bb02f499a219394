package dev.asp.trust;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
