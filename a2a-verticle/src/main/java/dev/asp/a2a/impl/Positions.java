package dev.asp.a2a.impl;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Where a view stands in each session: {@code prefix} (every eligible event up to it handled) and
 * {@code extras} (handled sequences above it). Called under the view's row lock.
 */
final class Positions {
  private Positions() {}

  /** Adds the handled sequences per session and moves each prefix over what became contiguous. */
  static Future<Void> advance(
      SqlConnection conn, String node, String view, Map<String, TreeSet<Long>> handled) {
    if (handled.isEmpty()) {
      return Future.succeededFuture();
    }
    String[] sessions = handled.keySet().toArray(String[]::new);
    return conn.preparedQuery(A2aQueries.POSITIONS)
        .execute(Tuple.of(node, view, sessions))
        .compose(
            rows -> {
              for (Row row : rows) {
                TreeSet<Long> set = handled.get(row.getString("session_id"));
                set.add(row.getLong("prefix"));
                for (Long extra : row.getArrayOfLongs("extras")) {
                  set.add(extra);
                }
                set.add(Long.MIN_VALUE); // marks "prefix known" for compaction below
              }
              List<Tuple> saves = new ArrayList<>();
              handled.forEach(
                  (session, set) -> {
                    long prefix;
                    if (set.first() == Long.MIN_VALUE) {
                      set.pollFirst();
                      prefix = set.pollFirst();
                    } else {
                      prefix = -1;
                    }
                    while (!set.isEmpty() && set.first() <= prefix + 1) {
                      prefix = Math.max(prefix, set.pollFirst());
                    }
                    saves.add(Tuple.of(node, view, session, prefix, set.toArray(Long[]::new)));
                  });
              return conn.preparedQuery(A2aQueries.SAVE_POSITION).executeBatch(saves).mapEmpty();
            });
  }
}
