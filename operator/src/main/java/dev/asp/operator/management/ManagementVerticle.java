package dev.asp.operator.management;

import dev.asp.operator.cluster.ClusterMembership;
import dev.asp.storage.DatabaseSettings;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's management HTTP server, on every node whatever its roles, apart from the public port:
 *
 * <ul>
 *   <li>{@code GET /health/live}: 200 while this server's event loop answers, unless the process
 *       lost what it cannot recover without a restart ({@link NodeHealth#lost(String)}): then 503;
 *   <li>{@code GET /health/ready}: 200 when the node runs (every role deployed, not draining), its
 *       database answers (nodes with the session or trust role) and, in a cluster, this node is a
 *       member whose event-bus address the cluster serves ({@link ClusterMembership#serving()});
 *       else 503. The body lists each check and its state;
 *   <li>{@code GET /metrics}: the node's meters in the Prometheus text format.
 * </ul>
 *
 * Every check is bounded by a timeout and runs at most once at a time ({@link Coalesced}): a hung
 * database or cluster makes the probe answer 503 in time, never hang. The database is asked through
 * a dedicated one-connection pool, so probes never take a connection the verticles need.
 */
public final class ManagementVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ManagementVerticle.class);
  private static final String JSON = "application/json";
  private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";
  private static final int MAX_ERROR_LENGTH = 200;

  private final String host;
  private final int port;
  private final long timeoutMs;
  private final DatabaseSettings db;
  private final ClusterMembership membership;
  private final PrometheusMeterRegistry registry;
  private final NodeHealth health;
  private HttpServer server;
  private Pool pool;
  private Coalesced<Void> database;
  private Coalesced<Integer> cluster;
  private Coalesced<String> scrape;
  private Boolean lastReady;

  /**
   * @param port 0 for any free port ({@link #actualPort()} tells which)
   * @param db the database to check, or null when the node runs no role that needs one
   * @param membership the cluster to check, or null when the node runs alone
   */
  public ManagementVerticle(
      String host,
      int port,
      long timeoutMs,
      DatabaseSettings db,
      ClusterMembership membership,
      PrometheusMeterRegistry registry,
      NodeHealth health) {
    this.host = host;
    this.port = port;
    this.timeoutMs = timeoutMs;
    this.db = db;
    this.membership = membership;
    this.registry = registry;
    this.health = health;
  }

  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  @Override
  public Future<?> start() {
    if (db != null) {
      pool =
          PgBuilder.pool()
              .with(
                  new PoolOptions()
                      .setName("asp-health")
                      .setMaxSize(1)
                      .setMaxWaitQueueSize(4)
                      .setConnectionTimeout((int) timeoutMs)
                      .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
              .with(new NetClientOptions().setConnectTimeout((int) timeoutMs))
              .connectingTo(
                  db.connectOptions().setReconnectAttempts(0).setMetricsName("asp-health"))
              .using(vertx)
              .build();
      database = new Coalesced<>(() -> pool.query("SELECT 1").execute().mapEmpty());
    }
    if (membership != null) {
      cluster = new Coalesced<>(membership::serving);
    }
    scrape = new Coalesced<>(() -> vertx.executeBlocking(registry::scrape, false));

    Router router = Router.router(vertx);
    router.get("/health/live").handler(this::live);
    router.get("/health/ready").handler(this::ready);
    router.get("/metrics").handler(this::metrics);
    server =
        vertx.createHttpServer(
            new HttpServerOptions().setHost(host).setPort(port).setMaxInitialLineLength(1024));
    return server
        .requestHandler(router)
        .listen()
        .onSuccess(
            s -> LOG.info("management (health, metrics) on http://{}:{}", host, s.actualPort()));
  }

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }

  private void live(RoutingContext ctx) {
    String lost = health.lost();
    if (lost != null) {
      json(ctx.response(), 503, new JsonObject().put("status", "DOWN").put("error", lost));
      return;
    }
    json(ctx.response(), 200, new JsonObject().put("status", "UP"));
  }

  private void ready(RoutingContext ctx) {
    List<Future<JsonObject>> checks = new ArrayList<>();
    checks.add(Future.succeededFuture(lifecycle()));
    if (database != null) {
      checks.add(
          database
              .get(timeoutMs)
              .map(v -> up("database"))
              .otherwise(failure -> down("database", failure)));
    }
    if (cluster != null) {
      checks.add(
          cluster
              .get(timeoutMs)
              .map(members -> up("cluster").put("members", members))
              .otherwise(failure -> down("cluster", failure)));
    }
    Future.all(checks)
        .onComplete(
            all -> {
              JsonArray list = new JsonArray();
              boolean ready = true;
              for (Future<JsonObject> check : checks) {
                JsonObject result = check.result();
                list.add(result);
                ready &= "UP".equals(result.getString("status"));
              }
              noteChange(ready, list);
              JsonObject body =
                  new JsonObject().put("status", ready ? "UP" : "DOWN").put("checks", list);
              json(ctx.response(), ready ? 200 : 503, body);
            });
  }

  private JsonObject lifecycle() {
    NodeHealth.Phase phase = health.phase();
    JsonObject check = new JsonObject().put("name", "lifecycle").put("state", phase.wire());
    if (phase != NodeHealth.Phase.RUNNING) {
      return check.put("status", "DOWN");
    }
    java.util.Set<String> deployed = vertx.deploymentIDs();
    for (String id : health.deployments()) {
      if (!deployed.contains(id)) {
        return check.put("status", "DOWN").put("error", "a role's verticle is no longer deployed");
      }
    }
    return check.put("status", "UP");
  }

  private void metrics(RoutingContext ctx) {
    scrape
        .get(timeoutMs)
        .onSuccess(
            text ->
                ctx.response()
                    .putHeader("content-type", PROMETHEUS)
                    .putHeader("cache-control", "no-store")
                    .end(text))
        .onFailure(failure -> ctx.response().setStatusCode(503).end());
  }

  /** Logs when readiness changes, not on every probe. */
  private void noteChange(boolean ready, JsonArray checks) {
    if (lastReady != null && lastReady == ready) {
      return;
    }
    if (ready) {
      LOG.info("node ready");
    } else if (lastReady != null || health.phase() != NodeHealth.Phase.STARTING) {
      LOG.warn("node not ready: {}", checks.encode());
    }
    lastReady = ready;
  }

  private static JsonObject up(String name) {
    return new JsonObject().put("name", name).put("status", "UP");
  }

  private JsonObject down(String name, Throwable failure) {
    String error =
        failure instanceof TimeoutException
            ? "no answer within " + timeoutMs + " ms"
            : String.valueOf(failure.getMessage());
    return down(name, error);
  }

  private static JsonObject down(String name, String error) {
    if (error.length() > MAX_ERROR_LENGTH) {
      error = error.substring(0, MAX_ERROR_LENGTH);
    }
    return new JsonObject().put("name", name).put("status", "DOWN").put("error", error);
  }

  private static void json(HttpServerResponse response, int status, JsonObject body) {
    response
        .setStatusCode(status)
        .putHeader("content-type", JSON)
        .putHeader("cache-control", "no-store")
        .end(body.encode());
  }
}
