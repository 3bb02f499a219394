package dev.asp.a2a.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.EventOrigin;
import dev.asp.protocol.ParticipantStatus;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.bus.BusFields;
import dev.asp.session.log.Committed;
import dev.asp.session.log.EventAnnouncer;
import dev.asp.session.log.EventLog;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code BOARD_READ}, {@code BOARD_UPDATE}, {@code SUBMIT} and {@code ORCHESTRATE} (hub spec §8),
 * and the mailbox's delegate and submit. Each command runs in one transaction under the session row
 * lock: it reads the board, changes it through {@link Board} (all of it, or nothing when any part
 * is refused), stores the changed rows, appends one {@code a2a.task_board_update} and whatever the
 * status machine adds ({@link Convergence}), and commits; the reply and the announcement come
 * after. The request shapes were checked by the gateway; what depends on the board or the
 * participants is checked here, under the lock. Like {@link SessionCommands}, each has a {@code
 * prepare…} form the mailbox runs in its own transaction.
 */
public final class BoardCommands {
  static final String TYPE_BOARD_UPDATE = "a2a.task_board_update";

  private final Pool pool;
  private final EventAnnouncer announcer;
  private final EventViews views;
  private final Reminders reminders;
  private final Convergence convergence;
  private final Notices notices;

  BoardCommands(
      Pool pool,
      EventAnnouncer announcer,
      EventViews views,
      Reminders reminders,
      Convergence convergence,
      Notices notices) {
    this.pool = pool;
    this.notices = notices;
    this.announcer = announcer;
    this.views = views;
    this.reminders = reminders;
    this.convergence = convergence;
  }

  public static BoardCommands create(
      Pool pool,
      EventAnnouncer announcer,
      EventViews views,
      long convergeWindowMs,
      Notices notices) {
    return new BoardCommands(
        pool,
        announcer,
        views,
        new Reminders(views),
        new Convergence(convergeWindowMs, views),
        notices);
  }

  Convergence convergence() {
    return convergence;
  }

  // --- read

  /** {@code BOARD_READ}: a public board is open to anyone, a private one to its participants. */
  public Future<JsonObject> read(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    String id = body.getString(A2aFields.SESSION_ID);
    return A2aSession.peek(pool, id, caller == null ? "" : caller)
        .compose(
            session -> {
              session.requireBoard();
              if (!session.isPublic()
                  && (session.callerStatus() == null
                      || session.callerStatus() == ParticipantStatus.LEFT)) {
                throw SessionCommands.notFound();
              }
              return Tasks.read(pool, id)
                  .map(
                      tasks ->
                          new JsonObject()
                              .put(A2aFields.SESSION_ID, id)
                              .put(A2aFields.STATUS, session.status())
                              .put(A2aFields.TASKS, json(tasks))
                              .put(A2aFields.SUMMARY, Board.summary(tasks))
                              .put(A2aFields.COUNT, tasks.size()));
            });
  }

  // --- update

  public Future<JsonObject> update(JsonObject body) {
    return commit(prepareUpdate(body));
  }

  /** {@code BOARD_UPDATE}: nothing to ask before the transaction. */
  public Future<SessionCommands.Prepared> prepareUpdate(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    String id = body.getString(A2aFields.SESSION_ID);
    JsonArray add = body.getJsonArray(A2aFields.ADD_TASKS, new JsonArray());
    JsonArray update = body.getJsonArray(A2aFields.UPDATE_TASKS, new JsonArray());
    return Future.succeededFuture(
        conn ->
            locked(
                conn,
                id,
                caller,
                (step) -> {
                  step.board.add(add, caller, step.joined, A2aFields.ADD_TASKS);
                  step.board.update(update);
                  return step.finish(!add.isEmpty(), false)
                      .map(
                          status ->
                              new JsonObject()
                                  .put(A2aFields.SESSION_ID, id)
                                  .put(A2aFields.ADDED, json(step.board.added()))
                                  .put(A2aFields.UPDATED, json(step.board.updated()))
                                  .put(A2aFields.SUMMARY, step.board.summary()));
                }));
  }

  // --- submit

  public Future<JsonObject> submit(JsonObject body) {
    return commit(prepareSubmit(body));
  }

