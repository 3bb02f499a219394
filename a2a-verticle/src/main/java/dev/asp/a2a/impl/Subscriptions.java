package dev.asp.a2a.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.a2a.A2aTimes;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * {@code SUBSCRIBE} and {@code SUBSCRIPTIONS} (hub spec §9): a node's topics, already normalised by
 * the gateway (trimmed, whitespace collapsed, lower-cased, 1..50 characters). Both actions are
 * idempotent. The limit holds under concurrent subscribes of one node because each runs under a
 * transaction-scoped lock on the node and inserts only while its count is below the limit.
 */
public final class Subscriptions {
  private final Pool pool;
  private final int limit;

  public Subscriptions(Pool pool, int limit) {
    this.pool = pool;
    this.limit = limit;
  }

  /**
   * {@code {caller, topic, subscribe}} → {@code {topic, action, subscribed, count}}, {@code count}
   * being how many topics the node holds afterwards. Fails {@code subscription_limit_reached} for a
   * new topic beyond the limit (nothing stored).
   */
  public Future<JsonObject> subscribe(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    String topic = body.getString(A2aFields.TOPIC);
    boolean subscribe = body.getBoolean(A2aFields.SUBSCRIBE, true);
    if (caller == null || topic == null || topic.isEmpty()) {
      return Future.failedFuture(
          new AspException(A2aError.VALIDATION_ERROR, "caller and topic are required"));
    }
    long now = System.currentTimeMillis();
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(A2aQueries.LOCK_SUBSCRIBER)
                .execute(Tuple.of(caller))
                .compose(
                    locked ->
                        subscribe
                            ? add(conn, caller, topic, now)
                            : conn.preparedQuery(A2aQueries.UNSUBSCRIBE)
                                .execute(Tuple.of(caller, topic))
                                .mapEmpty())
                .compose(v -> count(conn, caller))
                .map(
                    count ->
                        new JsonObject()
                            .put(A2aFields.TOPIC, topic)
                            .put(
                                A2aFields.ACTION,
                                subscribe ? A2aFields.SUBSCRIBE : A2aFields.UNSUBSCRIBE)
                            .put(A2aFields.SUBSCRIBED, subscribe)
                            .put(A2aFields.COUNT, count)));
  }

  private Future<Void> add(SqlConnection conn, String caller, String topic, long now) {
    return conn.preparedQuery(A2aQueries.SUBSCRIBE)
        .execute(Tuple.of(caller, topic, now, limit))
        .compose(
            inserted -> {
              if (inserted.size() > 0) {
                return Future.succeededFuture();
              }
              // not inserted: held already (idempotent), or the limit is reached
              return conn.preparedQuery(A2aQueries.IS_SUBSCRIBED)
                  .execute(Tuple.of(caller, topic))
                  .map(
                      held -> {
                        if (held.size() == 0) {
                          throw new AspException(
                              A2aError.SUBSCRIPTION_LIMIT_REACHED,
                              "a node holds at most " + limit + " subscriptions");
                        }
                        return null;
                      });
            });
  }

  private static Future<Long> count(SqlConnection conn, String caller) {
    return conn.preparedQuery(A2aQueries.COUNT_SUBSCRIPTIONS)
        .execute(Tuple.of(caller))
        .map(rows -> rows.iterator().next().getLong("n"));
  }

  /** {@code {caller}} → {@code {subscriptions:[{topic, created_at}], count}}, oldest first. */
  public Future<JsonObject> list(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    return pool.preparedQuery(A2aQueries.SUBSCRIPTIONS)
        .execute(Tuple.of(caller))
        .map(
            rows -> {
              JsonArray topics = new JsonArray();
              for (Row row : rows) {
                topics.add(
                    new JsonObject()
                        .put(A2aFields.TOPIC, row.getString("topic"))
                        .put(A2aFields.CREATED_AT, A2aTimes.iso(row.getLong("created_at"))));
              }
              return new JsonObject()
                  .put(A2aFields.SUBSCRIPTIONS, topics)
                  .put(A2aFields.COUNT, topics.size());
            });
  }
}
