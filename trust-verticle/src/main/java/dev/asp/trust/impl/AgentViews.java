package dev.asp.trust.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.Arrays;

/**
 * The agent view of the admin API: {@code {handle, owner, inbound_policy, allowlist, blocks,
 * tokens:[{token_id, created_at}], created_at}}. Lists are sorted; only active tokens are shown,
 * and never their secret or hash.
 */
final class AgentViews {
  private AgentViews() {}

  /** The view of a live agent, or {@code not_found}. */
  static Future<JsonObject> load(SqlClient client, String handle) {
    return client
        .preparedQuery(TrustQueries.AGENT_VIEW)
        .execute(Tuple.of(handle))
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw AspException.notFound();
              }
              return toJson(rows.iterator().next());
            });
  }

  /** Views of every live agent of {@code owner}, or of every owner when it is {@code null}. */
  /** Up to {@code limit} views after the handle {@code after} (null: from the first). */
  static Future<JsonArray> list(SqlClient client, String owner, String after, int limit) {
    return client
        .preparedQuery(TrustQueries.AGENT_VIEWS)
        .execute(Tuple.of(owner, after, limit))
        .map(AgentViews::toJson);
  }

  private static JsonArray toJson(RowSet<Row> rows) {
    JsonArray views = new JsonArray();
    rows.forEach(row -> views.add(toJson(row)));
    return views;
  }

  private static JsonObject toJson(Row row) {
    return new JsonObject()
        .put(Fields.HANDLE, row.getString("handle"))
        .put(BusFields.OWNER, row.getString("owner"))
        .put(BusFields.INBOUND_POLICY, row.getString("inbound_policy"))
        .put(BusFields.ALLOWLIST, new JsonArray(Arrays.asList(row.getArrayOfStrings("allowlist"))))
        .put(BusFields.BLOCKS, new JsonArray(Arrays.asList(row.getArrayOfStrings("blocks"))))
        .put(BusFields.TOKENS, row.getJsonArray("tokens"))
        .put(Fields.CREATED_AT, row.getLong("created_at"));
  }
}
