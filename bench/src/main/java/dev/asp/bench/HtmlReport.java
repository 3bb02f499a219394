package dev.asp.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A self-contained HTML page of a {@link Report}: the figures, a latency percentile plot and
 * throughput over time, drawn by Chart.js, which is inlined from the webjar on the classpath so the
 * page works offline and needs nothing but a browser.
 *
 * <p>The charts are drawn without animation (a screenshot or a print shows the final figures, not a
 * frame of the transition) and each carries the run's date, command line and operator version in
 * its subtitle, so a chart copied out of the page still says where it came from. When one message
 * is delivered to many readers ({@code fanout}, {@code a2a-fanout}) accepted/s and delivered/s are
 * orders of magnitude apart, so each gets its own y axis.
 */
public final class HtmlReport {
  static final String CHART_JS = "META-INF/resources/webjars/chart.js/4.4.1/dist/chart.umd.js";

  private HtmlReport() {}

  public static void write(Report report, RunInfo run, Path file) throws IOException {
    Files.writeString(file, render(report, run));
  }

  static String render(Report report, RunInfo run) throws IOException {
    JsonObject json = report.toJson().put("run", run.toJson());
    StringBuilder table = new StringBuilder();
    row(table, "date", run.startedAt().toString());
    row(table, "command line", run.commandLine());
    row(table, "operator version", run.operatorVersion());
    row(table, "workload", report.workload() + " against " + report.url());
    row(table, "parameters", report.parameters().encode());
    row(
        table,
        "accepted/s",
        fmt("%.0f (%d accepted)", report.acceptedPerSecond(), report.accepted()));
    row(
        table,
        "delivered/s",
        fmt(
            "%.0f (%d of %d)",
            report.deliveredPerSecond(), report.delivered(), report.expectedDeliveries()));
    row(table, "end-to-end ms", latency(report.endToEnd()));
    row(table, "ack ms", latency(report.ack()));
    if (!report.figures().isEmpty()) {
      row(table, "figures", report.figures().encode());
    }
    row(table, "errors", report.errors().isEmpty() ? "none" : report.errors().toString());
    if (report.server() != null) {
      row(
          table,
          "server",
          fmt(
              "%.2f CPU s, peak RSS %d MiB, %.0f accepted per CPU s",
              report.server().cpuSeconds(),
              report.server().peakRssKib() / 1024,
              report.acceptedPerServerCpuSecond()));
    }
    row(
        table,
        "verdict",
        report.verdict().clean()
            ? "OK"
            : "FAILED: "
                + report.verdict().violationCount()
                + ", first "
                + report.verdict().first());
    return """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>asp-bench %s %s</title>
        <style>body{font-family:sans-serif;max-width:60em;margin:2em auto}
        td{padding:.2em 1em;vertical-align:top}td:first-child{font-weight:bold}</style>
        <script>%s</script></head><body>
        <h1>asp-bench %s</h1><table>%s</table>
        <h2>Latency by percentile (ms)</h2><canvas id="latency"></canvas>
        <h2>Throughput per second</h2><canvas id="throughput"></canvas>
        <script>
        const r = %s;
        const c = r.latency_curves;
        const about = {display: true, text: [r.run.started_at + '  operator ' + r.run.operator_version,
                                             r.run.command_line]};
        const ownAxes = %s;
        new Chart(document.getElementById('latency'), {type: 'line', data: {
          labels: c.percentiles.map(p => 'p' + p),
          datasets: [{label: 'end-to-end', data: c.end_to_end}, {label: 'ack', data: c.ack}]},
          options: {animation: false, plugins: {subtitle: about},
                    scales: {y: {type: 'logarithmic', title: {display: true, text: 'ms'}}}}});
        new Chart(document.getElementById('throughput'), {type: 'line', data: {
          labels: r.per_second.accepted.map((v, i) => i + 's'),
          datasets: [{label: 'accepted/s', data: r.per_second.accepted, yAxisID: 'y'},
                     {label: 'delivered/s', data: r.per_second.delivered,
                      yAxisID: ownAxes ? 'delivered' : 'y'}]},
          options: {animation: false, plugins: {subtitle: about}, scales: ownAxes
            ? {y: {position: 'left', title: {display: true, text: 'accepted/s'}},
               delivered: {position: 'right', grid: {drawOnChartArea: false},
                           title: {display: true, text: 'delivered/s'}}}
            : {y: {title: {display: true, text: 'per second'}}}}});
        </script></body></html>
        """
        .formatted(
            escape(report.workload()),
            escape(run.startedAt().toString()),
            chartJs(),
            escape(report.workload()),
            table,
            json.encode().replace("</", "<\\/"),
            ownAxes(report));
  }

  /** Whether accepted/s and delivered/s get an axis each: one message, many deliveries. */
  static boolean ownAxes(Report report) {
    return report.workload().endsWith("fanout");
  }

  private static String chartJs() throws IOException {
    try (InputStream in = HtmlReport.class.getClassLoader().getResourceAsStream(CHART_JS)) {
      if (in == null) {
        throw new IOException(CHART_JS + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("</script", "<\\/script");
    }
  }

  private static String latency(LatencySummary s) {
    return fmt(
        "p50 %.2f, p90 %.2f, p99 %.2f, p99.9 %.2f, max %.2f (%d)",
        s.p50(), s.p90(), s.p99(), s.p999(), s.max(), s.count());
  }

  private static void row(StringBuilder table, String label, String value) {
    table
        .append("<tr><td>")
        .append(escape(label))
        .append("</td><td>")
        .append(escape(value))
        .append("</td></tr>");
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
