package dev.asp.operator.management;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.EnumSet;

/**
 * The node's meter registry and the Vert.x metrics that feed it: HTTP server requests by route (the
 * route template, e.g. {@code /sessions/:id/messages}, never the path with its ids), event-bus
 * traffic by address (the operator's few fixed addresses; Vert.x leaves out reply addresses), pool
 * usage, SQL requests by pool ({@code namespace}), and the JVM. Labels are a closed set so series
 * never grow with agents or sessions. The operator's own {@code asp_*} meters are registered on the
 * same registry by the verticles.
 *
 * <p>The HTTP server and event-bus meters are updated on every request and every bus message (a
 * sent {@code pairs} message is one request and several bus messages), which a profile put at 5–7 %
 * of the operator's CPU. {@code ASP_METRICS_VERTX_DETAIL=false} turns those two domains off; what
 * stays costs nothing per message ({@code asp_*}, JVM: read at scrape) or is what an operator needs
 * to see saturation (the pools).
 */
public final class NodeMetrics {
  private static final EnumSet<Label> LABELS =
      EnumSet.of(
          Label.HTTP_METHOD,
          Label.HTTP_CODE,
          Label.HTTP_ROUTE,
          Label.EB_ADDRESS,
          Label.EB_SIDE,
          Label.EB_FAILURE,
          Label.POOL_TYPE,
          Label.POOL_NAME,
          Label.NAMESPACE);

  private NodeMetrics() {}

  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /**
   * Enables Vert.x metrics on {@code builder} into {@code registry}. Each node gets its own
   * registry name, so several nodes in one JVM (the tests) never share or swap registries.
   *
   * @param detail whether the per-request and per-message domains (HTTP server by route, event bus
   *     by address) are recorded
   */
  public static VertxBuilder enable(
      VertxBuilder builder,
      VertxOptions options,
      PrometheusMeterRegistry registry,
      String registryName,
      boolean detail) {
    MicrometerMetricsOptions metrics =
        new MicrometerMetricsOptions()
            .setEnabled(true)
            .setRegistryName(registryName)
            .setJvmMetricsEnabled(true)
            .setLabels(LABELS)
            // every SQL pool has a NetClient and their unlabelled gauges would collide; the pools'
            // own metrics (vertx_pool_*) say what matters about those connections
            .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT);
    if (!detail) {
      metrics
          .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)
          .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS);
    }
    options.setMetricsOptions(metrics);
    return builder.with(options).withMetrics(new MicrometerMetricsFactory(registry));
  }
}
