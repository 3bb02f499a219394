package dev.asp.operator;

import dev.asp.delivery.DeliverySettings;
import dev.asp.delivery.DeliveryVerticle;
import dev.asp.gateway.GatewaySettings;
import dev.asp.gateway.GatewayVerticle;
import dev.asp.operator.impl.SeedFile;
import dev.asp.protocol.Ids;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.SessionAction;
import dev.asp.protocol.bus.TrustAction;
import dev.asp.session.SessionSchema;
import dev.asp.session.SessionSettings;
import dev.asp.session.SessionVerticle;
import dev.asp.storage.DatabaseSettings;
import dev.asp.storage.SchemaMigrator;
import dev.asp.trust.TrustSchema;
import dev.asp.trust.TrustSettings;
import dev.asp.trust.TrustVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one operator node up on a Vert.x instance, as one future: migrations (on a worker: they
 * are blocking JDBC), the trust and session verticles, presence left by an earlier run of this node
 * forgotten, delivery, then the HTTP gateway, then the seed. The gateway comes last so nothing is
 * served before its collaborators answer; {@link Running#close()} stops in the reverse order so
 * delivery can still save its cursors while the session verticle runs.
 */
public final class Operator {
  private static final Logger LOG = LoggerFactory.getLogger(Operator.class);

  /** A running node: the HTTP port it serves and how to stop it. */
  public static final class Running {
    private final Vertx vertx;
    private final int port;
    private final String nodeId;
    private final List<String> frontIds;
    private final List<String> backIds;

    Running(Vertx vertx, int port, String nodeId, List<String> frontIds, List<String> backIds) {
      this.vertx = vertx;
      this.port = port;
      this.nodeId = nodeId;
      this.frontIds = frontIds;
      this.backIds = backIds;
    }

    public Vertx vertx() {
      return vertx;
    }

    public int port() {
      return port;
    }

    public String nodeId() {
      return nodeId;
    }

    /** Gateway and delivery first (cursors saved, agents reported offline), then the rest. */
    public Future<Void> close() {
      return undeploy(frontIds).compose(v -> undeploy(backIds)).transform(v -> vertx.close());
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

  public static Future<Running> start(Vertx vertx, OperatorConfig config, DatabaseSettings db) {
    String nodeId = "node_" + Ids.newEventId().substring(Ids.EVENT_PREFIX.length());
    BusClient bus = new BusClient(vertx, config.busTimeoutMs());
    List<String> backIds = new ArrayList<>();
    List<String> frontIds = new ArrayList<>();
    return vertx
        .executeBlocking(
            () -> {
              SchemaMigrator.migrate(db, TrustSchema.MODULE);
              SchemaMigrator.migrate(db, SessionSchema.MODULE);
              return null;
            },
            false)
        .compose(v -> deployBackends(vertx, config, db, backIds))
        .compose(v -> forgetOtherNodes(bus, nodeId))
        .compose(
            v ->
                vertx
                    .deployVerticle(new DeliveryVerticle(deliverySettings(config, nodeId)))
                    .onSuccess(frontIds::add))
        .compose(v -> deployGateways(vertx, config, frontIds))
        .compose(
            port ->
                seed(vertx, config, bus).map(new Running(vertx, port, nodeId, frontIds, backIds)));
  }

  private static Future<Void> deployBackends(
      Vertx vertx, OperatorConfig config, DatabaseSettings db, List<String> ids) {
    TrustSettings trust = new TrustSettings(db, config.adminToken(), config.busTimeoutMs());
    SessionSettings session =
        new SessionSettings(
            db,
            config.limits(),
            config.maxInvitees(),
            config.busTimeoutMs(),
            config.graceMs(),
            config.graceSweepMs());
    return Future.all(
            vertx
                .deployVerticle(() -> new TrustVerticle(trust), new DeploymentOptions())
                .onSuccess(ids::add),
            vertx
                .deployVerticle(
                    () -> new SessionVerticle(session),
                    new DeploymentOptions().setInstances(config.sessionInstances()))
                .onSuccess(ids::add))
        .mapEmpty();
  }

  /**
   * A single node that starts is the only live node: connections recorded by an earlier run died
   * with it, so those agents go offline now and their grace window starts.
   */
  private static Future<Void> forgetOtherNodes(BusClient bus, String nodeId) {
    JsonObject request = new JsonObject().put(BusFields.LIVE_NODES, new JsonArray().add(nodeId));
    return bus.session(SessionAction.PRESENCE_RESET, request)
        .onSuccess(
            reply -> {
              int offline = reply.getJsonArray(BusFields.OFFLINE, new JsonArray()).size();
              if (offline > 0) {
                LOG.info("{} agent(s) connected to an earlier run are now offline", offline);
              }
            })
        .mapEmpty();
  }

  /**
   * All gateway instances share one port. Vert.x shares a listening socket only between servers
   * asking for the same port, and "0" would give each instance its own random port, so a configured
   * 0 is first resolved to one free port.
   */
  private static Future<Integer> deployGateways(
      Vertx vertx, OperatorConfig config, List<String> ids) {
    Future<Integer> port =
        config.httpPort() != 0
            ? Future.succeededFuture(config.httpPort())
            : vertx.executeBlocking(() -> freePort(config.httpHost()), false);
    return port.compose(
        chosen -> {
          GatewaySettings settings = gatewaySettings(config, chosen);
          return vertx
              .deployVerticle(
                  () -> new GatewayVerticle(settings),
                  new DeploymentOptions().setInstances(config.gatewayInstances()))
              .onSuccess(ids::add)
              .map(chosen);
        });
  }

  private static int freePort(String host) throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return socket.getLocalPort();
    }
  }

  private static GatewaySettings gatewaySettings(OperatorConfig config, int port) {
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
        config.authCacheTtlMs());
  }

  private static DeliverySettings deliverySettings(OperatorConfig config, String nodeId) {
    return new DeliverySettings(
        nodeId,
        config.wsWriteQueueBytes(),
        config.wsSlowConsumerMs(),
        config.wsPingIntervalMs(),
        config.wsIdleTimeoutMs(),
        config.cursorFlushMs(),
        config.replayBatch(),
        config.busTimeoutMs());
  }

  private static Future<Void> seed(Vertx vertx, OperatorConfig config, BusClient bus) {
    if (config.seedFile() == null) {
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
