package dev.asp.a2a.impl;

import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.a2a.A2aTimes;
import dev.asp.session.log.EventLog;
import dev.asp.session.log.Membership;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The board half of the session status machine (hub spec §6.1, §8.6), inside a command's
 * transaction under the session row lock: {@code active → converging} when every task of a
 * non-empty board is completed or the orchestrator forces it, {@code converging → active} when a
 * task is added, {@code converging → completed} when the window ends ({@code a2a.session_converged}
 * then {@code session.ended}, at once for a window of 0), and {@code → failed} after the idle
 * limit. The window's end is stored as a database-clock time, so whichever node's {@link Sweeper}
 * looks next finishes it.
 */
final class Convergence {
  static final String TYPE_STATUS = "a2a.session_status";
  static final String TYPE_CONVERGED = "a2a.session_converged";
  static final String REASON_ALL_COMPLETED = "all_tasks_completed";
  static final String REASON_FORCED = "force_converge";
  static final String REASON_TASKS_ADDED = "tasks_added";
  static final String REASON_TIMEOUT = "timeout";

  private final long windowMs;
  private final EventViews views;

  Convergence(long windowMs, EventViews views) {
    this.windowMs = windowMs;
    this.views = views;
  }

  /**
   * After a board change: moves the status as the change requires and returns the status now.
   *
   * @param status the status read under the lock (active or converging)
   * @param tasksAdded the change added tasks
   * @param force the orchestrator asked to converge
   */
  Future<String> after(
      SqlConnection conn,
      EventLog log,
      A2aSession session,
      String status,
      Board board,
      boolean tasksAdded,
      boolean force) {
    if (A2aSession.CONVERGING.equals(status)) {
      if (!tasksAdded) {
        return Future.succeededFuture(status);
      }
      return conn.preparedQuery(A2aQueries.STOP_CONVERGING)
          .execute(Tuple.of(session.id()))
          .map(
              v -> {
                log.append(
                    TYPE_STATUS,
                    null,
                    status(session, A2aSession.ACTIVE, status, REASON_TASKS_ADDED, null),
                    null);
                return A2aSession.ACTIVE;
              });
    }
    boolean allDone = board.allCompleted();
    if (!force && !allDone) {
      return Future.succeededFuture(status);
    }
    String reason = allDone ? REASON_ALL_COMPLETED : REASON_FORCED;
    boolean forced = !allDone;
    return conn.preparedQuery(A2aQueries.START_CONVERGING)
        .execute(Tuple.of(session.id(), windowMs, forced))
        .compose(
            rows -> {
              long completesAt = rows.iterator().next().getLong("completes_at");
              log.append(
                  TYPE_STATUS,
                  null,
                  status(session, A2aSession.CONVERGING, status, reason, completesAt),
                  null);
              if (windowMs == 0) {
                return complete(conn, log, session, board.tasks(), forced)
                    .map(v -> A2aSession.COMPLETED);
              }
              return Future.succeededFuture(A2aSession.CONVERGING);
            });
  }

  /**
   * The end of the window: {@code a2a.session_converged} with the results and shares, then {@code
   * session.ended} with no {@code ended_by}; the session is {@code completed} and ended for ASP.
   */
  Future<Void> complete(
      SqlConnection conn, EventLog log, A2aSession session, List<Task> tasks, boolean forced) {
    JsonArray results = new JsonArray();
    JsonArray incomplete = new JsonArray();
    for (Task task : tasks) {
      if (task.completed()) {
        results.add(
            new JsonObject()
                .put(A2aFields.TASK_ID, task.id())
                .put(A2aFields.TITLE, task.title())
                .put(A2aFields.ASSIGNED_TO, views.wire(task.assignee()))
                .put(A2aFields.RESULT_ASSET_ID, task.resultAssetId())
                .put(A2aFields.SUMMARY, task.summary())
                .put(A2aFields.CONTRIBUTION_WEIGHT, task.weight()));
      } else {
        incomplete.add(task.id());
      }
    }
    log.append(
        TYPE_CONVERGED,
        null,
        new JsonObject()
            .put(A2aFields.SESSION_ID, session.id())
            .put(A2aFields.TITLE, session.topic())
            .put(A2aFields.STATUS, A2aSession.COMPLETED)
            .put(A2aFields.FORCED, forced)
            .put(A2aFields.RESULTS, results)
            .put(A2aFields.CONTRIBUTIONS, contributions(tasks))
            .put(A2aFields.INCOMPLETE_TASKS, incomplete),
        null);
    return finish(conn, log, session, A2aSession.COMPLETED);
  }

  /** Idle too long: {@code a2a.session_status} failed (timeout), then {@code session.ended}. */
  Future<Void> fail(SqlConnection conn, EventLog log, A2aSession session, String status) {
    log.append(
        TYPE_STATUS, null, status(session, A2aSession.FAILED, status, REASON_TIMEOUT, null), null);
    return finish(conn, log, session, A2aSession.FAILED);
  }

  private static Future<Void> finish(
      SqlConnection conn, EventLog log, A2aSession session, String finalStatus) {
    return conn.preparedQuery(A2aQueries.FINISH_SESSION)
        .execute(Tuple.of(session.id(), finalStatus, log.now()))
        .compose(v -> Membership.end(conn, log, null));
  }

  private static JsonObject status(
      A2aSession session, String status, String previous, String reason, Long completesAt) {
    return new JsonObject()
        .put(A2aFields.SESSION_ID, session.id())
        .put(A2aFields.STATUS, status)
        .put(A2aFields.PREVIOUS_STATUS, previous)
        .put(A2aFields.REASON, reason)
        .put(A2aFields.COMPLETES_AT, completesAt == null ? null : A2aTimes.iso(completesAt));
  }

  /**
   * [choice] Each contributor's share: the weights of its completed tasks over the weights of all
   * completed tasks; a null weight counts 1/(number of tasks); an empty sum gives every share 0.
   */
  JsonArray contributions(List<Task> tasks) {
    double unweighted = tasks.isEmpty() ? 0 : 1.0 / tasks.size();
    Map<String, Double> byNode = new LinkedHashMap<>();
    double total = 0;
    for (Task task : tasks) {
      if (task.completed() && task.assignee() != null) {
        double weight = task.weight() == null ? unweighted : task.weight();
        byNode.merge(task.assignee(), weight, Double::sum);
        total += weight;
      }
    }
    JsonArray contributions = new JsonArray();
    for (Map.Entry<String, Double> entry : byNode.entrySet()) {
      contributions.add(
          new JsonObject()
              .put(A2aFields.NODE_ID, views.wire(entry.getKey()))
              .put(A2aFields.SHARE, total == 0 ? 0.0 : entry.getValue() / total));
    }
    return contributions;
  }
}
