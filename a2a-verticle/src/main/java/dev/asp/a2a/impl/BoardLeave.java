package dev.asp.a2a.impl;

import dev.asp.session.log.EventLog;
import dev.asp.session.log.LeaveEffect;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * The A2A layer's {@link LeaveEffect} (hub spec §2.4.5, §6.3): a leaver's unfinished tasks lose
 * their assignee and become pending (or stay blocked), recorded by one {@code task_board_update} in
 * the leaving transaction, whichever path the leave took. A leaver without open tasks (every leave
 * of a session without a board) costs one indexed look-up.
 */
public final class BoardLeave implements LeaveEffect {
  private final EventViews views;

  public BoardLeave(String nodeOwner) {
    this.views = new EventViews(nodeOwner);
  }

  @Override
  public Future<Void> apply(SqlConnection conn, EventLog log, String agent) {
    return conn.preparedQuery(A2aQueries.HOLDS_OPEN_TASKS)
        .execute(Tuple.of(log.sessionId(), agent))
        .compose(
            held -> {
              if (held.size() == 0) {
                return Future.succeededFuture();
              }
              return Tasks.board(conn, log.sessionId(), log.now())
                  .compose(
                      board -> {
                        board.unassign(agent);
                        board.settle();
                        log.append(
                            BoardCommands.TYPE_BOARD_UPDATE,
                            agent,
                            board.event(agent, views),
                            null);
                        return Tasks.store(conn, board);
                      });
            });
  }
}
