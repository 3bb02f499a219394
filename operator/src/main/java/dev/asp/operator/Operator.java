package dev.asp.operator;

import dev.asp.gateway.GatewaySettings;
import dev.asp.gateway.GatewayVerticle;
import dev.asp.operator.impl.SeedFile;
import dev.asp.protocol.bus.BusClient;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one operator node up on a Vert.x instance, as one future: migrations (on a worker: they
 * are blocking JDBC), then the trust and session verticles, then the HTTP gateway, then the seed.
 * The gateway is deployed last so nothing is served before its collaborators answer.
 */
public final class Operator {
  private static final Logger LOG = LoggerFactory.getLogger(Operator.class);

  /** A running node: the HTTP port it serves and how to stop it. */
  public record Running(Vertx vertx, int port) {
    public Future<Void> close() {
      return vertx.close();
    }
  }

  private Operator() {}

  public static Future<Running> start(Vertx vertx, OperatorConfig config, DatabaseSettings db) {
    return vertx
        .executeBlocking(
            () -> {
              SchemaMigrator.migrate(db, TrustSchema.MODULE);
              SchemaMigrator.migrate(db, SessionSchema.MODULE);
              return null;
            },
            false)
        .compose(v -> deployBackends(vertx, config, db))
        .compose(v -> deployGateways(vertx, config))
        .compose(port -> seed(vertx, config).map(new Running(vertx, port)));
  }

  private static Future<Void> deployBackends(
      Vertx vertx, OperatorConfig config, DatabaseSettings db) {
    TrustSettings trust = new TrustSettings(db, config.adminToken(), config.busTimeoutMs());
    SessionSettings session =
        new SessionSettings(db, config.limits(), config.maxInvitees(), config.busTimeoutMs());
    return Future.all(
            vertx.deployVerticle(() -> new TrustVerticle(trust), new DeploymentOptions()),
            vertx.deployVerticle(
                () -> new SessionVerticle(session),
                new DeploymentOptions().setInstances(config.sessionInstances())))
        .mapEmpty();
  }

  /**
   * All gateway instances share one port. Vert.x shares a listening socket only between servers
   * asking for the same port, and "0" would give each instance its own random port, so a configured
   * 0 is first resolved to one free port.
   */
  private static Future<Integer> deployGateways(Vertx vertx, OperatorConfig config) {
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
              .map(chosen);
        });
  }

  private static int freePort(String host) throws java.io.IOException {
    try (java.net.ServerSocket socket =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
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
        config.busTimeoutMs());
  }

  private static Future<Void> seed(Vertx vertx, OperatorConfig config) {
    if (config.seedFile() == null) {
      return Future.succeededFuture();
    }
    BusClient bus = new BusClient(vertx, config.busTimeoutMs());
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
