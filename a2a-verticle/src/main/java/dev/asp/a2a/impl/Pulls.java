package dev.asp.a2a.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.Fields;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code PULL} and {@code PULL_WRITTEN}, and the long-polls this verticle instance holds. A pull
 * that finds nothing waits here, woken by the commit announcements every node receives once (P4);
 * when another request of the same node and channel takes the channel (wherever it arrived), it
 * looks again and, no longer the channel's, answers empty at once; when its wait ends it answers
 * with whatever is there. Only the open polls live in memory: everything they hand out is decided
 * by {@link PullView} in the database, so a notice that comes early, late or twice costs a look and
 * never a wrong answer.
 *
 * <p>A pull that acknowledges implicitly first waits, briefly, for the write report of the
 * channel's previous response ({@code PULL_WRITTEN}, heard on {@link Addresses#A2A_WRITTEN}): the
 * client can read that response and poll again, on another node, before the report is in, and
 * without it those rows would be handed out a second time. A report that does not come within
 * {@link #REPORT_WAIT_MS} (its gateway died) counts as a lost response: the rows come again.
 */
public final class Pulls {
  private static final Logger LOG = LoggerFactory.getLogger(Pulls.class);

  /**
   * How long a pull waits at most for the report of the previous response: it normally arrives
   * within milliseconds of the write; waiting longer only delays the answer after a gateway died.
   */
  static final long REPORT_WAIT_MS = 2000;

  private final Vertx vertx;
  private final Pool pool;

  /** Where write reports go: commits that do not wait for the disk (a lost one means a repeat). */
  private final Pool reportPool;

  private final PullView view;
  private final long maxWaitMs;
  private final long lingerMs;
  private final long reportWaitMs;
  private final Map<String, List<Waiter>> waiting = new HashMap<>();
  private final Map<String, List<ReportWait>> reports = new HashMap<>();
  private boolean closing;

  /** How stale a polling node's last_seen may get before a pull refreshes it, at most. */
  private static final long LIVENESS_REFRESH_MS = 60_000;

  private final long refreshMs;

  /** Nodes this instance refreshed lately (when, by the nano clock), the eldest dropped first. */
  private final Map<String, Long> livenessAsked =
      new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
          return size() > MAX_LIVENESS_ENTRIES;
        }
      };

  /** Bound of {@link #livenessAsked}: a node dropped from it is only asked again sooner. */
  private static final int MAX_LIVENESS_ENTRIES = 100_000;

  /**
   * @param reportPool the pool of write reports: its commits need not wait for the disk
   * @param maxWaitMs the longest a long-poll waits ({@code ASP_A2A_POLL_MAX_WAIT_MS})
   * @param lingerMs how long after it arrives a pull that may wait first looks ({@code
   *     ASP_A2A_POLL_LINGER_MS}): a node polling a busy stream in a loop gets its events in batches
   *     instead of one round trip each, at the price of this much latency
   * @param busTimeoutMs the gateway's bus timeout: waiting for a report takes at most half of it,
   *     so the pull still answers within the time the gateway gives it
   * @param offlineMs the offline window: a pull refreshes its node's liveness well within it
   */
  public Pulls(
      Vertx vertx,
      Pool pool,
      Pool reportPool,
      EventViews views,
      long maxWaitMs,
      long lingerMs,
      long busTimeoutMs,
      long offlineMs) {
    this.reportPool = reportPool;
    this.refreshMs = Math.min(LIVENESS_REFRESH_MS, offlineMs / 4);
    this.vertx = vertx;
    this.pool = pool;
    this.view = new PullView(pool, views);
    this.maxWaitMs = maxWaitMs;
    this.lingerMs = lingerMs;
    this.reportWaitMs = Math.max(1, Math.min(REPORT_WAIT_MS, busTimeoutMs / 2));
  }

  /**
   * An open long-poll. It is registered before its first look at the view, so a commit or a
   * supersede notice arriving during that look is not missed: it makes the poll look again.
   */
  private final class Waiter {
    final PullView.Request request;
    final Promise<JsonObject> reply = Promise.promise();
    long timer = -1;
    boolean running = true;
    boolean wokenWhileRunning;
    boolean expired;

    Waiter(PullView.Request request) {
      this.request = request;
    }

    /** Its first look answered {@code batch}: answer, or wait up to {@code waitMs}. */
    void started(PullView.Batch batch, long waitMs) {
      running = false;
      if (answers(batch)) {
        finish(Future.succeededFuture(batch.reply()));
        return;
      }
      if (reply.future().isComplete()) {
        return;
      }
      timer = vertx.setTimer(waitMs, t -> expire());
      lookAgainIfWoken();
    }

    void wake() {
      if (reply.future().isComplete()) {
        return;
      }
      if (running) {
        wokenWhileRunning = true;
        return;
      }
      running = true;
      view.take(request.again())
          .onComplete(
              result -> {
                running = false;
                if (result.failed()) {
                  finish(Future.failedFuture(result.cause()));
                } else if (answers(result.result())) {
                  finish(Future.succeededFuture(result.result().reply()));
                } else {
                  lookAgainIfWoken();
                }
              });
    }

    private boolean answers(PullView.Batch batch) {
      return !batch.empty() || batch.superseded() || expired || closing;
    }

    private void lookAgainIfWoken() {
      if (wokenWhileRunning) {
        wokenWhileRunning = false;
        wake();
      }
    }

    /** The wait ended: answer with what is there now (usually nothing). */
    void expire() {
      timer = -1;
      expired = true;
      if (!running) {
        wake(); // a look that now answers whatever it finds
      } // else the look under way answers, whatever it finds
    }

    void finish(AsyncResult<JsonObject> result) {
      if (reply.future().isComplete()) {
        return;
      }
      if (timer != -1) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
      remove(waiting, request.node(), this);
      reply.handle(result);
    }
  }

  /** A pull waiting for the write report of the channel's previous response. */
  private final class ReportWait {
    final String node;
    final String channel;
    final Promise<Void> heard = Promise.promise();
    long timer = -1;

    ReportWait(String node, String channel) {
      this.node = node;
      this.channel = channel;
      reports.computeIfAbsent(node, n -> new ArrayList<>()).add(this);
    }

    /** Completes once a report was heard (also before this call), or after {@code ms}. */
    Future<Void> within(long ms) {
      if (!heard.future().isComplete()) {
        timer = vertx.setTimer(ms, t -> done());
      }
      return heard.future();
    }

    void done() {
      if (timer != -1) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
      remove(reports, node, this);
      heard.tryComplete();
    }
  }

  private static <T> void remove(Map<String, List<T>> map, String node, T item) {
    List<T> list = map.get(node);
    if (list != null) {
      list.remove(item);
      if (list.isEmpty()) {
        map.remove(node);
      }
    }
  }

  /**
   * Keeps a polling node alive (§4): its {@code last_seen} is refreshed when older than {@code
   * refreshMs}, asked at most once per {@code refreshMs} by this instance, so it is never more than
   * twice that old while the node polls — well within the offline window.
   */
  private Future<?> refreshLiveness(String node) {
    long now = System.nanoTime();
    Long asked = livenessAsked.get(node);
    if (asked != null && now - asked < TimeUnit.MILLISECONDS.toNanos(refreshMs)) {
      return Future.succeededFuture();
    }
    livenessAsked.put(node, now);
    return pool.preparedQuery(A2aQueries.POLLED).execute(Tuple.of(node, refreshMs));
  }

  private Future<Void> lingered(long ms) {
    if (ms <= 0) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    vertx.setTimer(ms, t -> done.complete());
    return done.future();
  }

  /** {@code PULL}: see {@code A2aAction.PULL}. */
  public Future<JsonObject> pull(JsonObject body) {
    PullView.Request request = request(body);
    long waitMs = Math.min(Math.max(0, body.getLong(A2aFields.WAIT_MS, 0L)), maxWaitMs);
    Waiter waiter = null;
    if (waitMs > 0 && !closing) {
      waiter = new Waiter(request);
      waiting.computeIfAbsent(request.node(), n -> new ArrayList<>()).add(waiter);
    }
    Waiter held = waiter;
    // a pull that may wait looks a little later: a busy stream's events gather into one answer
    // (the waiter is registered already, so nothing committed meanwhile is missed)
    long linger = held == null ? 0 : Math.min(lingerMs, waitMs);
    return lingered(linger)
        .compose(
            lingered -> {
              long reportDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(reportWaitMs);
              // an open poll or stream keeps its node alive (§4): refreshed well within the
              // offline window
              return refreshLiveness(request.node())
                  .compose(v -> takeAfterReports(request, reportDeadline));
            })
        .compose(
            batch -> {
              if (request.claim()) {
                // the holder of the poll this one replaces looks again, wherever it is held
                vertx
                    .eventBus()
                    .publish(
                        Addresses.A2A_SUPERSEDED,
                        new JsonObject()
                            .put(BusFields.AGENT, request.node())
                            .put(A2aFields.CHANNEL, request.channel())
                            .put(A2aFields.REQUEST_ID, request.requestId()));
              } // else a stream's follow-up: it took the channel before; nobody is to give way
              if (held == null) {
                return Future.succeededFuture(batch.reply());
              }
              held.started(batch, Math.max(1, waitMs - linger));
              return held.reply.future();
            },
            failure -> {
              if (held != null) {
                held.finish(Future.failedFuture(failure));
              }
              return Future.failedFuture(failure);
            });
  }

  /**
   * One look at the view; while the channel's previous response is still being reported (and the
   * wait for it has not run out), waits for the report and looks again. Listening starts before
   * each look, so a report that lands between the look and the wait is not missed.
   */
  private Future<PullView.Batch> takeAfterReports(PullView.Request request, long deadline) {
    if (!request.awaitReports()) {
      return view.take(request);
    }
    ReportWait report = new ReportWait(request.node(), request.channel());
    return view.take(request)
        .compose(
            batch -> {
              long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
              if (!batch.awaitingReport()) {
                report.done();
                return Future.succeededFuture(batch);
              }
              if (left <= 0) {
                report.done();
                // the report is lost (its gateway died): those rows count as not written
                LOG.debug(
                    "no write report for {} ({}) within {} ms: its rows come again",
                    request.node(),
                    request.channel(),
                    reportWaitMs);
                return view.take(request.reportsAwaited());
              }
              return report.within(left).compose(v -> takeAfterReports(request, deadline));
            },
            failure -> {
              report.done();
              return Future.failedFuture(failure);
            });
  }

  /**
   * {@code PULL_WRITTEN}: the rows were written in full (the channel's next pull acknowledges
   * them), or, with {@code written: false}, could not be (they leave the channel and come again).
   * Either way the pulls waiting for this report hear of it once it is committed.
   */
  public Future<JsonObject> written(JsonObject body) {
    String node = body.getString(BusFields.CALLER);
    String viewName = body.getString(A2aFields.VIEW, PullChannels.PULL);
    String channel = body.getString(A2aFields.CHANNEL, PullChannels.POLL);
    JsonArray numbers = body.getJsonArray(A2aFields.NUMBERS, new JsonArray());
    boolean written = body.getBoolean(A2aFields.WRITTEN, true);
    if (node == null || numbers.isEmpty()) {
      return Future.succeededFuture(new JsonObject().put(Fields.OK, true));
    }
    Long[] values = new Long[numbers.size()];
    long highest = 0;
    for (int i = 0; i < values.length; i++) {
      values[i] = ((Number) numbers.getValue(i)).longValue();
      highest = Math.max(highest, values[i]);
    }
    long last = highest;
    // one statement, its own transaction: it takes the view lock first, as every pull does (a pull
    // locks the channel row, then the delivery rows; the other order without it would deadlock)
    Future<?> reported =
        written
            ? reportPool
                .preparedQuery(A2aQueries.REPORT_WRITTEN)
                .execute(Tuple.of(node, viewName, channel, values, last))
            : reportPool
                .preparedQuery(A2aQueries.REPORT_UNWRITTEN)
                .execute(Tuple.of(node, viewName, channel, values));
    return reported.map(
        v -> {
          vertx
              .eventBus()
              .publish(
                  Addresses.A2A_WRITTEN,
                  new JsonObject().put(BusFields.AGENT, node).put(A2aFields.CHANNEL, channel));
          return new JsonObject().put(Fields.OK, true);
        });
  }

  /** A commit was announced: wake the polls of its participants held here. */
  public void onCommitted(JsonObject announcement) {
    if (waiting.isEmpty()) {
      return;
    }
    for (Object item : announcement.getJsonArray(BusFields.PARTICIPANTS, new JsonArray())) {
      List<Waiter> list = waiting.get(((JsonObject) item).getString(Fields.HANDLE));
      if (list != null) {
        List.copyOf(list).forEach(Waiter::wake);
      }
    }
  }

  /**
   * Another request took the channel: the polls it replaced look again, find the channel is no
   * longer theirs and answer empty at once. Looking rather than answering on the notice alone keeps
   * a notice of an earlier request (one this poll itself replaced) from ending it.
   */
  public void onSuperseded(JsonObject notice) {
    List<Waiter> list = waiting.get(notice.getString(BusFields.AGENT));
    if (list == null) {
      return;
    }
    String channel = notice.getString(A2aFields.CHANNEL);
    String requestId = notice.getString(A2aFields.REQUEST_ID);
    for (Waiter waiter : List.copyOf(list)) {
      if (waiter.request.channel().equals(channel)
          && !waiter.request.requestId().equals(requestId)) {
        waiter.wake();
      }
    }
  }

  /** A response's write was reported: the pulls of that node and channel waiting for it go on. */
  public void onWritten(JsonObject notice) {
    List<ReportWait> list = reports.get(notice.getString(BusFields.AGENT));
    if (list == null) {
      return;
    }
    String channel = notice.getString(A2aFields.CHANNEL);
    for (ReportWait report : List.copyOf(list)) {
      if (report.channel.equals(channel)) {
        report.done();
      }
    }
  }

  /**
   * The node is shutting down: every open poll answers now, with what it has (one in the middle of
   * a look answers with what that look finds).
   */
  public Future<Void> close() {
    closing = true;
    List<Future<JsonObject>> answered = new ArrayList<>();
    for (List<Waiter> list : List.copyOf(waiting.values())) {
      for (Waiter waiter : List.copyOf(list)) {
        if (!waiter.running) {
          waiter.finish(Future.succeededFuture(PullView.superseded().reply()));
        }
        answered.add(waiter.reply.future());
      }
    }
    List.copyOf(reports.values()).forEach(list -> List.copyOf(list).forEach(ReportWait::done));
    return Future.join(answered).mapEmpty();
  }

  private static PullView.Request request(JsonObject body) {
    String node = body.getString(BusFields.CALLER);
    String requestId = body.getString(A2aFields.REQUEST_ID);
    if (node == null || requestId == null) {
      throw new AspException(A2aError.VALIDATION_ERROR, "caller and request_id are required");
    }
    Object cursor = body.getValue(A2aFields.CURSOR);
    int limit = body.getInteger(A2aFields.LIMIT, 50);
    if (limit < 1 || limit > 100) {
      throw new AspException(A2aError.VALIDATION_ERROR, "limit must be between 1 and 100");
    }
    return new PullView.Request(
        node,
        body.getString(A2aFields.VIEW, PullChannels.PULL),
        body.getString(A2aFields.CHANNEL, PullChannels.POLL),
        requestId,
        cursor instanceof Number n ? n.longValue() : null,
        limit,
        true,
        body.getBoolean(PullChannels.CLAIM, true),
        true);
  }
}
