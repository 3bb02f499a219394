package dev.asp.session.log;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.function.Function;

/**
 * Stored results of requests that carried an idempotency key, per (agent, scope, key). The primary
 * key of {@code idempotency_keys} is the guard (P2): the result row is inserted in the same
 * transaction as the effect, and when another request stored the key first, the insert returns no
 * row, this transaction is rolled back and the winner's result is returned instead.
 */
public final class Idempotency {
  private Idempotency() {}

  /** Rolls back a transaction that lost the race for its key; carries no stack trace. */
  static final class LostRace extends RuntimeException {
    LostRace() {
      super("idempotency key taken by a concurrent request", null, false, false);
    }
  }

  /** The stored result, or null when the key is unused (or no key was given). */
  public static Future<JsonObject> find(SqlClient client, String agent, String scope, String key) {
    if (key == null) {
      return Future.succeededFuture(null);
    }
    return client
        .preparedQuery(LogQueries.SELECT_IDEMPOTENT_RESULT)
        .execute(Tuple.of(agent, scope, key))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getJsonObject("result"));
  }

  /**
   * Stores {@code result} under the key (no-op without a key); fails with {@link LostRace} when a
   * concurrent request stored it first, which rolls the surrounding transaction back.
   */
  public static Future<Void> remember(
      SqlClient conn, String agent, String scope, String key, JsonObject result, long now) {
    if (key == null) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(LogQueries.INSERT_IDEMPOTENT_RESULT)
        .execute(Tuple.of(agent, scope, key, result, now))
        .compose(
            rows ->
                rows.size() == 0 ? Future.failedFuture(new LostRace()) : Future.succeededFuture());
  }

  /**
   * For {@code .recover(...)} after the transaction: a lost race becomes the winner's stored result
   * (read after the rollback, when the winner has committed); other failures pass through.
   */
  public static Function<Throwable, Future<Committed>> winnerOnLostRace(
      Pool pool, String agent, String scope, String key) {
    return failure ->
        failure instanceof LostRace
            ? find(pool, agent, scope, key).map(Committed::replay)
            : Future.failedFuture(failure);
  }
}
