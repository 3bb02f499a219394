package dev.asp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ReportTest {

  @Test
  @DisplayName("Percentiles of 1..1000 ms are read from the histogram in milliseconds")
  void percentiles() {
    Histogram micros = new Histogram(3_600_000_000L, 3);
    for (int ms = 1; ms <= 1000; ms++) {
      micros.recordValue(ms * 1000L);
    }
    LatencySummary s = LatencySummary.of(micros);
    assertEquals(1000, s.count());
    assertEquals(500, s.p50(), 1);
    assertEquals(900, s.p90(), 1);
    assertEquals(990, s.p99(), 1);
    assertEquals(999, s.p999(), 1);
    assertEquals(1000, s.max(), 1);
    assertEquals(500.5, s.mean(), 1);
  }

  @Test
  @DisplayName("An empty histogram reports zeros rather than failing")
  void empty() {
    assertEquals(0, LatencySummary.of(new Histogram(3)).count());
  }

  @Test
  @DisplayName("Metrics turn send and receipt times into rates, latencies and errors by kind")
  void metrics() {
    Metrics m = new Metrics();
    long t0 = m.startNanos();
    m.accepted(t0, t0 + 2_000_000);
    m.delivered(t0, t0 + 5_000_000);
    m.delivered(null, t0 + 1_500_000_000L);
    m.error(new dev.asp.client.AspClientException(503, "unavailable", "down"));
    m.error(new dev.asp.client.AspClientException(503, "unavailable", "down"));
    assertEquals(1, m.accepted());
    assertEquals(2, m.delivered());
    assertEquals(1, m.endToEnd().getTotalCount(), "the sender's own copy has no latency");
    assertEquals(5, LatencySummary.of(m.endToEnd()).p50(), 0.01);
    assertEquals(Map.of("503 unavailable", 2L), m.errors());
    long[][] perSecond = m.perSecond(2);
    assertEquals(1, perSecond[1][0]);
    assertEquals(1, perSecond[1][1]);
  }

  @Test
  @DisplayName("The report prints a table and a JSON document with rates and the verdict")
  void report() {
    Histogram h = new Histogram(3);
    h.recordValue(2000);
    Checker.Verdict clean = new Checker.Verdict(4, 0, List.of());
    Report r =
        new Report(
            "pairs",
            "http://127.0.0.1:1",
            new JsonObject().put("sessions", 2),
            2.0,
            4.0,
            100,
            100,
            200,
            200,
            LatencySummary.of(h),
            LatencySummary.of(h),
            Map.of(),
            new Report.Server("[42]", 0.5, 2048),
            clean,
            new long[][] {{50, 50}, {100, 100}},
            new JsonObject()
                .put("end_to_end", LatencySummary.curve(h))
                .put("ack", LatencySummary.curve(h)),
            new JsonObject());
    assertEquals(50, r.acceptedPerSecond());
    assertEquals(50, r.deliveredPerSecond());
    assertEquals(200, r.acceptedPerServerCpuSecond());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    r.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String table = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(table.contains("accepted/s   50"), table);
    assertTrue(table.contains("verdict      OK"), table);
    JsonObject json = r.toJson();
    assertEquals(2.0, json.getJsonObject("end_to_end_latency").getDouble("p99_ms"), 0.01);
    assertTrue(json.getJsonObject("verdict").getBoolean("clean"));
    assertEquals(200.0, json.getJsonObject("server").getDouble("accepted_per_cpu_second"));
    assertEquals(
        LatencySummary.CURVE.length,
        json.getJsonObject("latency_curves").getJsonArray("end_to_end").size());
  }

  @Test
  @DisplayName("The HTML report inlines Chart.js and the data, so it needs no network")
  void html() throws Exception {
    Histogram h = new Histogram(3);
    h.recordValue(1500);
    Report r =
        new Report(
            "fanout",
            "http://127.0.0.1:1",
            new JsonObject(),
            1,
            1,
            1,
            1,
            2,
            2,
            LatencySummary.of(h),
            LatencySummary.of(h),
            Map.of(),
            null,
            new Checker.Verdict(2, 0, List.of()),
            new long[][] {{1}, {2}},
            new JsonObject()
                .put("end_to_end", LatencySummary.curve(h))
                .put("ack", LatencySummary.curve(h)),
            new JsonObject());
    String page = HtmlReport.render(r);
    assertTrue(page.length() > 100_000, "Chart.js is inlined");
    assertTrue(page.contains("new Chart(document.getElementById('latency')"));
    assertTrue(page.contains("\"per_second\""));
    assertTrue(!page.contains("<script src="), "no external script");
  }
}
