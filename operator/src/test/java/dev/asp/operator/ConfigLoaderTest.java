package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
  @DisplayName("management on 127.0.0.1:9090, text logs, 2 s readiness checks by default")
  void management() {
    OperatorConfig defaults = ConfigLoader.load(Map.of());
    assertEquals("127.0.0.1", defaults.managementHost());
    assertEquals(9090, defaults.managementPort());
    assertEquals(2000, defaults.healthTimeoutMs());
    assertEquals(dev.asp.operator.logging.LogFormat.TEXT, defaults.logFormat());
    OperatorConfig set =
        ConfigLoader.load(
            Map.of(
                "ASP_MANAGEMENT_HOST", "0.0.0.0",
                "ASP_MANAGEMENT_PORT", "0",
                "ASP_LOG_FORMAT", "json"));
    assertEquals("0.0.0.0", set.managementHost());
    assertEquals(0, set.managementPort());
    assertEquals(dev.asp.operator.logging.LogFormat.JSON, set.logFormat());
    String problems =
        assertThrows(
                ConfigLoader.InvalidConfigException.class,
                () ->
                    ConfigLoader.load(
                        Map.of(
                            "ASP_LOG_FORMAT", "xml",
                            "ASP_MANAGEMENT_PORT", "70000",
                            "ASP_HEALTH_TIMEOUT_MS", "5")))
            .getMessage();
    for (String key : List.of("ASP_LOG_FORMAT", "ASP_MANAGEMENT_PORT", "ASP_HEALTH_TIMEOUT_MS")) {
      assertTrue(problems.contains(key), problems);
    }
  }

  @Test
  @DisplayName(
      "HTTP connections: 60 s idle, 10 s for headers, 16,000 open by default; bad values refused")
  void httpConnections() {
    OperatorConfig defaults = ConfigLoader.load(Map.of());
    assertEquals(60_000, defaults.httpIdleTimeoutMs());
    assertEquals(10_000, defaults.httpHeaderTimeoutMs());
    assertEquals(16_000, defaults.httpMaxConnections());
    String problems =
        assertThrows(
                ConfigLoader.InvalidConfigException.class,
                () ->
                    ConfigLoader.load(
                        Map.of(
                            "ASP_HTTP_IDLE_TIMEOUT_MS", "0",
                            "ASP_HTTP_HEADER_TIMEOUT_MS", "soon",
                            "ASP_HTTP_MAX_CONNECTIONS", "0")))
            .getMessage();
    for (String key :
        List.of(
            "ASP_HTTP_IDLE_TIMEOUT_MS", "ASP_HTTP_HEADER_TIMEOUT_MS", "ASP_HTTP_MAX_CONNECTIONS")) {
      assertTrue(problems.contains(key), problems);
    }
  }

  @Test
  @DisplayName("failed authentications: 20 per 60 s per address by default; bad values refused")
  void authFailures() {
    OperatorConfig defaults = ConfigLoader.load(Map.of());
    assertEquals(20, defaults.authFailureLimit());
    assertEquals(60_000, defaults.authFailureWindowMs());
    String problems =
        assertThrows(
                ConfigLoader.InvalidConfigException.class,
                () ->
                    ConfigLoader.load(
                        Map.of("ASP_AUTH_FAILURE_LIMIT", "0", "ASP_AUTH_FAILURE_WINDOW_MS", "5")))
            .getMessage();
    for (String key : List.of("ASP_AUTH_FAILURE_LIMIT", "ASP_AUTH_FAILURE_WINDOW_MS")) {
      assertTrue(problems.contains(key), problems);
    }
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

  @Test
  @DisplayName("Vert.x's detailed meters are on by default, off with false, and refused otherwise")
  void vertxMetricsDetail() {
    assertTrue(ConfigLoader.load(Map.of()).vertxMetricsDetail());
    assertFalse(
        ConfigLoader.load(Map.of("ASP_METRICS_VERTX_DETAIL", "false")).vertxMetricsDetail());
    ConfigLoader.InvalidConfigException e =
        assertThrows(
            ConfigLoader.InvalidConfigException.class,
            () -> ConfigLoader.load(Map.of("ASP_METRICS_VERTX_DETAIL", "off")));
    assertTrue(e.getMessage().contains("ASP_METRICS_VERTX_DETAIL"), e.getMessage());
  }

  @Test
  @DisplayName("the README's configuration table lists every setting with its default")
  void readmeListsEverySetting() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    ConfigLoader.SETTINGS.forEach(
        (key, setting) -> {
          if (key.equals("ASP_CONFIG_FILE")) {
            return;
          }
          String row = "| `" + key + "` | " + (setting[0] == null ? "–" : "`" + setting[0] + "`");
          assertTrue(readme.contains(row), "README.md lacks the row " + row + " |");
        });
  }

  @Test
  @DisplayName("cluster settings: a mode needs its discovery setting, and roles are checked")
  void clusterSettings() {
    ConfigLoader.InvalidConfigException missing =
        assertThrows(
            ConfigLoader.InvalidConfigException.class,
            () -> ConfigLoader.load(Map.of("ASP_CLUSTER_MODE", "tcp-ip", "ASP_ROLES", "gatway")));
    assertTrue(
        missing.getMessage().contains("ASP_CLUSTER_MEMBERS is required"), missing.getMessage());
    assertTrue(missing.getMessage().contains("unknown role 'gatway'"), missing.getMessage());
    assertTrue(
        assertThrows(
                ConfigLoader.InvalidConfigException.class,
                () -> ConfigLoader.load(Map.of("ASP_CLUSTER_MODE", "kubernetes")))
            .getMessage()
            .contains("ASP_CLUSTER_K8S_SERVICE_DNS is required"));
    OperatorConfig config =
        ConfigLoader.load(
            Map.of(
                "ASP_CLUSTER_MODE", "tcp-ip",
                "ASP_CLUSTER_MEMBERS", "10.0.0.1:5701, 10.0.0.2",
                "ASP_ROLES", "delivery,gateway"));
    assertEquals(List.of("10.0.0.1:5701", "10.0.0.2"), config.cluster().members());
    assertEquals(java.util.EnumSet.of(Role.GATEWAY, Role.DELIVERY), config.roles());
  }

  @Test
  @DisplayName(
      "event-bus TLS: off by default, all three readable PEM files or none, clustered only")
  void eventBusTls() throws IOException {
    assertNull(ConfigLoader.load(Map.of()).cluster().eventBusTls());
    Path cert = Files.writeString(dir.resolve("cert.pem"), "cert");
    Path key = Files.writeString(dir.resolve("key.pem"), "key");
    Path ca = Files.writeString(dir.resolve("ca.pem"), "ca");
    Map<String, String> clustered =
        Map.of("ASP_CLUSTER_MODE", "multicast", "ASP_CLUSTER_TLS_CERT", cert.toString());
    var tls =
        ConfigLoader.load(
                Map.of(
                    "ASP_CLUSTER_MODE", "multicast",
                    "ASP_CLUSTER_TLS_CERT", cert.toString(),
                    "ASP_CLUSTER_TLS_KEY", key.toString(),
                    "ASP_CLUSTER_TLS_CA", ca.toString()))
            .cluster()
            .eventBusTls();
    assertEquals(cert.toString(), tls.certPath());
    assertEquals(key.toString(), tls.keyPath());
    assertEquals(ca.toString(), tls.caPath());
    String partial =
        assertThrows(ConfigLoader.InvalidConfigException.class, () -> ConfigLoader.load(clustered))
            .getMessage();
    assertTrue(partial.contains("all three or none"), partial);
    String missing =
        assertThrows(
                ConfigLoader.InvalidConfigException.class,
                () ->
                    ConfigLoader.load(
                        Map.of(
                            "ASP_CLUSTER_MODE", "multicast",
                            "ASP_CLUSTER_TLS_CERT", cert.toString(),
                            "ASP_CLUSTER_TLS_KEY", dir.resolve("absent.pem").toString(),
                            "ASP_CLUSTER_TLS_CA", ca.toString())))
            .getMessage();
    assertTrue(missing.contains("ASP_CLUSTER_TLS_KEY"), missing);
    assertFalse(missing.contains("ASP_CLUSTER_TLS_CERT "), missing);
    String single =
        assertThrows(
                ConfigLoader.InvalidConfigException.class,
                () ->
                    ConfigLoader.load(
                        Map.of(
                            "ASP_CLUSTER_TLS_CERT", cert.toString(),
                            "ASP_CLUSTER_TLS_KEY", key.toString(),
                            "ASP_CLUSTER_TLS_CA", ca.toString())))
            .getMessage();
    assertTrue(single.contains("ASP_CLUSTER_MODE is none"), single);
  }
}
