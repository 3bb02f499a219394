package dev.asp.operator;

import dev.asp.operator.cluster.ClusterSettings;
import dev.asp.operator.logging.LogFormat;
import dev.asp.protocol.MessageLimits;
import java.nio.file.Path;
import java.util.Set;

/**
 * The operator's typed configuration, read from {@code ASP_*} environment variables and an optional
 * properties file by {@link ConfigLoader}. Secrets (the admin token, the database password inside
 * the URL) are never printed: {@link #toString()} masks them.
 *
 * @param databaseUrl {@code postgresql://...}, or null to run an embedded PostgreSQL in {@code
 *     dataDir}
 * @param adminToken the operator admin credential, or null to disable the admin role
 * @param seedFile a seed file to load at start-up, or null
 * @param roles what this node runs
 * @param cluster how this node joins a cluster (or that it runs alone)
 * @param migrateOnStart apply schema migrations at start-up (false: a separate {@code migrate} step
 *     does it, and a node refuses a schema that is not up to date)
 * @param shutdownTimeoutMs how long a stopping node may take to hand its connections over
 * @param managementHost interface of the management server (health and metrics)
 * @param managementPort its port (0 = any free port)
 * @param healthTimeoutMs longest a readiness check may take before it counts as failed
 * @param logFormat how log lines are written
 * @param reorderHoldMs how long a live event ahead of its turn waits before the log is read
 * @param deliveryRequests requests delivery keeps in flight to the session service; more wait
 * @param databaseWaitQueue requests that may wait for a connection of one pool; more are shed
 * @param adminPageLimit the largest page of {@code GET /admin/agents}
 * @param a2a the A2A hub surface's settings
 * @param httpIdleTimeoutMs a keep-alive HTTP connection with no request in flight is closed after
 *     this long (WebSockets have their own idle handling)
 * @param httpHeaderTimeoutMs a connection that has not sent complete request headers this long
 *     after it opened is closed
 * @param httpMaxConnections open HTTP connections (WebSockets included) this node keeps; more are
 *     closed at once
 * @param authFailureLimit failed authentications a client address may have per window; more are 429
 * @param authFailureWindowMs that window: a throttled address gets its whole budget back after it
 * @param vertxMetricsDetail Vert.x's own HTTP server and event-bus meters (per route, per address)
 *     are recorded; false leaves {@code /metrics} with the {@code asp_*}, pool and JVM meters, and
 *     saves their cost on every request and bus message
 */
public record OperatorConfig(
    Set<Role> roles,
    ClusterSettings cluster,
    boolean migrateOnStart,
    long shutdownTimeoutMs,
    String httpHost,
    int httpPort,
    String databaseUrl,
    int databasePoolSize,
    Path dataDir,
    int embeddedDatabasePort,
    String adminToken,
    Path seedFile,
    int maxBodyBytes,
    MessageLimits limits,
    int maxInvitees,
    int maxTopicLength,
    long busTimeoutMs,
    int gatewayInstances,
    int sessionInstances,
    long graceMs,
    long graceSweepMs,
    long wsPingIntervalMs,
    long wsIdleTimeoutMs,
    int wsWriteQueueBytes,
    long wsSlowConsumerMs,
    int wsClosingTimeoutSeconds,
    int authCacheSize,
    long authCacheTtlMs,
    long authCacheConnectTtlMs,
    long cursorFlushMs,
    int replayBatch,
    String managementHost,
    int managementPort,
    long healthTimeoutMs,
    LogFormat logFormat,
    long reorderHoldMs,
    int deliveryRequests,
    int databaseWaitQueue,
    int adminPageLimit,
    A2aConfig a2a,
    long httpIdleTimeoutMs,
    long httpHeaderTimeoutMs,
    int httpMaxConnections,
    int authFailureLimit,
    long authFailureWindowMs,
    boolean vertxMetricsDetail) {

  public boolean embeddedDatabase() {
    return databaseUrl == null;
  }

  public boolean runs(Role role) {
    return roles.contains(role);
  }

  @Override
  public String toString() {
    return "OperatorConfig[roles="
        + roles
        + ", cluster="
        + cluster.mode()
        + (cluster.clustered() ? " '" + cluster.name() + "'" : "")
        + ", http="
        + httpHost
        + ":"
        + httpPort
        + ", database="
        + (databaseUrl == null ? "embedded in " + dataDir : "external")
        + ", adminToken="
        + (adminToken == null ? "unset" : "***")
        + ", seedFile="
        + seedFile
        + ", limits="
        + limits
        + ", maxBodyBytes="
        + maxBodyBytes
        + ", graceMs="
        + graceMs
        + ", management="
        + managementHost
        + ":"
        + managementPort
        + ", logFormat="
        + logFormat
        + ", vertxMetricsDetail="
        + vertxMetricsDetail
        + "]";
  }
}
