package dev.asp.operator;

import dev.asp.client.AspAdminClient;
import dev.asp.client.AspClient;
import dev.asp.storage.DatabaseSettings;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole operator node (all verticles, the real gateway on a free port) on a real PostgreSQL, and
 * clients for agents registered through the admin API, exactly as a user would do it.
 */
final class OperatorHarness implements AutoCloseable {
  static final String ADMIN_TOKEN = "admin-token-for-the-tests";

  final Vertx vertx;
  final Operator.Running running;
  final String url;
  final AspAdminClient admin;
  private final DatabaseSettings db;

  private OperatorHarness(Vertx vertx, Operator.Running running, DatabaseSettings db) {
    this.vertx = vertx;
    this.db = db;
    this.running = running;
    this.url = "http://127.0.0.1:" + running.port();
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
    running.close().await();
  }
}
