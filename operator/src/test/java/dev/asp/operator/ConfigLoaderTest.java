package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Configuration")
class ConfigLoaderTest {
  @TempDir Path dir;

  @Test
  @DisplayName("defaults to 127.0.0.1:8080 on an embedded database without an admin")
  void defaults() {
    OperatorConfig config = ConfigLoader.load(Map.of());
    assertEquals("127.0.0.1", config.httpHost());
    assertEquals(8080, config.httpPort());
    assertTrue(config.embeddedDatabase());
    assertNull(config.adminToken());
    assertEquals(262_144, config.limits().maxContentBytes());
  }

  @Test
  @DisplayName("reports every invalid value at once and refuses unknown ASP_ keys")
  void invalid() {
    ConfigLoader.InvalidConfigException e =
        assertThrows(
            ConfigLoader.InvalidConfigException.class,
            () ->
                ConfigLoader.load(
                    Map.of(
                        "ASP_HTTP_PORT", "eighty",
                        "ASP_MAX_PARTS", "0",
                        "ASP_DATABASE_URL", "mysql://x/y",
                        "ASP_ADMIN_TOKEN", "short",
                        "ASP_GRACE_SECONDZ", "3")));
    String message = e.getMessage();
    for (String key :
        new String[] {
          "ASP_HTTP_PORT",
          "ASP_MAX_PARTS",
          "ASP_DATABASE_URL",
          "ASP_ADMIN_TOKEN",
          "ASP_GRACE_SECONDZ"
        }) {
      assertTrue(message.contains(key), message);
    }
    assertFalse(message.contains("short"), "never echo a secret");
  }

  @Test
  @DisplayName("reads a properties file, and the environment wins over it")
  void file() throws IOException {
    Path file = dir.resolve("asp.properties");
    Files.writeString(file, "ASP_HTTP_PORT=9000\nASP_MAX_INVITEES=7\n");
    OperatorConfig config =
        ConfigLoader.load(Map.of("ASP_CONFIG_FILE", file.toString(), "ASP_MAX_INVITEES", "9"));
    assertEquals(9000, config.httpPort());
    assertEquals(9, config.maxInvitees());
  }

  @Test
  @DisplayName("never prints the admin token or the database password")
  void masksSecrets() {
    OperatorConfig config =
        ConfigLoader.load(
            Map.of(
                "ASP_ADMIN_TOKEN", "a-very-secret-admin-token",
                "ASP_DATABASE_URL", "postgresql://asp:hunter2@db:5432/asp"));
    assertFalse(config.toString().contains("a-very-secret-admin-token"));
    assertFalse(config.toString().contains("hunter2"));
  }
}
