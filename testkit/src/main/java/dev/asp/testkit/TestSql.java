package dev.asp.testkit;

import dev.asp.storage.DatabaseSettings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * Queries straight on a test database, for tests that check what was stored, or wait for a state
 * the server has committed, beside what its API answers. One small pool, kept until {@link
 * #close()}. Blocking: call from the test thread.
 */
public final class TestSql implements AutoCloseable {
  private final Pool pool;

  public TestSql(Vertx vertx, DatabaseSettings db) {
    this.pool = db.pool(vertx);
  }

  /** Every row of the query ({@code $1} placeholders), each as a JSON object by column name. */
  public List<JsonObject> rows(String sql, Object... params) {
    List<JsonObject> rows = new ArrayList<>();
    for (Row row : pool.preparedQuery(sql).execute(Tuple.from(params)).await()) {
      rows.add(row.toJson());
    }
    return rows;
  }

  /** The first column of the first row, or null when there is no row. */
  public Object value(String sql, Object... params) {
    List<JsonObject> rows = rows(sql, params);
    if (rows.isEmpty()) {
      return null;
    }
    JsonObject first = rows.get(0);
    return first.isEmpty() ? null : first.getValue(first.fieldNames().iterator().next());
  }

  @Override
  public void close() {
    pool.close().await();
  }
}
