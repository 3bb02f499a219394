package dev.asp.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * The result of one run, printed as a terminal table and written as JSON. Rates are per second of
 * the measured phase: accepted over the send phase, delivered from its start to the last delivery.
 *
 * @param server CPU seconds, peak RSS and throughput per CPU-second, or null without --server-pid
 * @param perSecond accepted ([0]) and delivered ([1]) counts for each second of the run
 * @param figures what only this workload measures (e.g. storm's catch-up time), may be empty
 * @param curves latency in ms at {@link LatencySummary#CURVE}: {@code {end_to_end:[…], ack:[…]}}
 */
public record Report(
    String workload,
    String url,
    JsonObject parameters,
    double sendSeconds,
    double deliverySeconds,
    long attempted,
    long accepted,
    long delivered,
    long expectedDeliveries,
    LatencySummary endToEnd,
    LatencySummary ack,
    Map<String, Long> errors,
    Server server,
    Checker.Verdict verdict,
    long[][] perSecond,
    JsonObject curves,
    JsonObject figures) {

  /** Server-side cost, from {@link ServerProbe} readings before and after the run. */
  public record Server(String pids, double cpuSeconds, long peakRssKib) {}

  public double acceptedPerSecond() {
    return sendSeconds <= 0 ? 0 : accepted / sendSeconds;
  }

  public double deliveredPerSecond() {
    return deliverySeconds <= 0 ? 0 : delivered / deliverySeconds;
  }

  /** Accepted messages per server CPU-second, or 0 without a server reading. */
  public double acceptedPerServerCpuSecond() {
    return server == null || server.cpuSeconds() <= 0 ? 0 : accepted / server.cpuSeconds();
  }

  public double deliveredPerServerCpuSecond() {
    return server == null || server.cpuSeconds() <= 0 ? 0 : delivered / server.cpuSeconds();
  }

  public void print(PrintStream out) {
    out.printf(Locale.ROOT, "asp-bench %s against %s%n", workload, url);
    out.printf(Locale.ROOT, "  parameters   %s%n", parameters.encode());
    row(out, "messages", "%d attempted, %d accepted", attempted, accepted);
    row(out, "accepted/s", "%.0f  (over %.2f s of sending)", acceptedPerSecond(), sendSeconds);
    row(
        out,
        "delivered/s",
        "%.0f  (%d of %d expected deliveries in %.2f s)",
        deliveredPerSecond(),
        delivered,
        expectedDeliveries,
        deliverySeconds);
    out.printf(
        Locale.ROOT,
        "  %-12s %9s %9s %9s %9s %9s %9s%n",
        "latency ms",
        "p50",
        "p90",
        "p99",
        "p99.9",
        "max",
        "count");
    latency(out, "end-to-end", endToEnd);
    latency(out, "ack", ack);
    if (!figures.isEmpty()) {
      row(out, "figures", "%s", figures.encode());
    }
    row(out, "errors", "%s", errors.isEmpty() ? "none" : errors.toString());
    if (server != null) {
      row(
          out,
          "server",
          "pid %s: %.2f CPU s, peak RSS %d MiB, %.0f accepted and %.0f delivered per CPU s",
          server.pids(),
          server.cpuSeconds(),
          server.peakRssKib() / 1024,
          acceptedPerServerCpuSecond(),
          deliveredPerServerCpuSecond());
    }
    row(
        out,
        "verdict",
        "%s",
        verdict.clean()
            ? "OK: "
                + verdict.checkedHistories()
                + " (agent, session) streams, nothing lost,"
                + " duplicated or reordered"
            : "FAILED: " + verdict.violationCount() + " violation(s), first: " + verdict.first());
  }

  private static void row(PrintStream out, String label, String format, Object... args) {
    out.printf(Locale.ROOT, "  %-12s " + format + "%n", concat(label, args));
  }

  private static Object[] concat(String label, Object[] args) {
    Object[] all = new Object[args.length + 1];
    all[0] = label;
    System.arraycopy(args, 0, all, 1, args.length);
    return all;
  }

  private static void latency(PrintStream out, String label, LatencySummary s) {
    out.printf(
        Locale.ROOT,
        "  %-12s %9.2f %9.2f %9.2f %9.2f %9.2f %9d%n",
        label,
        s.p50(),
        s.p90(),
        s.p99(),
        s.p999(),
        s.max(),
        s.count());
  }

  public JsonObject toJson() {
    JsonObject json =
        new JsonObject()
            .put("workload", workload)
            .put("url", url)
            .put("parameters", parameters)
            .put("send_seconds", sendSeconds)
            .put("delivery_seconds", deliverySeconds)
            .put("attempted", attempted)
            .put("accepted", accepted)
            .put("delivered", delivered)
            .put("expected_deliveries", expectedDeliveries)
            .put("accepted_per_second", acceptedPerSecond())
            .put("delivered_per_second", deliveredPerSecond())
            .put("end_to_end_latency", endToEnd.toJson())
            .put("ack_latency", ack.toJson())
            .put("errors", new JsonObject(Map.copyOf(errors)));
    if (server != null) {
      json.put(
          "server",
          new JsonObject()
              .put("pids", server.pids())
              .put("cpu_seconds", server.cpuSeconds())
              .put("peak_rss_kib", server.peakRssKib())
              .put("accepted_per_cpu_second", acceptedPerServerCpuSecond())
              .put("delivered_per_cpu_second", deliveredPerServerCpuSecond()));
    }
    JsonArray violations = new JsonArray();
    verdict.violations().forEach(v -> violations.add(v.toString()));
    json.put(
        "verdict",
        new JsonObject()
            .put("clean", verdict.clean())
            .put("checked_streams", verdict.checkedHistories())
            .put("violation_count", verdict.violationCount())
            .put("violations", violations));
    json.put(
        "per_second",
        new JsonObject()
            .put("accepted", new JsonArray(java.util.Arrays.stream(perSecond[0]).boxed().toList()))
            .put(
                "delivered",
                new JsonArray(java.util.Arrays.stream(perSecond[1]).boxed().toList())));
    json.put("figures", figures);
    json.put("latency_curves", curves.copy().put("percentiles", percentiles()));
    return json;
  }

  static JsonArray percentiles() {
    JsonArray p = new JsonArray();
    for (double value : LatencySummary.CURVE) {
      p.add(value);
    }
    return p;
  }
}
