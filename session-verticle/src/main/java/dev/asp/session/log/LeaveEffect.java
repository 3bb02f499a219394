package dev.asp.session.log;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;

/**
 * What else happens when a participant leaves a session, wherever it leaves (an ASP leave, a block
 * force-leave, a grace expiry, an A2A leave or decline): run by {@link Membership#leave} inside the
 * leaving transaction, under the session row lock, right after {@code session.left} and before a
 * {@code session.ended} the leave may cause. It may change rows of its own module and append events
 * to the same log, which commit with the leave. The session module knows only this contract; the
 * operator hands the A2A module's implementation (the leaver's open tasks lose their assignee, hub
 * spec §2.4.5) to every verticle that lets agents leave.
 */
@FunctionalInterface
public interface LeaveEffect {
  /** Nothing else happens (no A2A layer). */
  LeaveEffect NONE = (conn, log, agent) -> Future.succeededFuture();

  /**
   * @param log the leaving transaction's log, {@code session.left} of {@code agent} last in it
   * @param agent the handle that left
   */
  Future<Void> apply(SqlConnection conn, EventLog log, String agent);
}
