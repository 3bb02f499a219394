package dev.asp.a2a.impl;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/** Reads and stores a session's board ({@code a2a_tasks}); the rules are {@link Board}'s. */
final class Tasks {
  private Tasks() {}

  /** The board of a session in creation order (under the session lock, for a command). */
  static Future<Board> board(SqlClient client, String sessionId, long now) {
    return read(client, sessionId).map(tasks -> Board.of(sessionId, tasks, now));
  }

  static Future<List<Task>> read(SqlClient client, String sessionId) {
    return client
        .preparedQuery(A2aQueries.BOARD)
        .execute(Tuple.of(sessionId))
        .map(
            rows -> {
              List<Task> tasks = new ArrayList<>();
              for (Row row : rows) {
                tasks.add(Task.of(row));
              }
              return tasks;
            });
  }

  /** Stores what the command changed: new tasks inserted, changed ones updated. */
  static Future<Void> store(SqlClient client, Board board) {
    List<Tuple> inserts = board.added().stream().map(Tasks::insertRow).toList();
    List<Tuple> updates = board.updated().stream().map(Tasks::updateRow).toList();
    Future<Void> inserted =
        inserts.isEmpty()
            ? Future.succeededFuture()
            : client.preparedQuery(A2aQueries.INSERT_TASK).executeBatch(inserts).mapEmpty();
    return inserted.compose(
        v ->
            updates.isEmpty()
                ? Future.succeededFuture()
                : client.preparedQuery(A2aQueries.UPDATE_TASK).executeBatch(updates).mapEmpty());
  }

  private static Tuple insertRow(Task t) {
    // Tuple.of(x, array) would spread a String[] as varargs: build the row value by value
    return Tuple.tuple()
        .addValue(t.id())
        .addValue(t.sessionId())
        .addValue(t.position())
        .addValue(t.title())
        .addValue(t.description())
        .addValue(t.signals().toArray(String[]::new))
        .addValue(t.dependsOn().toArray(String[]::new))
        .addValue(t.weight())
        .addValue(t.role())
        .addValue(t.status())
        .addValue(t.assignee())
        .addValue(t.resultAssetId())
        .addValue(t.summary())
        .addValue(t.createdBy())
        .addValue(t.createdAt())
        .addValue(t.updatedAt())
        .addValue(t.completedAt());
  }

  private static Tuple updateRow(Task t) {
    return Tuple.tuple()
        .addValue(t.id())
        .addValue(t.title())
        .addValue(t.description())
        .addValue(t.signals().toArray(String[]::new))
        .addValue(t.dependsOn().toArray(String[]::new))
        .addValue(t.weight())
        .addValue(t.role())
        .addValue(t.status())
        .addValue(t.assignee())
        .addValue(t.resultAssetId())
        .addValue(t.summary())
        .addValue(t.updatedAt())
        .addValue(t.completedAt());
  }
}
