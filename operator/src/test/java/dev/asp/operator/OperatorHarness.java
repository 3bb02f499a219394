package dev.asp.operator;

import dev.asp.client.AspAdminClient;
import dev.asp.client.AspClient;
import dev.asp.storage.DatabaseSettings;
import dev.asp.testkit.openapi.CheckedGateway;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole operator node (all verticles, the real gateway on a free port) on a real PostgreSQL, and
 * clients for agents registered through the admin API, exactly as a user would do it. Tests reach
 * the gateway through a recording relay ({@link #port()}, {@link #url}): closing the harness checks
 * every request and response that crossed it against the OpenAPI description, so each end-to-end
 * test is also a test that the description has not drifted from the code.
 */
final class OperatorHarness implements AutoCloseable {
  static final String ADMIN_TOKEN = "admin-token-for-the-tests";

  final Vertx vertx;
  final Operator.Running running;
  final String url;
  final AspAdminClient admin;
  private final DatabaseSettings db;
  private final CheckedGateway gateway;

  private OperatorHarness(Vertx vertx, Operator.Running running, DatabaseSettings db) {
    this.vertx = vertx;
    this.db = db;
    this.running = running;
    this.gateway = CheckedGateway.inFrontOf(running.port());
    this.url = "http://127.0.0.1:" + gateway.port();
    this.admin = AspAdminClient.create(vertx, url, ADMIN_TOKEN);
  }

  static OperatorHarness start(DatabaseSettings db) {
    return start(db, Map.of());
  }

  /** Starts a node with test defaults overridden by {@code settings} (ASP_* keys). */
  static OperatorHarness start(DatabaseSettings db, Map<String, String> settings) {
    Map<String, String> env = new HashMap<>();
    env.put("ASP_HTTP_PORT", "0");
    env.put("ASP_MANAGEMENT_PORT", "0");
    env.put("ASP_ADMIN_TOKEN", ADMIN_TOKEN);
    env.put("ASP_BUS_TIMEOUT_MS", "5000");
    env.putAll(settings);
    OperatorConfig config = ConfigLoader.load(env);
    Vertx vertx = Vertx.vertx();
    Operator.Running running = Operator.start(vertx, config, db).await();
    return new OperatorHarness(vertx, running, db);
  }

  /** Registers an agent (policy and allowlist as given) and returns a client holding its token. */
  AspClient agent(String handle, String policy, String... allowlist) {
    String token = admin.createAgent(handle, policy, List.of(allowlist)).await().token();
    return client(token);
  }

  /** The port tests reach the gateway on (the recording relay in front of it). */
  int port() {
    return gateway.port();
  }

  /**
   * The gateway's own port, bypassing the relay: only for tests of TCP backpressure (a client that
   * stops reading), which the relay's buffers would absorb. Their traffic is not checked.
   */
  int directPort() {
    return running.port();
  }

  /** {@link #agent} whose client talks to {@link #directPort()}. */
  AspClient directAgent(String handle, String policy) {
    String token = admin.createAgent(handle, policy, List.of()).await().token();
    return AspClient.create(vertx, "http://127.0.0.1:" + directPort(), token);
  }

  AspClient client(String token) {
    return AspClient.create(vertx, url, token);
  }

  /** The node's database, for tests that act on it as another module of the node would. */
  DatabaseSettings db() {
    return db;
  }

  /** A count straight from the database, to prove what was (not) stored. */
  long count(String sql, Object... params) {
    Pool pool = db.pool(vertx);
    try {
      return pool.preparedQuery(sql)
          .execute(Tuple.from(params))
          .await()
          .iterator()
          .next()
          .getLong(0);
    } finally {
      pool.close().await();
    }
  }

  @Override
  public void close() {
    try {
      running.close().await();
    } finally {
      gateway.close();
    }
  }
}
