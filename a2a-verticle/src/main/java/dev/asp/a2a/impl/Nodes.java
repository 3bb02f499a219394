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

/** {@code NODE_SEEN}: node records and liveness (hub spec §3 capabilities, §4). */
public final class Nodes {
  private final Pool pool;
  private final A2aSettings settings;

  public Nodes(Pool pool, A2aSettings settings) {
    this.pool = pool;
    this.settings = settings;
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
            });
  }
}
