package dev.asp.a2a.impl;

import dev.asp.protocol.a2a.A2aFields;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One pull of a node's event stream (hub spec §5.3), as one transaction under the (node, view) row
 * lock, cluster-wide: acknowledge, hand out what is unacknowledged first, then number new events
 * from the log. Nothing is handed out unless this request is still the channel's active one, and
 * every acknowledgement is committed before the reply that depends on it is built.
 *
 * <p>A request that acknowledges implicitly (no cursor) first makes sure the channel has no rows
 * whose write is still being reported: the client may have read the previous response in full and
 * sent this request before the previous gateway's {@code PULL_WRITTEN} arrived, and acknowledging
 * without those rows would hand them out again. It answers "awaiting report" instead, and {@link
 * Pulls} retries once the report is in (or its wait ran out).
 *
 * <p>The positions work like delivery cursors: per session every event up to {@code prefix} that
 * the node was eligible for is numbered, and so are {@code extras} above it. An event the node may
 * not see yet (it is only invited) keeps the prefix below it, so the transcript follows a join.
 *
 * <p>Beside the {@code pull} view's rule ({@link #take}: channels, implicit acknowledgement of
 * written rows, cursors that acknowledge), an explicitly acknowledged view such as the mailbox
 * ({@link #read}, {@link #numberAhead}) shares the numbering and the positions but has no channel
 * claim and acknowledges nothing: its rows stay until acknowledged by message id, or until their
 * event expires (then they are dropped from the view; the log keeps them).
 */
final class PullView {
  /** Log rows examined per query while numbering (silent events are passed over). */
  private static final int SCAN = 200;

  /** Queries per pull at most: a long run of silent events is finished by the next pull. */
  private static final int MAX_SCANS = 5;

  private final Pool pool;
  private final EventViews views;

  PullView(Pool pool, EventViews views) {
    this.pool = pool;
    this.views = views;
  }

  /**
   * What one pull asks; {@code awaitReports}: answer {@link Batch#awaitingReport()} rather than
   * acknowledge while the channel has rows whose write is not reported yet.
   */
  record Request(
      String node,
      String view,
      String channel,
      String requestId,
      Long cursor,
      int limit,
      boolean acknowledge,
      boolean claim,
      boolean awaitReports) {

    /** A waiting poll's next look: it took the channel and acknowledged already. */
    Request again() {
      return new Request(node, view, channel, requestId, null, limit, false, false, false);
    }

    /** The same request once the reports it waited for came in, or its wait for them ran out. */
    Request reportsAwaited() {
      return new Request(node, view, channel, requestId, cursor, limit, acknowledge, claim, false);
    }
  }

  /**
   * The reply {@code {events, numbers, next_cursor, has_more}}, whether it was superseded, and
   * whether nothing was done because an earlier response's write is still being reported.
   */
  record Batch(JsonObject reply, boolean superseded, boolean awaitingReport) {
    boolean empty() {
      return reply.getJsonArray(A2aFields.EVENTS).isEmpty();
    }
  }

  Future<Batch> take(Request request) {
    return pool.withTransaction(conn -> take(conn, request));
  }

  /**
   * One pull inside the caller's transaction, for a caller that reads more under the same view lock
   * (the inbox counts what is left); the reply must wait for the commit.
   */
  Future<Batch> take(SqlConnection conn, Request r) {
    Tuple view = Tuple.of(r.node(), r.view());
    return conn.preparedQuery(A2aQueries.ENSURE_VIEW)
        .execute(view)
        .compose(v -> conn.preparedQuery(A2aQueries.LOCK_VIEW).execute(view))
        .compose(
            rows -> {
              long nextNo = rows.iterator().next().getLong("next_no");
              return reportPending(conn, r)
                  .compose(
                      pending ->
                          pending
                              ? Future.succeededFuture(awaitingReport())
                              : take(conn, r, nextNo));
            });
  }

  /** Under the view lock, with no report to wait for: claim, acknowledge, hand out. */
  private Future<Batch> take(SqlConnection conn, Request r, long nextNo) {
    return activeChannel(conn, r)
        .compose(
            active -> {
              if (!active.active()) {
                return Future.succeededFuture(superseded(active.lastWritten()));
              }
              return acknowledge(conn, r)
                  .compose(v -> handOut(conn, r, nextNo, active.lastWritten()));
            });
  }

  /**
   * Whether this request must wait before acknowledging implicitly: rows of its channel were handed
   * out and their write is not reported yet (read under the view lock, which the hand-out held
   * until it committed, so a batch being answered right now is seen).
   */
  private static Future<Boolean> reportPending(SqlConnection conn, Request r) {
    if (!r.awaitReports() || !r.acknowledge() || r.cursor() != null) {
      return Future.succeededFuture(false);
    }
    return conn.preparedQuery(A2aQueries.REPORT_PENDING)
        .execute(Tuple.of(r.node(), r.view(), r.channel()))
        .map(rows -> rows.iterator().next().getBoolean("pending"));
  }

  private record Channel(boolean active, Long lastWritten) {}

  private Future<Channel> activeChannel(SqlConnection conn, Request r) {
    Future<?> claimed =
        r.claim()
            ? conn.preparedQuery(A2aQueries.CLAIM_CHANNEL)
                .execute(Tuple.of(r.node(), r.view(), r.channel(), r.requestId()))
            : Future.succeededFuture();
    return claimed.compose(
        v ->
            conn.preparedQuery(A2aQueries.CHANNEL)
                .execute(Tuple.of(r.node(), r.view(), r.channel()))
                .map(
                    rows -> {
                      if (rows.size() == 0) {
                        return new Channel(false, null);
                      }
                      Row row = rows.iterator().next();
                      return new Channel(
                          r.requestId().equals(row.getString("active_request")),
                          row.getLong("last_written"));
                    }));
  }

  private Future<Void> acknowledge(SqlConnection conn, Request r) {
    if (!r.acknowledge()) {
      return Future.succeededFuture();
    }
    if (r.cursor() != null) {
      return conn.preparedQuery(A2aQueries.ACK_UP_TO)
          .execute(Tuple.of(r.node(), r.view(), r.cursor()))
          .mapEmpty();
    }
    return conn.preparedQuery(A2aQueries.ACK_WRITTEN)
        .execute(Tuple.of(r.node(), r.view(), r.channel()))
        .mapEmpty();
  }

  /**
   * Rows handed out before and not acknowledged, as read with one more than {@code limit}: the
   * first {@code limit} as {number, sequence} with their sessions, and whether more are waiting.
   */
  private record Outstanding(List<long[]> again, List<String> sessions, boolean more) {
    static Outstanding of(RowSet<Row> rows, int limit) {
      List<long[]> again = new ArrayList<>();
      List<String> sessions = new ArrayList<>();
      for (Row row : rows) {
        if (again.size() == limit) {
          break;
        }
        again.add(new long[] {row.getLong("no"), row.getLong("sequence")});
        sessions.add(row.getString("session_id"));
      }
      return new Outstanding(again, sessions, rows.size() > limit);
    }
  }

  /** The rows a channel never takes from another: poll takes all; a heartbeat leaves poll's. */
  private static String skipped(Request r) {
    return PullChannels.HEARTBEAT.equals(r.channel()) ? PullChannels.POLL : PullChannels.NONE;
  }

  private Future<Batch> handOut(SqlConnection conn, Request r, long nextNo, Long lastWritten) {
    return conn.preparedQuery(A2aQueries.OUTSTANDING)
        .execute(Tuple.of(r.node(), r.view(), r.limit() + 1, skipped(r)))
        .compose(
            rows -> {
              Outstanding outstanding = Outstanding.of(rows, r.limit());
              List<long[]> again = outstanding.again();
              List<String> againSessions = outstanding.sessions();
              boolean moreOutstanding = outstanding.more();
              Numbering numbering =
                  new Numbering(
                      r.node(), r.view(), r.channel(), nextNo, r.limit() - again.size(), null);
              Future<Void> numbered =
                  moreOutstanding ? Future.succeededFuture() : numbering.run(conn, 0);
              return numbered
                  .compose(v -> resend(conn, r, again, againSessions))
                  .compose(
                      resent ->
                          numbering
                              .save(conn)
                              .map(
                                  v ->
                                      batch(
                                          resent,
                                          numbering,
                                          lastWritten,
                                          moreOutstanding || numbering.more)));
            });
  }

  /** Hands earlier rows to this channel again and reads their events, in number order. */
  private Future<List<JsonObject>> resend(
      SqlConnection conn, Request r, List<long[]> again, List<String> sessions) {
    if (again.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Long[] numbers = again.stream().map(a -> a[0]).toArray(Long[]::new);
    return conn.preparedQuery(A2aQueries.REASSIGN)
        .execute(Tuple.of(r.node(), r.view(), r.channel(), numbers))
        .compose(v -> envelopesOf(conn, r.node(), r.view(), again, sessions));
  }

  /** The envelopes of rows handed out before ({number, sequence} and session), in that order. */
  private Future<List<JsonObject>> envelopesOf(
      SqlConnection conn, String node, String view, List<long[]> again, List<String> sessions) {
    if (again.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Long[] sequences = again.stream().map(a -> a[1]).toArray(Long[]::new);
    return conn.preparedQuery(A2aQueries.EVENTS_BY_KEY)
        // cast: Tuple.of(Object, Object...) would spread an array second argument into elements
        .execute(Tuple.of((Object) sessions.toArray(String[]::new), (Object) sequences))
        .map(
            rows -> {
              Map<String, Row> byKey = new HashMap<>();
              for (Row row : rows) {
                byKey.put(row.getString("session_id") + "/" + row.getLong("sequence"), row);
              }
              List<JsonObject> envelopes = new ArrayList<>();
              for (int i = 0; i < again.size(); i++) {
                Row row = byKey.get(sessions.get(i) + "/" + again.get(i)[1]);
                JsonObject mapped = row == null ? null : shownIn(row, node, view);
                if (mapped != null) {
                  envelopes.add(views.envelope(row, mapped, node, again.get(i)[0]));
                }
              }
              return envelopes;
            });
  }

  /**
   * The reply; {@code next_cursor} is the last event's cursor, or {@code emptyCursor} when there is
   * none (the pull view's highest written number, the mailbox's cursor sent).
   */
  private static Batch batch(
      List<JsonObject> resent, Numbering numbering, Long emptyCursor, boolean more) {
    JsonArray events = new JsonArray();
    JsonArray numbers = new JsonArray();
    resent.forEach(
        e -> {
          events.add(e);
          numbers.add(Long.parseLong(e.getString(A2aFields.CURSOR)));
        });
    numbering.envelopes.forEach(
        e -> {
          events.add(e);
          numbers.add(Long.parseLong(e.getString(A2aFields.CURSOR)));
        });
    Object nextCursor =
        events.isEmpty()
            ? (emptyCursor == null ? null : Long.toString(emptyCursor))
            : events.getJsonObject(events.size() - 1).getString(A2aFields.CURSOR);
    return new Batch(
        new JsonObject()
            .put(A2aFields.EVENTS, events)
            .put(A2aFields.NUMBERS, numbers)
            .put(A2aFields.NEXT_CURSOR, nextCursor)
            .put(A2aFields.HAS_MORE, more)
            .put(PullChannels.SUPERSEDED, false),
        false,
        false);
  }

  /** What {@code view} shows of a row for its node, or null when it passes over it in silence. */
  private JsonObject shownIn(Row row, String node, String view) {
    JsonObject mapped = views.map(row, node);
    return mapped != null && PullChannels.shows(view, mapped.getString(A2aFields.TYPE))
        ? mapped
        : null;
  }

  private static Tuple newEvents(String node, String view) {
    return Tuple.of(node, view, SCAN, PullChannels.kindOf(view));
  }

  static Batch superseded() {
    return superseded(null);
  }

  /**
   * Another request took the channel: nothing handed out; {@code next_cursor} is the highest cursor
   * this channel ever delivered (§5.4), or null.
   */
  static Batch superseded(Long lastWritten) {
    JsonObject reply = empty(true);
    if (lastWritten != null) {
      reply.put(A2aFields.NEXT_CURSOR, Long.toString(lastWritten));
    }
    return new Batch(reply, true, false);
  }

  /** Nothing done: an earlier response of the channel is still being reported. */
  private static Batch awaitingReport() {
    return new Batch(empty(false), false, true);
  }

  private static JsonObject empty(boolean superseded) {
    return new JsonObject()
        .put(A2aFields.EVENTS, new JsonArray())
        .put(A2aFields.NUMBERS, new JsonArray())
        .putNull(A2aFields.NEXT_CURSOR)
        .put(A2aFields.HAS_MORE, false)
        .put(PullChannels.SUPERSEDED, superseded);
  }

  // --- explicitly acknowledged views (the mailbox)

  /**
   * One read of an explicitly acknowledged view: the unacknowledged rows numbered above {@code
   * after} (null: all), then new events, at most {@code limit} in all; events created before {@code
   * expiresBefore} are dropped from the view (rows) or passed over (new events).
   */
  record Explicit(
      String node, String view, String channel, Long after, int limit, long expiresBefore) {}

  /**
   * Runs {@code r} on the caller's transaction, under the view's row lock. The rows it returns are
   * marked handed out ({@code written}); nothing is acknowledged. {@code next_cursor} is the last
   * returned cursor, or {@code after} when nothing is returned.
   */
  Future<Batch> read(SqlConnection conn, Explicit r) {
    return lockExplicit(conn, r.node(), r.view(), r.expiresBefore())
        .compose(
            nextNo ->
                conn.preparedQuery(A2aQueries.MAILBOX_OUTSTANDING)
                    .execute(
                        Tuple.of(
                            r.node(), r.view(), r.after() == null ? 0L : r.after(), r.limit() + 1))
                    .compose(
                        rows -> {
                          Outstanding outstanding = Outstanding.of(rows, r.limit());
                          List<long[]> again = outstanding.again();
                          List<String> againSessions = outstanding.sessions();
                          boolean moreOutstanding = outstanding.more();
                          Numbering numbering =
                              new Numbering(
                                  r.node(),
                                  r.view(),
                                  r.channel(),
                                  nextNo,
                                  r.limit() - again.size(),
                                  r.expiresBefore());
                          Future<Void> numbered =
                              moreOutstanding ? Future.succeededFuture() : numbering.run(conn, 0);
                          return numbered
                              .compose(
                                  v -> envelopesOf(conn, r.node(), r.view(), again, againSessions))
                              .compose(
                                  resent ->
                                      numbering
                                          .save(conn)
                                          .map(
                                              v ->
                                                  batch(
                                                      resent,
                                                      numbering,
                                                      r.after(),
                                                      moreOutstanding || numbering.more)));
                        }))
        .compose(batch -> handedOut(conn, r, batch).map(batch));
  }

  /** Marks the rows of a batch handed out: they count as delivered, not yet acknowledged. */
  private static Future<Void> handedOut(SqlConnection conn, Explicit r, Batch batch) {
    JsonArray numbers = batch.reply().getJsonArray(A2aFields.NUMBERS);
    if (numbers.isEmpty()) {
      return Future.succeededFuture();
    }
    Long[] values = new Long[numbers.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = numbers.getLong(i);
    }
    return conn.preparedQuery(A2aQueries.MARK_WRITTEN)
        .execute(Tuple.of(r.node(), r.view(), r.channel(), values))
        .mapEmpty();
  }

  /**
   * Numbers up to {@code max} new events of an explicitly acknowledged view without handing them
   * out (on the caller's transaction, under the view's row lock), so they can be counted; true when
   * more remain beyond {@code max}.
   */
  Future<Boolean> numberAhead(
      SqlConnection conn, String node, String view, String channel, int max, long expiresBefore) {
    return lockExplicit(conn, node, view, expiresBefore)
        .compose(
            nextNo -> {
              Numbering numbering = new Numbering(node, view, channel, nextNo, max, expiresBefore);
              return numbering
                  .run(conn, 0)
                  .compose(v -> numbering.save(conn))
                  .map(v -> numbering.more);
            });
  }

  /** Takes the view's row lock, drops expired rows, and returns the next delivery number. */
  private static Future<Long> lockExplicit(
      SqlConnection conn, String node, String view, long expiresBefore) {
    Tuple key = Tuple.of(node, view);
    return conn.preparedQuery(A2aQueries.ENSURE_VIEW)
        .execute(key)
        .compose(v -> conn.preparedQuery(A2aQueries.LOCK_VIEW).execute(key))
        .compose(
            rows -> {
              long nextNo = rows.iterator().next().getLong("next_no");
              return conn.preparedQuery(A2aQueries.MAILBOX_DROP_EXPIRED)
                  .execute(Tuple.of(node, view, expiresBefore))
                  .map(v -> nextNo);
            });
  }

  /**
   * Numbers new events of the log for one request, keeping the positions it moved. With {@code
   * expiresBefore}, events created before it pass in silence (the mailbox's expiry).
   */
  private final class Numbering {
    final String node;
    final String view;
    final String channel;
    final Long expiresBefore;
    long nextNo;
    int wanted;
    boolean more;
    final List<JsonObject> envelopes = new ArrayList<>();
    final List<Tuple> deliveries = new ArrayList<>();

    /** session → sequences handled now (numbered or passed over). */
    final Map<String, TreeSet<Long>> handled = new LinkedHashMap<>();

    Numbering(
        String node, String view, String channel, long nextNo, int wanted, Long expiresBefore) {
      this.node = node;
      this.view = view;
      this.channel = channel;
      this.expiresBefore = expiresBefore;
      this.nextNo = nextNo;
      this.wanted = wanted;
    }

    /** What the view shows of a row, or null when it passes over it (also when expired). */
    private JsonObject shown(Row row) {
      if (expiresBefore != null && row.getLong("created_at") < expiresBefore) {
        return null;
      }
      return shownIn(row, node, view);
    }

    Future<Void> run(SqlConnection conn, int scans) {
      if (wanted <= 0) {
        return probeMore(conn);
      }
      if (scans == MAX_SCANS) {
        more = true; // a long run of silent events: the next pull goes on from here
        return Future.succeededFuture();
      }
      // what this pull handled is saved before scanning on: the query reads the positions
      Future<Void> saved = scans == 0 ? Future.succeededFuture() : save(conn);
      return saved
          .compose(v -> conn.preparedQuery(A2aQueries.NEW_EVENTS).execute(newEvents(node, view)))
          .compose(
              rows -> {
                boolean stopped = consume(rows);
                if (stopped) {
                  more = true;
                  return Future.succeededFuture();
                }
                if (rows.size() < SCAN) {
                  return Future.succeededFuture();
                }
                return run(conn, scans + 1);
              });
    }

    /** Nothing more wanted: is there anything beyond? One row of the log answers it. */
    private Future<Void> probeMore(SqlConnection conn) {
      return save(conn)
          .compose(v -> conn.preparedQuery(A2aQueries.NEW_EVENTS).execute(newEvents(node, view)))
          .map(
              rows -> {
                for (Row row : rows) {
                  if (shown(row) != null) {
                    more = true;
                    break;
                  }
                  handle(row); // silent: pass over it now, it changes nothing visible
                }
                return null;
              });
    }

    /** Takes rows in order; returns true when it stopped because the batch is full. */
    private boolean consume(RowSet<Row> rows) {
      for (Row row : rows) {
        JsonObject mapped = shown(row);
        if (mapped == null) {
          handle(row);
          continue;
        }
        if (wanted == 0) {
          return true;
        }
        long number = nextNo++;
        wanted--;
        handle(row);
        envelopes.add(views.envelope(row, mapped, node, number));
        deliveries.add(
            Tuple.of(
                node,
                view,
                number,
                channel,
                row.getString("session_id"),
                row.getLong("sequence"),
                System.currentTimeMillis()));
      }
      return false;
    }

    private void handle(Row row) {
      handled
          .computeIfAbsent(row.getString("session_id"), id -> new TreeSet<>())
          .add(row.getLong("sequence"));
    }

    /** Writes the numbered rows, the moved positions and the next number; idempotent per call. */
    Future<Void> save(SqlConnection conn) {
      List<Tuple> rows = List.copyOf(deliveries);
      deliveries.clear();
      Map<String, TreeSet<Long>> moved = new LinkedHashMap<>(handled);
      handled.clear();
      Future<Void> inserted =
          rows.isEmpty()
              ? Future.succeededFuture()
              : conn.preparedQuery(A2aQueries.INSERT_DELIVERY).executeBatch(rows).mapEmpty();
      return inserted
          .compose(v -> Positions.advance(conn, node, view, moved))
          .compose(
              v ->
                  conn.preparedQuery(A2aQueries.SET_NEXT_NO)
                      .execute(Tuple.of(node, view, nextNo))
                      .mapEmpty());
    }
  }
}