  /** {@code SUBMIT}: nothing to ask before the transaction. */
  public Future<SessionCommands.Prepared> prepareSubmit(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    String id = body.getString(A2aFields.SESSION_ID);
    String taskId = body.getString(A2aFields.TASK_ID);
    String asset = body.getString(A2aFields.RESULT_ASSET_ID);
    String summary = body.getString(A2aFields.SUMMARY);
    return Future.succeededFuture(
        conn ->
            locked(
                conn,
                id,
                caller,
                (step) -> {
                  step.board.submit(taskId, caller, asset, summary);
                  return step.finish(false, false)
                      .compose(
                          status ->
                              reminders
                                  .reminder(
                                      conn,
                                      step.session,
                                      status,
                                      step.roles,
                                      caller,
                                      step.board.tasks())
                                  .map(
                                      reminder ->
                                          new JsonObject()
                                              .put(A2aFields.SESSION_ID, id)
                                              .put(A2aFields.TASK_ID, taskId)
                                              .put(A2aFields.STATUS, Task.COMPLETED)
                                              .put(A2aFields.RESULT_ASSET_ID, asset)
                                              .put(
                                                  A2aFields.UNBLOCKED,
                                                  new JsonArray(step.board.unblocked()))
                                              .put(A2aFields.SESSION_STATUS, status.status())
                                              .put(A2aFields.SESSION_REMINDER, reminder)));
                }));
  }

  // --- orchestrate

  public Future<JsonObject> orchestrate(JsonObject body) {
    return commit(prepareOrchestrate(body));
  }

  /**
   * {@code ORCHESTRATE}: the orchestrator's board updates, then reassignments, then {@code
   * force_converge}, in one transaction; a refused part refuses all.
   */
  public Future<SessionCommands.Prepared> prepareOrchestrate(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    String id = body.getString(A2aFields.SESSION_ID);
    JsonArray add = body.getJsonArray(A2aFields.ADD_TASKS, new JsonArray());
    JsonArray update = body.getJsonArray(A2aFields.UPDATE_TASKS, new JsonArray());
    JsonArray reassign = body.getJsonArray(A2aFields.REASSIGN, new JsonArray());
    boolean force = body.getBoolean(A2aFields.FORCE_CONVERGE, false);
    return Future.succeededFuture(
        conn ->
            locked(
                conn,
                id,
                caller,
                (step) -> {
                  if (!caller.equals(step.roles.orchestrator())) {
                    throw new AspException(
                        A2aError.NOT_SESSION_ORCHESTRATOR,
                        "only the session's orchestrator may orchestrate");
                  }
                  String path = A2aFields.TASK_BOARD_UPDATES + "." + A2aFields.ADD_TASKS;
                  step.board.add(add, caller, step.joined, path);
                  step.board.update(update);
                  // each reassignment's from is its assignee before this one (the same task may
                  // move twice in one call); its status is read after the board settled
                  JsonArray reassigned = new JsonArray();
                  for (int i = 0; i < reassign.size(); i++) {
                    JsonObject item = reassign.getJsonObject(i);
                    String taskId = item.getString(A2aFields.TASK_ID);
                    String to = item.getString(A2aFields.TO);
                    String from =
                        step.board.reassign(
                            taskId,
                            to,
                            step.joined,
                            A2aFields.REASSIGN + "[" + i + "]." + A2aFields.TO_NODE_ID);
                    reassigned.add(
                        new JsonObject()
                            .put(A2aFields.TASK_ID, taskId)
                            .put(A2aFields.FROM, views.wire(from))
                            .put(A2aFields.TO, views.wire(to)));
                  }
                  return step.finish(!add.isEmpty(), force)
                      .map(
                          status -> {
                            for (int i = 0; i < reassigned.size(); i++) {
                              JsonObject item = reassigned.getJsonObject(i);
                              item.put(
                                  A2aFields.STATUS,
                                  step.board.get(item.getString(A2aFields.TASK_ID)).status());
                            }
                            return new JsonObject()
                                .put(A2aFields.SESSION_ID, id)
                                .put(
                                    A2aFields.BOARD,
                                    new JsonObject()
                                        .put(A2aFields.ADDED, json(step.board.added()))
                                        .put(A2aFields.UPDATED, json(step.board.updated())))
                                .put(A2aFields.REASSIGNED, reassigned)
                                .put(
                                    A2aFields.CONVERGING,
                                    A2aSession.CONVERGING.equals(status.status()))
                                .put(A2aFields.SESSION_STATUS, status.status());
                          });
                }));
  }

