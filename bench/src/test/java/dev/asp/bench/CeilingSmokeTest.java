package dev.asp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.bench.impl.Relay;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ceiling relay speaks enough of the wire for pairs and fanout to run clean against it. */
class CeilingSmokeTest {
  @TempDir static Path dir;
  private static Vertx vertx;
  private static String url;
  private static Path agents;

  @BeforeAll
  static void startRelay() throws Exception {
    Map<String, String> tokens = new LinkedHashMap<>();
    for (int i = 0; i < 6; i++) {
      tokens.put("@bench.r" + i, "tok_r" + i);
    }
    agents = dir.resolve("agents.json");
    new Agents(tokens).write(agents);
    Map<String, String> byToken = new HashMap<>();
    tokens.forEach((h, t) -> byToken.put(t, h));
    vertx = Vertx.vertx();
    Relay relay = new Relay("127.0.0.1", 0, byToken);
    vertx.deployVerticle(relay).await();
    url = "http://127.0.0.1:" + relay.port();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  private static JsonObject run(String name, String... options) throws Exception {
    Path json = dir.resolve(name + ".json");
    String[] args = new String[options.length + 7];
    String[] head = {name, "--url", url, "--agents", agents.toString(), "--json", json.toString()};
    System.arraycopy(head, 0, args, 0, head.length);
    System.arraycopy(options, 0, args, head.length, options.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = Main.execute(new PrintStream(out, true, StandardCharsets.UTF_8), args);
    assertEquals(0, code, out.toString(StandardCharsets.UTF_8));
    JsonObject report = new JsonObject(Files.readString(json));
    assertTrue(report.getJsonObject("verdict").getBoolean("clean"), report.encodePrettily());
    return report;
  }

  @Test
  @DisplayName("pairs against the relay: every message delivered to both, in order")
  void pairs() throws Exception {
    JsonObject report = run("pairs", "-S", "3", "-M", "20", "-C", "3");
    assertEquals(60, report.getLong("accepted"));
    assertEquals(120, report.getLong("delivered"));
  }

  @Test
  @DisplayName("A run against a baseline report states its throughput as a percentage of it")
  void baseline() throws Exception {
    run("pairs", "-S", "2", "-M", "5");
    Path reference = dir.resolve("reference.json");
    Files.copy(dir.resolve("pairs.json"), reference);
    JsonObject report = run("pairs", "-S", "2", "-M", "5", "--baseline", reference.toString());
    assertTrue(
        report.getJsonObject("figures").getDouble("accepted_percent_of_baseline") > 0,
        report.encodePrettily());
  }

  @Test
  @DisplayName("fanout against the relay: late joiners get the transcript, then every message")
  void fanout() throws Exception {
    JsonObject report = run("fanout", "-P", "6", "-K", "2", "-M", "10");
    assertEquals(20, report.getLong("accepted"));
    assertEquals(120, report.getLong("delivered"));
  }
}
