package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.client.AspAdminClient;
import dev.asp.client.AspClient;
import dev.asp.client.AspEventStream;
import dev.asp.client.EventRecorder;
import dev.asp.client.NewSession;
import dev.asp.protocol.BuildInfo;
import dev.asp.protocol.EventType;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The management server of a real node (built by {@link Operator#launch}, so with Vert.x metrics
 * on) on a real PostgreSQL: probes, and meters that move with real traffic from real clients.
 */
@DisplayName("Health and metrics")
class HealthAndMetricsTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static Operator.Running node;
  private static Vertx clients;
  private static String url;

  @BeforeAll
  static void start() {
    node = Operator.launch(config(Map.of()), TestDatabase.fresh()).await();
    clients = Vertx.vertx();
    url = "http://127.0.0.1:" + node.port();
  }

  @AfterAll
  static void stop() {
    node.close().await();
    clients.close().await();
  }

  static OperatorConfig config(Map<String, String> settings) {
    Map<String, String> env = new HashMap<>();
    env.put("ASP_HTTP_PORT", "0");
    env.put("ASP_MANAGEMENT_PORT", "0");
    env.put("ASP_ADMIN_TOKEN", OperatorHarness.ADMIN_TOKEN);
    env.put("ASP_BUS_TIMEOUT_MS", "5000");
    env.put("ASP_CURSOR_FLUSH_MS", "50");
    env.putAll(settings);
    return ConfigLoader.load(env);
  }

  record Reply(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  static Reply get(int port, String path) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static JsonObject check(JsonObject ready, String name) {
    JsonArray checks = ready.getJsonArray("checks");
    for (int i = 0; i < checks.size(); i++) {
      if (name.equals(checks.getJsonObject(i).getString("name"))) {
        return checks.getJsonObject(i);
      }
    }
    return null;
  }

  /** The value of a Prometheus sample whose line starts with {@code prefix} (name and labels). */
  static double sample(String metrics, String prefix) {
    double total = 0;
    boolean found = false;
    for (String line : metrics.split("\n")) {
      if (line.startsWith(prefix)) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        found = true;
      }
    }
    assertTrue(found, "no sample " + prefix + " in:\n" + metrics);
    return total;
  }

  /** Polls /metrics until the sample has this value. */
  static void awaitSample(String prefix, double value) {
    long deadline = System.currentTimeMillis() + WAIT.toMillis();
    double last;
    do {
      last = sample(get(node.managementPort(), "/metrics").body(), prefix);
      if (last == value) {
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    } while (System.currentTimeMillis() < deadline);
    assertEquals(value, last, prefix);
  }

  @Test
  @DisplayName("live and ready answer 200 on a started node, every check up")
  void liveAndReady() {
    assertTrue(node.managementPort() > 0);
    Reply live = get(node.managementPort(), "/health/live");
    assertEquals(200, live.status());
    assertEquals("UP", live.json().getString("status"));

    Reply ready = get(node.managementPort(), "/health/ready");
    assertEquals(200, ready.status(), ready.body());
    assertEquals("UP", ready.json().getString("status"));
    assertEquals("running", check(ready.json(), "lifecycle").getString("state"));
    assertEquals("UP", check(ready.json(), "database").getString("status"));
    assertEquals(null, check(ready.json(), "cluster"), "a node alone has no cluster check");
  }

  @Test
  @DisplayName("/metrics has the asp_ meters and Vert.x HTTP metrics by route, moving with traffic")
  void metricsMove() throws InterruptedException {
    AspAdminClient admin = AspAdminClient.create(clients, url, OperatorHarness.ADMIN_TOKEN);
    AspClient alice =
        AspClient.create(
            clients, url, admin.createAgent("@alice.metrics", "open", List.of()).await().token());
    AspClient bob =
        AspClient.create(
            clients, url, admin.createAgent("@bob.metrics", "open", List.of()).await().token());
    EventRecorder bobSees = new EventRecorder();
    AspEventStream stream = bob.connect(bobSees);
    stream.connected().await();

    String before = get(node.managementPort(), "/metrics").body();
    double committed = sample(before, "asp_events_committed_total");
    double delivered = sample(before, "asp_events_delivered_total");

    String id = alice.createSession(NewSession.inviting("@bob.metrics")).await().sessionId();
    bob.join(id).await();
    alice.send(id, "hello bob").await();
    bobSees.awaitType(id, EventType.MESSAGE, WAIT);
    // delivered counts frames the peer confirmed (its pong follows within a few tens of ms)
    long deadline = System.currentTimeMillis() + WAIT.toMillis();
    while (sample(get(node.managementPort(), "/metrics").body(), "asp_events_delivered_total")
            < delivered + 3
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }

    Reply scraped = get(node.managementPort(), "/metrics");
    assertEquals(200, scraped.status());
    String after = scraped.body();
    // invited, joined, message: three commits announced, all three delivered to bob's socket
    assertTrue(sample(after, "asp_events_committed_total") >= committed + 3, after);
    assertTrue(sample(after, "asp_events_delivered_total") >= delivered + 3, after);
    assertEquals(1.0, sample(after, "asp_agents_connected"));
    assertEquals(1.0, sample(after, "asp_websockets_open"));
    assertTrue(sample(after, "asp_delivery_lag_seconds_count{path=\"live\"") >= 3);
    sample(after, "asp_grace_expiries_total");

    // Vert.x metrics: HTTP requests labelled by the route template, event bus, pools, JVM
    Matcher sends =
        Pattern.compile(
                "vertx_http_server_requests_total\\{[^}]*route=\"/sessions/:id/messages\"[^}]*\\}"
                    + " (\\S+)")
            .matcher(after);
    assertTrue(sends.find(), after);
    assertTrue(Double.parseDouble(sends.group(1)) >= 1);
    assertTrue(after.contains("vertx_eventbus_"), "event-bus metrics");
    assertTrue(after.contains("address=\"asp.session\""), "event bus by address");
    assertTrue(after.contains("vertx_pool_"), "pool metrics");
    assertTrue(after.contains("jvm_memory_used_bytes"), "JVM metrics");
    // bounded labels: no session id, handle or reply address ever becomes one
    assertFalse(after.contains(id), "a session id is a label");
    assertFalse(after.contains("@alice.metrics"), "a handle is a label");
    assertFalse(after.contains("__vertx.reply"), "a reply address is a label");

    // bob goes away, misses a message, and comes back: the log is read for him (a replay)
    stream.close().await();
    awaitSample("asp_websockets_open", 0.0);
    assertEquals(
        0.0, sample(get(node.managementPort(), "/metrics").body(), "asp_agents_connected"));
    double replays = sample(after, "asp_replay_events_count");
    alice.send(id, "while you were away").await();
    EventRecorder bobAgain = new EventRecorder();
    AspEventStream again = bob.connect(bobAgain);
    again.connected().await();
    bobAgain.await(e -> "while you were away".equals(e.payload().getString("content")), WAIT);
    String replayed = get(node.managementPort(), "/metrics").body();
    assertTrue(sample(replayed, "asp_replay_events_count") > replays, replayed);
    assertTrue(sample(replayed, "asp_replay_events_sum") >= 1, replayed);
    assertTrue(sample(replayed, "asp_delivery_lag_seconds_count{path=\"replay\"") >= 1);

    again.close().await();
    alice.close();
    bob.close();
    admin.close();
  }

  @Test
  @DisplayName(
      "with ASP_METRICS_VERTX_DETAIL=false /metrics keeps the asp_, pool and JVM meters and has no"
          + " HTTP-by-route or event-bus meters")
  void vertxDetailOff() throws InterruptedException {
    Operator.Running other =
        Operator.launch(config(Map.of("ASP_METRICS_VERTX_DETAIL", "false")), TestDatabase.fresh())
            .await();
    String otherUrl = "http://127.0.0.1:" + other.port();
    AspAdminClient admin = AspAdminClient.create(clients, otherUrl, OperatorHarness.ADMIN_TOKEN);
    try {
      AspClient alice =
          AspClient.create(
              clients,
              otherUrl,
              admin.createAgent("@alice.quiet", "open", List.of()).await().token());
      AspClient bob =
          AspClient.create(
              clients,
              otherUrl,
              admin.createAgent("@bob.quiet", "open", List.of()).await().token());
      EventRecorder bobSees = new EventRecorder();
      AspEventStream stream = bob.connect(bobSees);
      stream.connected().await();
      String id = alice.createSession(NewSession.inviting("@bob.quiet")).await().sessionId();
      bob.join(id).await();
      alice.send(id, "hello bob").await();
      bobSees.awaitType(id, EventType.MESSAGE, WAIT);

      String metrics = get(other.managementPort(), "/metrics").body();
      // the traffic went through the HTTP server and the event bus, and the asp_ meters saw it
      assertTrue(sample(metrics, "asp_events_committed_total") >= 3, metrics);
      assertEquals(1.0, sample(metrics, "asp_websockets_open"));
      assertTrue(metrics.contains("vertx_pool_"), "pool metrics stay");
      assertTrue(metrics.contains("jvm_memory_used_bytes"), "JVM metrics stay");
      assertFalse(metrics.contains("vertx_http_server_"), "HTTP server meters are off");
      assertFalse(metrics.contains("vertx_eventbus_"), "event-bus meters are off");
      assertFalse(metrics.contains("route=\""), "no meter is labelled by route");
      assertFalse(metrics.contains("address=\"asp."), "no meter is labelled by bus address");
      stream.close().await();
      alice.close();
      bob.close();
    } finally {
      admin.close();
      other.close().await();
    }
  }

  @Test
  @DisplayName("a draining node is live but not ready")
  void draining() {
    Operator.Running other = Operator.launch(config(Map.of()), TestDatabase.fresh()).await();
    try {
      assertEquals(200, get(other.managementPort(), "/health/ready").status());
      other.markDraining();
      Reply ready = get(other.managementPort(), "/health/ready");
      assertEquals(503, ready.status());
      assertEquals("DOWN", ready.json().getString("status"));
      JsonObject lifecycle = check(ready.json(), "lifecycle");
      assertEquals("draining", lifecycle.getString("state"));
      assertEquals("DOWN", lifecycle.getString("status"));
      assertEquals("UP", check(ready.json(), "database").getString("status"));
      assertEquals(200, get(other.managementPort(), "/health/live").status());
    } finally {
      other.close().await();
    }
  }

  @Test
  @DisplayName("GET /version and asp_build_info{version,commit} say which build runs")
  void buildInfo() {
    BuildInfo build = BuildInfo.current();
    Reply version = get(node.port(), "/version"); // no credentials
    assertEquals(200, version.status(), version.body());
    assertEquals(
        new JsonObject().put("version", build.version()).put("commit", build.commit()),
        version.json());
    String metrics = get(node.managementPort(), "/metrics").body();
    assertEquals(
        1.0,
        sample(
            metrics,
            "asp_build_info{commit=\""
                + build.commit()
                + "\",version=\""
                + build.version()
                + "\"}"));
  }
}
