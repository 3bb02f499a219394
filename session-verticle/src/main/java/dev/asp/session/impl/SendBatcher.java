package dev.asp.session.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.ParticipantStatus;
import dev.asp.protocol.SessionState;
import dev.asp.session.log.Announcement;
import dev.asp.session.log.Committed;
import dev.asp.session.log.EventAnnouncer;
import dev.asp.session.log.EventLog;
import dev.asp.session.log.Idempotency;
import dev.asp.session.log.LogQueries;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * {@code SEND} with group commit per session. A session's log is appended under its row lock, so
 * its messages commit one after the other, each waiting for the one before to be durable: one busy
 * session could take no more messages per second than the disk takes commits. Here a send to a
 * session that has no transaction under way in this verticle instance starts at once, alone; sends
 * arriving meanwhile wait and then go together, in arrival order, in one transaction (one lock, one
 * commit), each with its own checks, idempotency and reply, exactly as if sent one by one.
 *
 * <p>If such a transaction fails as a whole (a concurrent retry took an idempotency key, the
 * database went away), each of its sends is tried again alone, so one bad request never fails
 * another. Confined to the verticle's context.
 */
public final class SendBatcher {
  /** Most sends committed together. */
  static final int MAX_BATCH = 64;

  /** Most sends waiting per session; beyond, a send goes alone, straight to the lock. */
  static final int MAX_WAITING = 1024;

  private final Pool pool;
  private final SendMessage single;
  private final EventAnnouncer announcer;

  /** Sessions with a transaction under way here → the sends waiting for it. */
  private final Map<String, ArrayDeque<Pending>> busy = new HashMap<>();

  public SendBatcher(Pool pool, SendMessage single, EventAnnouncer announcer) {
    this.pool = pool;
    this.single = single;
    this.announcer = announcer;
  }

  private record Pending(SendMessage.Request request, Promise<Committed> result) {}

  /** The outcome of one send of a batch: a reply, or an error for that send only. */
  private static final class Outcome {
    JsonObject reply;
    AspException error;
    boolean appended;
  }

  public Future<Committed> handle(JsonObject body) {
    SendMessage.Request request = single.parse(body);
    Pending pending = new Pending(request, Promise.promise());
    ArrayDeque<Pending> waiting = busy.get(request.sessionId());
    if (waiting == null) {
      busy.put(request.sessionId(), new ArrayDeque<>());
      run(request.sessionId(), List.of(pending));
    } else if (waiting.size() < MAX_WAITING) {
      waiting.add(pending);
    } else {
      return single.handle(request);
    }
    return pending.result().future();
  }

  private void run(String sessionId, List<Pending> batch) {
    Future<Void> done;
    if (batch.size() == 1) {
      Pending only = batch.get(0);
      done = single.handle(only.request()).onComplete(only.result()).transform(ignored -> ok());
    } else {
      done =
          together(sessionId, batch)
              .recover(failure -> oneByOne(batch)); // whole transaction failed: nothing committed
    }
    done.onComplete(
        ignored -> {
          ArrayDeque<Pending> waiting = busy.get(sessionId);
          if (waiting.isEmpty()) {
            busy.remove(sessionId);
            return;
          }
          List<Pending> next = new ArrayList<>(Math.min(MAX_BATCH, waiting.size()));
          while (!waiting.isEmpty() && next.size() < MAX_BATCH) {
            next.add(waiting.poll());
          }
          run(sessionId, next);
        });
  }

  private static Future<Void> ok() {
    return Future.succeededFuture();
  }

  private Future<Void> oneByOne(List<Pending> batch) {
    Future<Void> chain = ok();
    for (Pending pending : batch) {
      chain =
          chain.compose(
              v ->
                  single
                      .handle(pending.request())
                      .onComplete(pending.result())
                      .transform(ignored -> ok()));
    }
    return chain;
  }

