package dev.asp.bench;

import dev.asp.bench.impl.Clock;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * What every workload shares: the target, the bounds, the reports, and the run itself (connect, set
 * up, send, wait for deliveries, judge). Exit code 0 when the checker finds nothing, 1 on a
 * delivery violation, 2 when the run could not be set up.
 */
abstract class Workload implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(Workload.class);

  @ParentCommand Main main;

  @Option(
      names = "--url",
      defaultValue = "http://127.0.0.1:8080",
      description =
          "Base URL of the ASP operator (default: ${DEFAULT-VALUE}); several nodes of one"
              + " cluster separated by commas spread the agents over them.")
  String url;

  @Option(
      names = "--agents",
      description =
          "JSON file: {handle: token} or the seed shape {handle: {token, ...}} (every ASP"
              + " workload needs it; a2a-fanout registers its own nodes).")
  Path agentsFile;

  @Option(
      names = "--max-seconds",
      defaultValue = "60",
      description = "Upper bound on the sending phase (default: ${DEFAULT-VALUE}).")
  int maxSeconds;

  @Option(
      names = "--drain-seconds",
      defaultValue = "15",
      description =
          "How long to wait for outstanding deliveries after sending (default: ${DEFAULT-VALUE}).")
  int drainSeconds;

  @Option(
      names = "--server-pid",
      split = ",",
      description =
          "PID(s) of the server on this machine (operator, and PostgreSQL's postmaster):"
              + " report their CPU seconds (with descendants) and peak RSS.")
  List<Long> serverPids;

  @Option(names = "--json", description = "Also write the report as JSON to this file.")
  Path json;

  @Option(
      names = "--html",
      description = "Also write an HTML report with charts (works offline) to this file.")
  Path html;

  @Option(
      names = "--baseline",
      description =
          "JSON report of a reference run (e.g. the same workload against `ceiling`): report"
              + " this run's throughput as a percentage of it.")
  Path baseline;

  @Option(
      names = "--event-loops",
      defaultValue = "2",
      description = "Driver event-loop threads (default: ${DEFAULT-VALUE}).")
  int eventLoops;

  @Option(
      names = "--http-connections",
      defaultValue = "4",
      description = "HTTP connections per agent (default: ${DEFAULT-VALUE}).")
  int httpConnections;

  /** What the sending phase did. */
  record Sent(long participantsPerMessage, long startNanos, long endNanos) {}

  /** Sets up the sessions (streams connected first), then sends; returns when sending is over. */
  abstract Sent run(Driver driver, Agents agents);

  abstract String name();

  /** Figures only this workload measures, computed once deliveries are drained. */
  JsonObject figures(Driver driver, Sent sent) {
    return new JsonObject();
  }

  abstract JsonObject parameters();

  long deadline() {
    return Clock.epochNanos() + Duration.ofSeconds(maxSeconds).toNanos();
  }

  private ServerProbe.Sample measuredFrom;

  /**
   * Starts the measured phase, after set-up (and warm-up): rates, latencies and the server's CPU
   * seconds count from here.
   */
  void startMeasuring(Driver driver) {
    ServerProbe probe = probe();
    measuredFrom = probe == null ? null : probe.sample();
    driver.metrics().start();
  }

  /** A probe of the --server-pid processes, or null when none was given. */
  ServerProbe probe() {
    return serverPids == null ? null : new ServerProbe(serverPids);
  }

  @Override
  public Integer call() throws Exception {
    // set-up errors are exit 2 with one clear line; 1 is kept for delivery violations
    Agents agents;
    try {
      agents =
          agentsFile == null
              ? new Agents(new java.util.LinkedHashMap<>())
              : Agents.read(agentsFile);
    } catch (java.io.IOException | RuntimeException e) {
      LOG.error("{}: cannot read --agents {}: {}", name(), agentsFile, e.toString());
      return 2;
    }
    String unreachable = unreachable(url);
    if (unreachable != null) {
      LOG.error("{}: cannot reach --url {}: {}", name(), url, unreachable);
      return 2;
    }
    RunInfo run = RunInfo.starting(main.args(), url);
    ServerProbe probe = probe();
    Report report;
    try (Driver driver = new Driver(url, agents, eventLoops, httpConnections)) {
      Sent sent;
      try {
        sent = run(driver, agents);
      } catch (RuntimeException e) {
        LOG.error("{} could not run: {}", name(), e.getMessage());
        return 2;
      }
      Metrics metrics = driver.metrics();
      long expected = metrics.accepted() * sent.participantsPerMessage();
      if (!driver.awaitCondition(
          () -> metrics.delivered() >= expected, Duration.ofSeconds(drainSeconds))) {
        LOG.warn(
            "{} of {} deliveries after {} s of draining",
            metrics.delivered(),
            expected,
            drainSeconds);
      }
      ServerProbe.Sample after = probe == null ? null : probe.sample();
      report = report(driver, sent, expected, measuredFrom, after);
    }
    report.print(main.out());
    if (json != null) {
      Files.writeString(json, report.toJson().put("run", run.toJson()).encodePrettily());
    }
    if (html != null) {
      HtmlReport.write(report, run, html);
    }
    List<String> violations = violations();
    violations.forEach(v -> main.out().println("VIOLATION " + v));
    return report.verdict().clean() && violations.isEmpty() ? 0 : 1;
  }

  /**
   * Why the first node of {@code urls} takes no TCP connection within 5 s, or null when it does.
   */
  static String unreachable(String urls) {
    try {
      java.net.URI first = java.net.URI.create(Driver.nodeUrls(urls).get(0));
      int port =
          first.getPort() != -1 ? first.getPort() : "https".equals(first.getScheme()) ? 443 : 80;
      try (java.net.Socket socket = new java.net.Socket()) {
        socket.connect(new java.net.InetSocketAddress(first.getHost(), port), 5_000);
      }
      return null;
    } catch (java.io.IOException | IllegalArgumentException e) {
      return e.toString();
    }
  }

  /** Delivery violations a workload judges itself (beyond the checker's), empty when none. */
  List<String> violations() {
    return List.of();
  }

  /** Adds "x% of the baseline" figures when --baseline is given. */
  private JsonObject withBaseline(
      JsonObject figures, Metrics metrics, double sendSeconds, double deliverySeconds) {
    if (baseline == null) {
      return figures;
    }
    try {
      JsonObject reference = new JsonObject(Files.readString(baseline));
      double accepted = sendSeconds <= 0 ? 0 : metrics.accepted() / sendSeconds;
      double delivered = deliverySeconds <= 0 ? 0 : metrics.delivered() / deliverySeconds;
      return figures
          .put("baseline", reference.getString("url") + " " + baseline.getFileName())
          .put(
              "accepted_percent_of_baseline",
              Math.round(1000 * accepted / reference.getDouble("accepted_per_second")) / 10.0)
          .put(
              "delivered_percent_of_baseline",
              Math.round(1000 * delivered / reference.getDouble("delivered_per_second")) / 10.0);
    } catch (java.io.IOException | RuntimeException e) {
      LOG.warn("cannot compare with baseline {}: {}", baseline, e.getMessage());
      return figures;
    }
  }

  private Report report(
      Driver driver,
      Sent sent,
      long expected,
      ServerProbe.Sample before,
      ServerProbe.Sample after) {
    Metrics metrics = driver.metrics();
    double sendSeconds = (sent.endNanos() - sent.startNanos()) / 1e9;
    long lastDelivery = Math.max(metrics.lastDeliveryNanos(), sent.endNanos());
    double deliverySeconds = (lastDelivery - sent.startNanos()) / 1e9;
    Report.Server server =
        before == null
            ? null
            : new Report.Server(
                serverPids.toString(),
                after.cpuSeconds() - before.cpuSeconds(),
                after.peakRssKib());
    return new Report(
        name(),
        url,
        parameters(),
        sendSeconds,
        deliverySeconds,
        metrics.attempted(),
        metrics.accepted(),
        metrics.delivered(),
        expected,
        LatencySummary.of(metrics.endToEnd()),
        LatencySummary.of(metrics.ack()),
        metrics.errors(),
        server,
        driver.checker().verdict(),
        metrics.perSecond((int) Math.ceil(deliverySeconds) + 1),
        new JsonObject()
            .put("end_to_end", LatencySummary.curve(metrics.endToEnd()))
            .put("ack", LatencySummary.curve(metrics.ack())),
        withBaseline(figures(driver, sent), metrics, sendSeconds, deliverySeconds));
  }
}
