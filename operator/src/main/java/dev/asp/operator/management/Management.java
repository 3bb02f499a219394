package dev.asp.operator.management;

import dev.asp.operator.cluster.ClusterMembership;
import dev.asp.protocol.BuildInfo;
import dev.asp.storage.DatabaseSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * A node's management side: its registry, its health state and the management server serving them.
 * Deployed first, so probes answer (live, not ready) while the roles start, and undeployed last, so
 * liveness keeps answering while the node drains.
 */
public final class Management {
  private final PrometheusMeterRegistry registry;
  private final NodeHealth health = new NodeHealth();
  private String deploymentId;
  private int port = -1;

  public Management(PrometheusMeterRegistry registry) {
    this.registry = registry;
    BuildInfo build = BuildInfo.current();
    // the usual build_info shape: constant 1, the facts in labels (one series per build)
    Gauge.builder("asp.build.info", () -> 1)
        .description("Version and commit of the operator build; always 1")
        .tags("version", build.version(), "commit", build.commit())
        .register(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public NodeHealth health() {
    return health;
  }

  /** The management port, resolved when 0 was configured. */
  public int port() {
    return port;
  }

  public String deploymentId() {
    return deploymentId;
  }

  /**
   * Starts the server.
   *
   * @param db the database readiness checks, or null when the node has no role that needs one
   * @param membership the cluster readiness checks, or null when the node runs alone
   */
  public Future<Void> deploy(
      Vertx vertx,
      String host,
      int configuredPort,
      long timeoutMs,
      DatabaseSettings db,
      ClusterMembership membership) {
    ManagementVerticle verticle =
        new ManagementVerticle(host, configuredPort, timeoutMs, db, membership, registry, health);
    return vertx
        .deployVerticle(verticle)
        .map(
            id -> {
              deploymentId = id;
              port = verticle.actualPort();
              return null;
            });
  }
}
