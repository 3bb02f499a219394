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
    return conn.preparedQuery(A2aQueries.TAKE_VIEW)
        .execute(Tuple.of(r.node(), r.view()))
        .compose(
            rows -> {
              long nextNo = rows.iterator().next().getLong("next_no");
              return channelState(conn, r)
                  .compose(
                      state -> {
                        if (state.pending()) {
                          return Future.succeededFuture(awaitingReport());
                        }
                        if (!state.active()) {
                          return Future.succeededFuture(superseded(state.lastWritten()));
                        }
                        return handOut(conn, r, nextNo, state.lastWritten());
                      });
            });
  }

  /**
   * The channel under the view lock, as one statement: {@code pending} when this request must wait
   * before acknowledging implicitly (rows of its channel were handed out and their write is not
   * reported yet — read under the view lock, which the hand-out held until it committed, so a batch
   * being answered right now is seen); otherwise claimed (if it claims) and whether this request is
   * the channel's active one.
   */
  private record ChannelState(boolean pending, boolean active, Long lastWritten) {}

  private static Future<ChannelState> channelState(SqlConnection conn, Request r) {
    boolean checkPending = r.awaitReports() && r.acknowledge() && r.cursor() == null;
    return conn.preparedQuery(A2aQueries.CHANNEL_STATE)
        .execute(Tuple.of(r.node(), r.view(), r.channel(), r.requestId(), checkPending, r.claim()))
        .map(
            rows -> {
              Row row = rows.iterator().next();
              if (row.getBoolean("pending")) {
                return new ChannelState(true, false, null);
              }
              if (row.getBoolean("claimed")) {
                return new ChannelState(false, true, row.getLong("claimed_last"));
              }
              return new ChannelState(
                  false,
                  r.requestId().equals(row.getString("active_request")),
                  row.getLong("last_written"));
            });
  }

  /** How a pull acknowledges, as {@link A2aQueries#ACK_AND_OUTSTANDING} reads it. */
  private static String ackMode(Request r) {
    if (!r.acknowledge()) {
      return "none";
    }
    return r.cursor() != null ? "cursor" : "written";
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
    Tuple query =
        Tuple.tuple()
            .addString(r.node())
            .addString(r.view())
            .addInteger(r.limit() + 1)
            .addString(skipped(r))
            .addString(ackMode(r))
            .addLong(r.cursor())
            .addString(r.channel());
    // acknowledges first, in the same statement: what it deletes is not read again
    return conn.preparedQuery(A2aQueries.ACK_AND_OUTSTANDING)
        .execute(query)
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
    return conn.preparedQuery(A2aQueries.TAKE_VIEW)
        .execute(Tuple.of(node, view))
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

    /** The rows numbered since the last save: numbers, sessions, sequences. */
    final List<Long> numbers = new ArrayList<>();

    final List<String> sessions = new ArrayList<>();
    final List<Long> sequences = new ArrayList<>();

    /** The next number as last saved. */
    long savedNextNo;

    /** session → sequences handled now (numbered or passed over). */
    final Map<String, TreeSet<Long>> handled = new LinkedHashMap<>();

    /** session → its position as the scan that handled it read it (the log rows carry it). */
    final Map<String, Positions.Known> known = new HashMap<>();

    Numbering(
        String node, String view, String channel, long nextNo, int wanted, Long expiresBefore) {
      this.node = node;
      this.view = view;
      this.channel = channel;
      this.expiresBefore = expiresBefore;
      this.nextNo = nextNo;
      this.savedNextNo = nextNo;
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
        numbers.add(number);
        sessions.add(row.getString("session_id"));
        sequences.add(row.getLong("sequence"));
      }
      return false;
    }

    private void handle(Row row) {
      String session = row.getString("session_id");
      handled.computeIfAbsent(session, id -> new TreeSet<>()).add(row.getLong("sequence"));
      known.computeIfAbsent(session, id -> Positions.Known.of(row));
    }

    /**
     * Writes the numbered rows with the next number (one statement) and the moved positions, sent
     * together on the connection; idempotent per call.
     */
    Future<Void> save(SqlConnection conn) {
      List<Future<?>> writes = new ArrayList<>(2);
      if (!numbers.isEmpty() || nextNo != savedNextNo) {
        Tuple rows =
            Tuple.tuple()
                .addString(node)
                .addString(view)
                .addString(channel)
                .addLong(System.currentTimeMillis())
                .addArrayOfLong(numbers.toArray(Long[]::new))
                .addArrayOfString(sessions.toArray(String[]::new))
                .addArrayOfLong(sequences.toArray(Long[]::new))
                .addLong(nextNo);
        numbers.clear();
        sessions.clear();
        sequences.clear();
        savedNextNo = nextNo;
        writes.add(conn.preparedQuery(A2aQueries.SAVE_DELIVERIES).execute(rows));
      }
      List<Tuple> positions = Positions.saves(node, view, handled, known);
      handled.clear();
      known.clear();
      if (!positions.isEmpty()) {
        writes.add(conn.preparedQuery(A2aQueries.SAVE_POSITION).executeBatch(positions));
      }
      return Future.all(writes).mapEmpty();
    }
  }
}
