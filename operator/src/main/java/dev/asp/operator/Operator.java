package dev.asp.operator;

import com.hazelcast.core.HazelcastInstance;
import dev.asp.a2a.A2aSchema;
import dev.asp.a2a.A2aSettings;
import dev.asp.a2a.A2aVerticle;
import dev.asp.delivery.DeliverySettings;
import dev.asp.delivery.DeliveryVerticle;
import dev.asp.gateway.A2aGatewaySettings;
import dev.asp.gateway.GatewaySettings;
import dev.asp.gateway.GatewayVerticle;
import dev.asp.gateway.HttpLimits;
import dev.asp.gateway.limits.AuthThrottle;
import dev.asp.gateway.limits.Limit;
import dev.asp.gateway.limits.LocalRateLimiter;
import dev.asp.gateway.limits.RateLimiter;
import dev.asp.operator.cluster.ClusterMembership;
import dev.asp.operator.cluster.ClusterSettings;
import dev.asp.operator.cluster.EventBusConfigs;
import dev.asp.operator.cluster.HazelcastConfigs;
import dev.asp.operator.cluster.HazelcastRateLimiter;
import dev.asp.operator.impl.SeedFile;
import dev.asp.operator.management.Management;
import dev.asp.operator.management.NodeMetrics;
import dev.asp.protocol.Ids;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.TrustAction;
import dev.asp.session.SessionSchema;
import dev.asp.session.SessionSettings;
import dev.asp.session.SessionVerticle;
import dev.asp.session.log.LeaveEffect;
import dev.asp.storage.DatabaseSettings;
import dev.asp.storage.SchemaMigrator;
import dev.asp.trust.TrustSchema;
import dev.asp.trust.TrustSettings;
import dev.asp.trust.TrustVerticle;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one operator node up, as one future, running the roles its configuration names (P9):
 * schema migrations (on a worker: they are blocking JDBC), the trust and session verticles,
 * presence of nodes no longer alive forgotten, delivery, then the HTTP server (REST API for the
 * gateway role, {@code WS /connect} for delivery), then the seed. The HTTP server comes last so
 * nothing is served before its collaborators answer; {@link Running#close()} stops in the reverse
 * order so delivery can still save its cursors while the session verticle runs. In a cluster the
 * node also watches the membership ({@link ClusterMembership}).
 */
public final class Operator {
  private static final Logger LOG = LoggerFactory.getLogger(Operator.class);

  /** A running node: the HTTP port it serves and how to stop it. */
  public static final class Running {
    private final Vertx vertx;
    private final int port;
    private final String nodeId;
    private final ClusterMembership membership;
    private final List<String> frontIds;
    private final List<String> backIds;
    private final Management management;

    Running(
        Vertx vertx,
        int port,
        String nodeId,
        ClusterMembership membership,
        List<String> frontIds,
        List<String> backIds,
        Management management) {
      this.vertx = vertx;
      this.port = port;
      this.nodeId = nodeId;
      this.membership = membership;
      this.frontIds = frontIds;
      this.backIds = backIds;
      this.management = management;
    }

    // --- management: health and metrics (docs/operations.md) ---

    /** The port of {@code /health/*} and {@code /metrics}, resolved when 0 was configured. */
    public int managementPort() {
      return management.port();
    }

    /**
     * Readiness fails from now on ({@code /health/ready} answers 503): call first when stopping.
     */
    public void markDraining() {
      management.health().draining();
    }

    /**
     * The process cannot serve again without a restart (its embedded PostgreSQL died): {@code
     * /health/live} answers 503 from now on, so that an orchestrator restarts it.
     */
    public void markLost(String reason) {
      management.health().lost(reason);
    }

    /** The node's meters (Vert.x's and the operator's {@code asp_*}), as {@code /metrics} shows. */
    public PrometheusMeterRegistry meterRegistry() {
      return management.registry();
    }

    // --- end of management ---

    public Vertx vertx() {
      return vertx;
    }

    /** The HTTP port, or -1 when the node serves no HTTP (neither gateway nor delivery). */
    public int port() {
      return port;
    }

    /** The cluster as this node sees it, or null when it runs alone. */
    public ClusterMembership membership() {
      return membership;
    }

    public String nodeId() {
      return nodeId;
    }

    /**
     * Delivery first (it stops writing, saves its cursors and tells every client to reconnect
     * elsewhere with 1001; the HTTP server meanwhile keeps serving and refuses new streams with the
     * same code), then the HTTP server, then trust and session, then the cluster is left. The node
     * reports not-ready from the first moment, so load balancers stop sending it new work.
     */
    public Future<Void> close() {
      markDraining();
      if (membership != null) {
        membership.stop();
      }
      Future<Void> front = Future.succeededFuture();
      for (String id : frontIds) {
        front = front.compose(v -> vertx.undeploy(id).recover(f -> Future.succeededFuture()));
      }
      return front.compose(v -> undeploy(backIds)).transform(v -> vertx.close());
    }

    private Future<Void> undeploy(List<String> ids) {
      List<Future<Void>> done = new ArrayList<>();
      for (int i = ids.size() - 1; i >= 0; i--) {
        done.add(vertx.undeploy(ids.get(i)).recover(f -> Future.succeededFuture()));
      }
      return Future.join(done).mapEmpty();
    }
  }

  private Operator() {}

  /** A fresh operator node id ({@code node_} + a ULID): presence rows are keyed by it. */
  public static String newNodeId() {
    return "node_" + Ids.newEventId().substring(Ids.EVENT_PREFIX.length());
  }

  /**
   * Creates the node's Vert.x instance (clustered through Hazelcast unless the cluster mode is
   * {@code none}) and starts the node on it. Closing the returned node closes that Vert.x.
   */
  public static Future<Running> launch(OperatorConfig config, DatabaseSettings db) {
    String nodeId = newNodeId();
    PrometheusMeterRegistry registry = NodeMetrics.newRegistry();
    if (!config.cluster().clustered()) {
      Vertx vertx =
          NodeMetrics.enable(
                  Vertx.builder(),
                  new VertxOptions(),
                  registry,
                  nodeId,
                  config.vertxMetricsDetail())
              .build();
      return start(vertx, null, config, db, nodeId, registry).onFailure(f -> vertx.close());
    }
    ClusterSettings cluster = config.cluster();
    HazelcastClusterManager manager =
        new HazelcastClusterManager(
            HazelcastConfigs.build(cluster, nodeId, longestRateWindowMs(config)));
    VertxOptions options = new VertxOptions().setEventBusOptions(EventBusConfigs.build(cluster));
    return NodeMetrics.enable(
            Vertx.builder(), options, registry, nodeId, config.vertxMetricsDetail())
        .withClusterManager(manager)
        .buildClustered()
        .compose(
            vertx ->
                start(vertx, manager, config, db, nodeId, registry).onFailure(f -> vertx.close()));
  }

  /**
   * Starts a single, non-clustered node on the given Vert.x instance. Its {@code /metrics} has the
   * operator's meters only: Vert.x's own are enabled when the instance is built ({@link #launch}).
   */
  public static Future<Running> start(Vertx vertx, OperatorConfig config, DatabaseSettings db) {
    return start(vertx, null, config, db, newNodeId(), NodeMetrics.newRegistry());
  }

  private static Future<Running> start(
      Vertx vertx,
      HazelcastClusterManager manager,
      OperatorConfig config,
      DatabaseSettings db,
      String nodeId,
      PrometheusMeterRegistry registry) {
    BusClient bus = new BusClient(vertx, config.busTimeoutMs());
    HazelcastInstance hazelcast = manager == null ? null : manager.getHazelcastInstance();
    ClusterMembership membership =
        manager == null
            ? null
            : new ClusterMembership(
                vertx,
                hazelcast,
                manager,
                bus,
                config.runs(Role.SESSION),
                config.cluster().presenceCheckSeconds() * 1000L);
    List<String> backIds = new ArrayList<>();
    List<String> frontIds = new ArrayList<>();
    // management first: probes answer (live; ready once every role is up) while the node starts
    Management management = new Management(registry);
    boolean needsDb = config.runs(Role.SESSION) || config.runs(Role.TRUST);
    return management
        .deploy(
            vertx,
            config.managementHost(),
            config.managementPort(),
            config.healthTimeoutMs(),
            needsDb ? db : null,
            membership)
        .compose(v -> vertx.executeBlocking(() -> prepareSchema(config, db), false))
        .compose(v -> deployBackends(vertx, config, db, registry, backIds))
        .compose(v -> forgetOtherNodes(config, bus, membership, nodeId))
        .compose(v -> deployDelivery(vertx, config, nodeId, registry, frontIds))
        .compose(v -> deployGateways(vertx, config, limiter(hazelcast), registry, frontIds))
        .compose(port -> seed(vertx, config, bus).map(port))
        .map(
            port -> {
              if (membership != null) {
                membership.listen();
              }
              LOG.info(
                  "node {} up: roles {}{}",
                  nodeId,
                  config.roles(),
                  membership == null
                      ? ""
                      : ", cluster '"
                          + config.cluster().name()
                          + "' of "
                          + membership.liveNodes().size());
              List<String> deployed = new ArrayList<>(backIds);
              deployed.addAll(frontIds);
              management.health().running(deployed); // ready from now on
              return new Running(vertx, port, nodeId, membership, frontIds, backIds, management);
            });
  }

  /**
   * Where the A2A rate limits are counted: in this JVM when the node runs alone, in Hazelcast when
   * clustered, so a node's limit holds however its requests are spread over the gateways.
   */
  private static RateLimiter limiter(HazelcastInstance hazelcast) {
    return hazelcast == null ? new LocalRateLimiter() : new HazelcastRateLimiter(hazelcast);
  }

  /** Applies (or, when a separate step migrates, verifies) the schema of the modules run here. */
  private static Void prepareSchema(OperatorConfig config, DatabaseSettings db) {
    List<SchemaMigrator.Module> modules = new ArrayList<>();
    if (config.runs(Role.TRUST)) {
      modules.add(TrustSchema.MODULE);
    }
    if (config.runs(Role.SESSION)) {
      modules.add(SessionSchema.MODULE);
      modules.add(A2aSchema.MODULE); // after the session module's: it references its tables
    }
    for (SchemaMigrator.Module module : modules) {
      if (config.migrateOnStart()) {
        SchemaMigrator.migrate(db, module);
      } else {
        SchemaMigrator.verify(db, module);
      }
    }
    return null;
  }

  /** Applies every module's migrations: the {@code migrate} command, run once per rollout. */
  public static void migrate(DatabaseSettings db) {
    SchemaMigrator.migrate(db, TrustSchema.MODULE);
    SchemaMigrator.migrate(db, SessionSchema.MODULE);
    SchemaMigrator.migrate(db, A2aSchema.MODULE);
  }

  private static Future<Void> deployBackends(
      Vertx vertx,
      OperatorConfig config,
      DatabaseSettings db,
      MeterRegistry meters,
      List<String> ids) {
    // settings only for the roles run here: a gateway or delivery node has no database (db null)
    List<Future<String>> deployed = new ArrayList<>();
    if (config.runs(Role.TRUST)) {
      A2aConfig a2a = config.a2a();
      TrustSettings trust =
          new TrustSettings(db, config.adminToken(), config.busTimeoutMs())
              .withHubNodes(
                  a2a.nodeOwner(), a2a.nodePolicy(), a2a.unclaimedReissueMs(), a2a.hubNodeId());
      deployed.add(
          vertx
              .deployVerticle(() -> new TrustVerticle(trust), new DeploymentOptions())
              .onSuccess(ids::add));
    }
    if (config.runs(Role.SESSION)) {
      SessionSettings session =
          new SessionSettings(
              db,
              config.limits(),
              config.maxInvitees(),
              config.busTimeoutMs(),
              config.graceMs(),
              config.graceSweepMs(),
              meters);
      // with the A2A layer, every leave path of the session verticle has its side effects (§2.4.5)
      LeaveEffect leaveEffect =
          config.a2a().enabled()
              ? A2aVerticle.leaveEffect(a2aSettings(config, db, meters))
              : LeaveEffect.NONE;
      deployed.add(
          vertx
              .deployVerticle(
                  () -> new SessionVerticle(session, leaveEffect),
                  new DeploymentOptions().setInstances(config.sessionInstances()))
              .onSuccess(ids::add));
      if (config.a2a().enabled()) {
        // one instance per node: it holds the node's long-polls and hears each commit once (P4)
        deployed.add(
            vertx
                .deployVerticle(new A2aVerticle(a2aSettings(config, db, meters)))
                .onSuccess(ids::add));
      }
    }
    return Future.all(deployed).mapEmpty();
  }

  /**
   * Connections recorded for nodes that are not alive now died with them: those agents go offline
   * and their grace window starts. Alone, that is every node but this one (an earlier run of it);
   * in a cluster, every node that is not a member. Done by nodes that run the session role.
   */
  private static Future<Void> forgetOtherNodes(
      OperatorConfig config, BusClient bus, ClusterMembership membership, String nodeId) {
    if (!config.runs(Role.SESSION)) {
      return Future.succeededFuture();
    }
    Future<JsonObject> reset =
        membership != null
            ? membership.forgetAbsentNodes()
            : bus.presenceReset(
                new JsonObject().put(BusFields.LIVE_NODES, new JsonArray().add(nodeId)));
    return reset
        .onSuccess(
            reply -> {
              int offline = reply.getJsonArray(BusFields.OFFLINE, new JsonArray()).size();
              if (offline > 0) {
                LOG.info("{} agent(s) connected to nodes no longer alive are now offline", offline);
              }
            })
        .mapEmpty();
  }

  private static Future<Void> deployDelivery(
      Vertx vertx, OperatorConfig config, String nodeId, MeterRegistry meters, List<String> ids) {
    if (!config.runs(Role.DELIVERY)) {
      return Future.succeededFuture();
    }
    return vertx
        .deployVerticle(new DeliveryVerticle(deliverySettings(config, nodeId, meters)))
        .onSuccess(ids::add)
        .mapEmpty();
  }

  /**
   * All gateway instances share one port. Vert.x shares a listening socket only between servers
   * asking for the same port, and "0" would give each instance its own random port, so a configured
   * 0 is first resolved to one free port.
   */
  private static Future<Integer> deployGateways(
      Vertx vertx,
      OperatorConfig config,
      RateLimiter limiter,
      MeterRegistry meters,
      List<String> ids) {
    if (!config.runs(Role.GATEWAY) && !config.runs(Role.DELIVERY)) {
      return Future.succeededFuture(-1);
    }
    Future<Integer> port =
        config.httpPort() != 0
            ? Future.succeededFuture(config.httpPort())
            : vertx.executeBlocking(() -> freePort(config.httpHost()), false);
    return port.compose(
        chosen -> {
          // one cap for all of the node's instances: they share the port and the file limit
          HttpLimits http =
              new HttpLimits(
                  config.httpIdleTimeoutMs(),
                  config.httpHeaderTimeoutMs(),
                  config.httpMaxConnections());
          httpMeters(http, meters);
          GatewaySettings settings =
              gatewaySettings(config, chosen, limiter, http, authThrottle(config, limiter));
          return vertx
              .deployVerticle(
                  () -> new GatewayVerticle(settings),
                  new DeploymentOptions().setInstances(config.gatewayInstances()))
              .onSuccess(ids::add)
              .map(chosen);
        });
  }

  /** The node's HTTP connections as {@code /metrics} shows them (docs/operations.md). */
  private static void httpMeters(HttpLimits http, MeterRegistry meters) {
    Gauge.builder("asp.http.connections.open", http, HttpLimits::open)
        .description("open HTTP connections of this node, WebSockets included")
        .strongReference(true)
        .register(meters);
    FunctionCounter.builder("asp.http.connections.refused", http, HttpLimits::refusedTotal)
        .description("connections closed at once because the node was at ASP_HTTP_MAX_CONNECTIONS")
        .register(meters);
    FunctionCounter.builder("asp.http.header.timeouts", http, HttpLimits::headerTimeoutsTotal)
        .description("connections closed without complete request headers in time")
        .register(meters);
  }

  private static int freePort(String host) throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return socket.getLocalPort();
    }
  }

  private static A2aSettings a2aSettings(
      OperatorConfig config, DatabaseSettings db, MeterRegistry meters) {
    A2aConfig a2a = config.a2a();
    return new A2aSettings(
        db,
        config.busTimeoutMs(),
        a2a.nodeOwner(),
        a2a.defaultLevel(),
        a2a.offlineMs(),
        a2a.pollMaxWaitMs(),
        a2a.pollLingerMs(),
        a2a.maxParticipants(),
        a2a.sharedContextBytes(),
        a2a.contextMax(),
        config.maxTopicLength(),
        a2a.levelGating(),
        a2a.mailboxTtlMs(),
        a2a.convergeWindowMs(),
        a2a.sessionIdleMs(),
        a2a.sweepMs(),
        a2a.maxSubscriptions(),
        meters);
  }

  /** The gateway's A2A settings, or null when the surface is off. */
  private static A2aGatewaySettings a2aGateway(OperatorConfig config, RateLimiter limiter) {
    A2aConfig a2a = config.a2a();
    if (!a2a.enabled()) {
      return null;
    }
    return new A2aGatewaySettings(
        a2a.nodeOwner(),
        limiter,
        new Limit("a2a.hello", a2a.helloLimit(), a2a.helloWindowMs()),
        new Limit("a2a.heartbeat", a2a.heartbeatLimit(), a2a.heartbeatWindowMs()),
        new Limit("a2a.poll", a2a.pollLimit(), a2a.pollWindowMs()),
        a2a.trustForwardedFor(),
        a2a.heartbeatIntervalMs(),
        a2a.heartbeatEvents(),
        a2a.pollMaxWaitMs(),
        a2a.pollBatch(),
        a2a.maxMessageChars(),
        a2a.maxParticipants(),
        config.maxTopicLength(),
        a2a.contextMax(),
        a2a.sseMaxMs(),
        a2a.sseKeepaliveMs(),
        a2a.mailboxMaxBytes(),
        a2a.deliberationMaxAgents());
  }

  /** The longest window of the rate limits: the Hazelcast map keeps buckets at least this long. */
  static long longestRateWindowMs(OperatorConfig config) {
    A2aConfig a2a = config.a2a();
    return Math.max(
        config.authFailureWindowMs(),
        Math.max(a2a.helloWindowMs(), Math.max(a2a.heartbeatWindowMs(), a2a.pollWindowMs())));
  }

  /**
   * Failed authentications per client address, counted where the A2A limits are (cluster-wide when
   * clustered); the address is the first {@code X-Forwarded-For} hop under the same setting as the
   * hello limit's.
   */
  private static AuthThrottle authThrottle(OperatorConfig config, RateLimiter limiter) {
    return new AuthThrottle(
        limiter,
        new Limit("auth.failures", config.authFailureLimit(), config.authFailureWindowMs()),
        config.a2a().trustForwardedFor(),
        LocalRateLimiter.DEFAULT_MAX_KEYS);
  }

  private static GatewaySettings gatewaySettings(
      OperatorConfig config,
      int port,
      RateLimiter limiter,
      HttpLimits http,
      AuthThrottle authThrottle) {
    return new GatewaySettings(
        config.httpHost(),
        port,
        config.maxBodyBytes(),
        config.limits(),
        config.maxInvitees(),
        config.maxTopicLength(),
        config.busTimeoutMs(),
        config.wsClosingTimeoutSeconds(),
        config.authCacheSize(),
        config.authCacheTtlMs(),
        config.authCacheConnectTtlMs(),
        config.runs(Role.GATEWAY),
        config.runs(Role.DELIVERY),
        config.adminPageLimit(),
        a2aGateway(config, limiter),
        http,
        authThrottle);
  }

  private static DeliverySettings deliverySettings(
      OperatorConfig config, String nodeId, MeterRegistry meters) {
    return new DeliverySettings(
        nodeId,
        config.wsWriteQueueBytes(),
        config.wsSlowConsumerMs(),
        config.wsPingIntervalMs(),
        config.wsIdleTimeoutMs(),
        config.cursorFlushMs(),
        config.replayBatch(),
        config.busTimeoutMs(),
        config.reorderHoldMs(),
        config.deliveryRequests(),
        meters);
  }

  private static Future<Void> seed(Vertx vertx, OperatorConfig config, BusClient bus) {
    if (config.seedFile() == null || !config.runs(Role.TRUST)) {
      return Future.succeededFuture();
    }
    return vertx
        .executeBlocking(() -> SeedFile.read(config.seedFile()), false)
        .compose(seed -> bus.trust(TrustAction.SEED, seed))
        .onSuccess(
            reply ->
                LOG.info(
                    "seed {} loaded: {} agent(s)", config.seedFile(), reply.getInteger("agents")))
        .mapEmpty();
  }
}
