package dev.asp.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.gateway.limits.Limit;
import dev.asp.gateway.limits.LocalRateLimiter;
import dev.asp.testkit.RawHttp;
import dev.asp.testkit.openapi.CheckedGateway;
import dev.asp.testkit.openapi.ContractCheck;
import dev.asp.testkit.openapi.Exchange;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI description ({@code openapi/asp.json}) against the gateway itself: every route it
 * mounts is an operation of the description and every operation a mounted route, and {@code GET
 * /openapi.json} serves the file as shipped. The traffic side (real requests and responses checked
 * against it) is the operator's end-to-end suites, through {@code CheckedGateway}; the checks of
 * the checker are here, so a check that can never fail cannot pass unnoticed.
 */
@DisplayName("The OpenAPI description")
class OpenApiDescriptionTest {
  private static Vertx vertx;
  private static GatewayVerticle gateway;
  private static RawHttp http;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    Limit loose = new Limit("test", 1000, 60_000);
    A2aGatewaySettings a2a =
        new A2aGatewaySettings(
            "a2a",
            new LocalRateLimiter(),
            loose,
            loose,
            loose,
            false,
            300_000,
            10,
            1000,
            50,
            10_000,
            20,
            200,
            20,
            60_000,
            15_000,
            1 << 20,
            5);
    gateway = new GatewayVerticle(TestGatewaySettings.of(60_000, a2a, null));
    vertx.deployVerticle(gateway).await();
    http = new RawHttp(vertx, "127.0.0.1", gateway.port());
  }

  @AfterAll
  static void stop() {
    http.close();
    vertx.close().await();
  }

  @Test
  @DisplayName("describes every route the gateway mounts, and no route it does not mount")
  void everyRouteIsDescribed() {
    Set<String> mounted = new TreeSet<>();
    for (Route route : gateway.router().getRoutes()) {
      // routes without a method are handler chains (auth, bodies, failure handlers), not operations
      if (route.getPath() == null || route.methods() == null || route.methods().isEmpty()) {
        continue;
      }
      for (HttpMethod method : route.methods()) {
        mounted.add(method.name() + " " + route.getPath().replaceAll(":([A-Za-z]+)", "{$1}"));
      }
    }
    Set<String> described = new TreeSet<>();
    JsonObject paths = CheckedGateway.description().getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String method : paths.getJsonObject(path).fieldNames()) {
        described.add(method.toUpperCase() + " " + path);
      }
    }
    assertTrue(mounted.size() > 50, () -> "too few routes found: " + mounted);
    assertEquals(mounted, described);
  }

  @Test
  @DisplayName("is served at GET /openapi.json, unauthenticated, exactly as the module ships it")
  void servedAsShipped() throws Exception {
    RawHttp.Response response = http.get("/openapi.json", null);
    assertEquals(200, response.status());
    assertTrue(response.header("Content-Type").startsWith("application/json"));
    byte[] shipped;
    try (var in = getClass().getClassLoader().getResourceAsStream(GatewayVerticle.DESCRIPTION)) {
      shipped = in.readAllBytes();
    }
    assertEquals(new String(shipped, StandardCharsets.UTF_8), response.text());
    assertEquals("3.1.0", response.json().getString("openapi"));
  }

  @Test
  @DisplayName("is a valid OpenAPI 3.1 document whose check refuses traffic that departs from it")
  void checkRefusesDrift() {
    // vertx-openapi validates the document itself on load (OpenAPI 3.1 meta-schema)
    ContractCheck check = CheckedGateway.check();
    String session = "sess_01HW7Z9KQX1MS2D9P5VC3GZ8AB";
    String good =
        new JsonObject()
            .put("id", session)
            .put("state", "active")
            .put("participants", List.of(Map.of("handle", "@alice.test", "status", "joined")))
            .put("created_at", 1)
            .encode();
    assertNull(check.problem(get("/sessions/" + session, 200, good)));
    String noState = new JsonObject(good).copy().put("state", "paused").encode();
    assertFalse(problem(check, get("/sessions/" + session, 200, noState)).isEmpty());
    // a status the operation does not describe
    assertFalse(problem(check, get("/sessions/" + session, 500, "{}")).isEmpty());
    // a route the description does not have, answered as if it existed
    assertFalse(problem(check, get("/sessions", 200, "{}")).isEmpty());
    // an accepted request whose body is not what the operation takes
    Exchange send =
        new Exchange(
            "POST",
            "/sessions/" + session + "/messages",
            Map.of("Content-Type", "application/json"),
            "{\"content\":\"hi\",\"colour\":\"red\"}".getBytes(StandardCharsets.UTF_8),
            true,
            201,
            Map.of("Content-Type", "application/json; charset=utf-8"),
            "{\"message_id\":\"msg_01\",\"sequence\":1}".getBytes(StandardCharsets.UTF_8),
            true,
            false,
            List.of());
    assertFalse(problem(check, send).isEmpty());
    // an event on the WebSocket: a whole one passes, one without its envelope's fields does not
    String joined =
        new JsonObject()
            .put("type", "session.joined")
            .put("session_id", session)
            .put("event_id", "evt_01HW7Z9KQX1MS2D9P5VC3GZ8AB")
            .put("sequence", 1)
            .put("created_at", 1)
            .put("payload", new JsonObject().put("agent", "@alice.test"))
            .encode();
    assertNull(check.problem(socket(joined)));
    assertFalse(
        problem(check, socket(new JsonObject(joined).put("payload", Map.of()).encode())).isEmpty());
    Exchange socket =
        new Exchange(
            "GET",
            "/connect",
            Map.of(),
            new byte[0],
            true,
            101,
            Map.of(),
            new byte[0],
            true,
            false,
            List.of("{\"type\":\"session.joined\",\"session_id\":\"" + session + "\"}"));
    assertFalse(problem(check, socket).isEmpty());
  }

  private static Exchange socket(String frame) {
    return new Exchange(
        "GET",
        "/connect",
        Map.of(),
        new byte[0],
        true,
        101,
        Map.of(),
        new byte[0],
        true,
        false,
        List.of(frame));
  }

  private static String problem(ContractCheck check, Exchange exchange) {
    String problem = check.problem(exchange);
    return problem == null ? "" : problem;
  }

  private static Exchange get(String path, int status, String body) {
    return new Exchange(
        "GET",
        path,
        Map.of(),
        new byte[0],
        true,
        status,
        Map.of("Content-Type", "application/json; charset=utf-8"),
        body.getBytes(StandardCharsets.UTF_8),
        true,
        false,
        List.of());
  }
}
