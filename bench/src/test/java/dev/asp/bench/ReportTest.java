package dev.asp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
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

  private static Report fanoutReport(String workload) {
    Histogram h = new Histogram(3);
    h.recordValue(1500);
    return new Report(
        workload,
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
  }

  private static final RunInfo RUN =
      new RunInfo(
          Instant.parse("2026-12-03T06:30:00Z"),
          RunInfo.commandLine(List.of("fanout", "-P", "5", "--url", "http://127.0.0.1:1")),
          "0.1.0-SNAPSHOT (commit 0123456789abcdef0123456789abcdef01234567)");

  @Test
  @DisplayName("The HTML report inlines Chart.js and the data, so it needs no network")
  void html() throws Exception {
    String page = HtmlReport.render(fanoutReport("fanout"), RUN);
    assertTrue(page.length() > 100_000, "Chart.js is inlined");
    assertTrue(page.contains("new Chart(document.getElementById('latency')"));
    assertTrue(page.contains("\"per_second\""));
    assertTrue(!page.contains("<script src="), "no external script");
  }

  @Test
  @DisplayName(
      "The HTML report's charts are not animated and carry the date, command line and operator"
          + " version")
  void htmlCarriesTheRun() throws Exception {
    String page = HtmlReport.render(fanoutReport("fanout"), RUN);
    String charts = page.substring(page.indexOf("const r = "));
    assertEquals(2, charts.split("new Chart\\(", -1).length - 1, "two charts");
    assertEquals(2, charts.split("animation: false", -1).length - 1, "neither animated");
    assertEquals(2, charts.split("subtitle: about", -1).length - 1, "both carry the run");
    JsonObject run =
        new JsonObject(charts.substring(10, charts.indexOf(";\n"))).getJsonObject("run");
    assertEquals("2026-12-03T06:30:00Z", run.getString("started_at"));
    assertEquals("asp-bench fanout -P 5 --url http://127.0.0.1:1", run.getString("command_line"));
    assertEquals(RUN.operatorVersion(), run.getString("operator_version"));
    for (String shown : List.of("2026-12-03T06:30:00Z", RUN.commandLine(), RUN.operatorVersion())) {
      assertTrue(page.contains("<td>" + shown + "</td>"), shown + " not in the table");
    }
  }

  @Test
  @DisplayName("fanout draws accepted/s and delivered/s on axes of their own; pairs on one")
  void fanoutAxes() throws Exception {
    assertTrue(HtmlReport.render(fanoutReport("fanout"), RUN).contains("const ownAxes = true;"));
    assertTrue(
        HtmlReport.render(fanoutReport("a2a-fanout"), RUN).contains("const ownAxes = true;"));
    assertTrue(HtmlReport.render(fanoutReport("pairs"), RUN).contains("const ownAxes = false;"));
  }

  @Test
  @DisplayName("The command line in a report hides the value of any token option")
  void commandLineHidesTokens() {
    assertEquals(
        "asp-bench provision --admin-token *** --url=x --admin-token=***",
        RunInfo.commandLine(
            List.of("provision", "--admin-token", "s3cret", "--url=x", "--admin-token=s3cret")));
  }

  @Test
  @DisplayName("An operator that does not answer GET /version is reported as unknown")
  void versionUnknown() {
    assertEquals(RunInfo.UNKNOWN, RunInfo.operatorVersion("http://127.0.0.1:1"));
  }
}
