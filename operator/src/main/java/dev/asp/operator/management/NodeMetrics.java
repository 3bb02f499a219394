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
   */
  public static VertxBuilder enable(
      VertxBuilder builder,
      VertxOptions options,
      PrometheusMeterRegistry registry,
      String registryName) {
    options.setMetricsOptions(
        new MicrometerMetricsOptions()
            .setEnabled(true)
            .setRegistryName(registryName)
            .setJvmMetricsEnabled(true)
            .setLabels(LABELS)
            // every SQL pool has a NetClient and their unlabelled gauges would collide; the pools'
            // own metrics (vertx_pool_*) say what matters about those connections
            .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT));
    return builder.with(options).withMetrics(new MicrometerMetricsFactory(registry));
  }
}