  // --- the shared transaction

  /** One board command's state under the lock. */
  private final class Step {
    final SqlConnection conn;
    final A2aSession session;
    final Roles roles;
    final Set<String> joined;
    final Board board;
    final EventLog log;
    final String caller;
    boolean noticesQueued;

    Step(
        SqlConnection conn,
        A2aSession session,
        Roles roles,
        Board board,
        EventLog log,
        String caller) {
      this.conn = conn;
      this.session = session;
      this.roles = roles;
      this.joined = new HashSet<>(roles.joined());
      this.board = board;
      this.log = log;
      this.caller = caller;
    }

    /**
     * Settles and stores the board, records the change in one {@code task_board_update}, and lets
     * the status machine move.
     */
    Future<Reminders.Standing> finish(boolean tasksAdded, boolean force) {
      board.settle();
      Future<Void> stored = Future.succeededFuture();
      if (board.changed()) {
        log.append(TYPE_BOARD_UPDATE, caller, board.event(caller, views), null);
        stored =
            Tasks.store(conn, board)
                .compose(v -> queue(Notices.TOPIC_TASK_AVAILABLE, board.added()))
                .compose(v -> queue(Notices.KNOWLEDGE_UPDATE, board.completedNow()));
      }
      String before = session.status();
      return stored
          .compose(v -> touch(conn, session.id(), log.now()))
          .compose(v -> convergence.after(conn, log, session, before, board, tasksAdded, force))
          .compose(
              status ->
                  A2aSession.CONVERGING.equals(status)
                      ? A2aSession.peek(conn, session.id(), caller).map(Reminders.Standing::of)
                      : Future.succeededFuture(new Reminders.Standing(status, null)));
    }

    /** Queues subscription notices of {@code type} for {@code tasks}, delivered after commit. */
    private Future<Void> queue(String type, List<Task> tasks) {
      return Notices.queue(conn, session, type, tasks, caller, log.now())
          .map(
              queued -> {
                if (queued && !noticesQueued) {
                  noticesQueued = true;
                  // delivered after this transaction commits, whichever path runs it
                  conn.transaction().completion().onSuccess(v -> notices.deliver());
                }
                return null;
              });
    }
  }

  @FunctionalInterface
  private interface BoardStep {
    Future<JsonObject> apply(Step step);
  }

  /**
   * Locks the session, requires a joined caller of an open {@code a2a} session, reads the
   * participants and the board, runs the step and writes the log.
   */
  private Future<Committed> locked(
      SqlConnection conn, String id, String caller, BoardStep command) {
    long now = System.currentTimeMillis();
    return A2aSession.lock(conn, id, caller)
        .compose(
            session -> {
              session.requireBoard().requireJoined().requireOpen();
              return Roles.read(conn, session)
                  .compose(
                      roles ->
                          Tasks.board(conn, id, now)
                              .compose(
                                  board -> {
                                    EventLog log =
                                        new EventLog(
                                            id, session.nextSequence(), now, EventOrigin.A2A);
                                    Step step = new Step(conn, session, roles, board, log, caller);
                                    return command
                                        .apply(step)
                                        .compose(
                                            reply ->
                                                log.write(conn)
                                                    .map(
                                                        announcement ->
                                                            new Committed(reply, announcement)));
                                  }));
            });
  }

  private static Future<Void> touch(SqlConnection conn, String id, long now) {
    return conn.preparedQuery(A2aQueries.TOUCH_SESSION).execute(Tuple.of(id, now)).mapEmpty();
  }

  private JsonArray json(List<Task> tasks) {
    return Task.json(tasks, views);
  }

  private Future<JsonObject> commit(Future<SessionCommands.Prepared> prepared) {
    return prepared
        .compose(p -> pool.withTransaction(p::run))
        .map(
            committed -> {
              announcer.announce(committed);
              return committed.reply();
            });
  }
}
