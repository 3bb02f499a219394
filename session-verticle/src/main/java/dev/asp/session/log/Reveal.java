package dev.asp.session.log;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/**
 * Widens events written for their author alone to everyone eligible (hub spec §12: a diverge post
 * is hidden until its phase ends). The events stay where they are in the log, with the same
 * sequence and payload; only their audience is cleared, in the transaction that ends the secrecy,
 * under the session row lock. Live streams do not replay them (their positions moved past the
 * events when they were hidden); reads from the log (history, transcript replay, {@code GET
 * /sessions/{id}/events}) show them from then on.
 */
public final class Reveal {
  private Reveal() {}

  public static Future<Void> toEveryone(
      SqlConnection conn, String sessionId, List<Long> sequences) {
    if (sequences.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(LogQueries.REVEAL)
        .execute(Tuple.tuple().addString(sessionId).addArrayOfLong(sequences.toArray(Long[]::new)))
        .mapEmpty();
  }
}
