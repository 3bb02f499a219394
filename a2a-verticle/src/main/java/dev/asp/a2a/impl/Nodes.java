package dev.asp.a2a.impl;

import dev.asp.a2a.A2aSettings;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.a2a.Capabilities;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/**
 * {@code NODE_SEEN}: node records and liveness (hub spec §3 capabilities, §4). Once a hello or
 * heartbeat is answered, the stalled pipelines the node could take are retried (§13), without
 * delaying that answer or ever failing it.
 */
public final class Nodes {
  private final Pool pool;
  private final A2aSettings settings;
  private final Pipelines pipelines;

  public Nodes(Pool pool, A2aSettings settings, Pipelines pipelines) {
    this.pool = pool;
    this.settings = settings;
    this.pipelines = pipelines;
  }

  public Future<JsonObject> seen(JsonObject body) {
    String handle = body.getString(BusFields.CALLER);
    boolean hello = body.getBoolean(A2aFields.HELLO, false);
    Object declared = body.getValue(A2aFields.CAPABILITIES);
    String[] keywords = null;
    JsonObject capabilities = null;
    if (hello) {
      List<String> words = Capabilities.keywords(declared);
      keywords = words.toArray(String[]::new);
      capabilities = new JsonObject().put(A2aFields.CAPABILITIES, declared);
    }
    return pool.preparedQuery(A2aQueries.NODE_SEEN)
        .execute(Tuple.of(handle, keywords, capabilities, hello))
        .map(
            rows -> {
              Integer level = rows.iterator().next().getInteger("level");
              return new JsonObject()
                  .put(A2aFields.LEVEL, level == null ? settings.defaultLevel() : level);
            })
        // the reply is ready: the retry only starts its first query here and runs on its own
        // (it logs its failures and never fails)
        .onSuccess(reply -> pipelines.retryStalled(handle));
  }

  /** {@code SET_LEVEL}. */
  public Future<JsonObject> setLevel(JsonObject body) {
    String handle = body.getString(A2aFields.HANDLE);
    Integer level = body.getInteger(A2aFields.LEVEL);
    if (handle == null || level == null || level < 1 || level > 3) {
      throw new dev.asp.protocol.AspException(
          dev.asp.protocol.a2a.A2aError.VALIDATION_ERROR, "handle and a level 1..3 are required");
    }
    return pool.preparedQuery(A2aQueries.SET_LEVEL)
        .execute(Tuple.of(handle, level))
        .map(v -> new JsonObject().put(A2aFields.HANDLE, handle).put(A2aFields.LEVEL, level));
  }

  /**
   * Runs {@code command} only if the caller's level reaches {@code required} (§3: when gating is
   * on, a call above the node's level is {@code insufficient_capability_level}); without gating, or
   * for level 1, it runs at once.
   */
  public java.util.function.Function<JsonObject, Future<JsonObject>> gated(
      int required, java.util.function.Function<JsonObject, Future<JsonObject>> command) {
    if (!settings.levelGating() || required <= 1) {
      return command;
    }
    return body ->
        requireLevel(body.getString(BusFields.CALLER), required).compose(v -> command.apply(body));
  }

  /**
   * Succeeds when gating is off or {@code caller}'s level reaches {@code required}; else fails
   * {@code insufficient_capability_level}. The mailbox asks it per message (a mailbox message needs
   * the level of its operation).
   */
  public Future<Void> requireLevel(String caller, int required) {
    if (!settings.levelGating() || required <= 1) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery(A2aQueries.LEVEL)
        .execute(Tuple.of(caller))
        .compose(
            rows -> {
              Integer stored = rows.size() == 0 ? null : rows.iterator().next().getInteger("level");
              int level = stored == null ? settings.defaultLevel() : stored;
              if (level < required) {
                return Future.failedFuture(
                    new dev.asp.protocol.AspException(
                        dev.asp.protocol.a2a.A2aError.INSUFFICIENT_CAPABILITY_LEVEL,
                        "this call needs capability level "
                            + required
                            + "; the node has "
                            + level));
              }
              return Future.succeededFuture();
            });
  }
}
