package dev.asp.session.impl;

import dev.asp.session.log.Committed;
import dev.asp.session.log.EventAnnouncer;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Applies one change to several sessions, one after the other, each in its own transaction under
 * its own row lock (never two session locks at once, so no deadlock with commands), announcing each
 * commit as soon as it lands: a failure half-way loses nothing already done, and since every change
 * re-checks under the lock, repeating the whole run is safe.
 */
final class SessionByTransaction {
  private final Pool pool;
  private final EventAnnouncer announcer;

  SessionByTransaction(Pool pool, EventAnnouncer announcer) {
    this.pool = pool;
    this.announcer = announcer;
  }

  /**
   * @param sessions rows with a {@code session_id} column
   * @param change what to do in one session's transaction; nothing committed means unchanged
   * @return the sessions where events were committed
   */
  Future<List<String>> apply(
      RowSet<Row> sessions, BiFunction<SqlConnection, String, Future<Committed>> change) {
    Future<List<String>> done = Future.succeededFuture(new ArrayList<>());
    for (Row row : sessions) {
      String id = row.getString("session_id");
      done = done.compose(changed -> applyOne(id, change, changed));
    }
    return done;
  }

  private Future<List<String>> applyOne(
      String id,
      BiFunction<SqlConnection, String, Future<Committed>> change,
      List<String> changed) {
    return pool.withTransaction(conn -> change.apply(conn, id))
        .map(
            committed -> {
              if (!committed.events().isEmpty()) {
                announcer.announce(committed);
                changed.add(id);
              }
              return changed;
            });
  }
}
