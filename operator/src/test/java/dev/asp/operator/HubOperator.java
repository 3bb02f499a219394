package dev.asp.operator;

import dev.asp.storage.DatabaseSettings;
import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import dev.asp.testkit.TestSql;
import java.util.HashMap;
import java.util.Map;

/**
 * One operator on a fresh database for an A2A test class, with a raw HTTP client to its gateway and
 * SQL on its database; heartbeats and polls are limited loosely and waits kept short, so tests
 * never sleep on the defaults. {@code settings} adds to (or overrides) those.
 */
final class HubOperator implements AutoCloseable {
  final DatabaseSettings db;
  final OperatorHarness operator;
  final RawHttp http;
  final TestSql sql;

  private HubOperator(Map<String, String> settings) {
    Map<String, String> all = new HashMap<>();
    all.put("ASP_A2A_HEARTBEAT_LIMIT", "1000");
    all.put("ASP_A2A_POLL_MAX_WAIT_MS", "5000");
    all.putAll(settings);
    db = TestDatabase.fresh();
    operator = OperatorHarness.start(db, all);
    http = new RawHttp(operator.vertx, "127.0.0.1", operator.port());
    sql = new TestSql(operator.vertx, db);
  }

  static HubOperator start(Map<String, String> settings) {
    return new HubOperator(settings);
  }

  @Override
  public void close() {
    sql.close();
    http.close();
    operator.close();
  }
}