  /** The batch in one transaction; completes each send's promise after the commit. */
  private Future<Void> together(String sessionId, List<Pending> batch) {
    List<Outcome> outcomes = new ArrayList<>(batch.size());
    LinkedHashSet<String> callers = new LinkedHashSet<>();
    for (Pending pending : batch) {
      outcomes.add(new Outcome());
      callers.add(pending.request().caller());
    }
    return pool.withTransaction(
            conn ->
                conn.preparedQuery(LogQueries.LOCK_SESSION_FOR_CALLERS)
                    // built explicitly: Tuple.of(id, array) spreads the array as varargs
                    .execute(
                        Tuple.tuple()
                            .addString(sessionId)
                            .addArrayOfString(callers.toArray(String[]::new)))
                    .compose(rows -> appendAll(conn, sessionId, rows, batch, outcomes)))
        .map(
            announcement -> {
              announcer.announce(announcement); // before any reply, as for a send alone
              for (int i = 0; i < batch.size(); i++) {
                Outcome outcome = outcomes.get(i);
                Promise<Committed> result = batch.get(i).result();
                if (outcome.error != null) {
                  result.fail(outcome.error);
                } else {
                  result.complete(Committed.replay(outcome.reply));
                }
              }
              return null;
            });
  }

  private Future<Announcement> appendAll(
      SqlConnection conn,
      String sessionId,
      RowSet<Row> rows,
      List<Pending> batch,
      List<Outcome> outcomes) {
    if (rows.size() == 0) {
      for (Outcome outcome : outcomes) {
        outcome.error = AspException.notFound();
      }
      return Future.succeededFuture(Announcement.none());
    }
    Map<String, ParticipantStatus> statuses = new HashMap<>();
    SessionState state = null;
    long nextSequence = 0;
    for (Row row : rows) {
      state = SessionState.fromWire(row.getString("state"));
      nextSequence = row.getLong("next_sequence");
      String handle = row.getString("handle");
      if (handle != null) {
        statuses.put(handle, ParticipantStatus.fromWire(row.getString("status")));
      }
    }
    EventLog log = new EventLog(sessionId, nextSequence, System.currentTimeMillis());
    SessionState sessionState = state;
    // In arrival order: the checks of a send alone (SessionSnapshot, SendMessage), then append.
    Future<Void> checked = ok();
    for (int i = 0; i < batch.size(); i++) {
      SendMessage.Request request = batch.get(i).request();
      Outcome outcome = outcomes.get(i);
      ParticipantStatus status = statuses.get(request.caller());
      if (status == null) {
        outcome.error = AspException.notFound();
        continue;
      }
      checked =
          checked.compose(
              v ->
                  Idempotency.find(conn, request.caller(), sessionId, request.idempotencyKey())
                      .map(
                          stored -> {
                            if (stored != null) {
                              outcome.reply = stored;
                            } else if (sessionState != SessionState.ACTIVE) {
                              outcome.error =
                                  new AspException(
                                      ErrorCode.SESSION_ENDED, "the session has ended");
                            } else if (status != ParticipantStatus.JOINED) {
                              outcome.error =
                                  new AspException(
                                      ErrorCode.FORBIDDEN, "only joined participants may do this");
                            } else {
                              outcome.reply = SendMessage.append(log, request);
                              outcome.appended = true;
                            }
                            return null;
                          }));
    }
    return checked.compose(
        v ->
            log.write(conn)
                .compose(
                    announcement -> {
                      Future<Void> remembered = ok();
                      for (int i = 0; i < batch.size(); i++) {
                        SendMessage.Request request = batch.get(i).request();
                        Outcome outcome = outcomes.get(i);
                        if (!outcome.appended) {
                          continue;
                        }
                        remembered =
                            remembered.compose(
                                w ->
                                    Idempotency.remember(
                                        conn,
                                        request.caller(),
                                        sessionId,
                                        request.idempotencyKey(),
                                        outcome.reply,
                                        log.now()));
                      }
                      return remembered.map(announcement);
                    }));
  }
}
