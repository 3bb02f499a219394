package dev.asp.session.impl;

import dev.asp.protocol.Fields;
import dev.asp.protocol.Ids;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code DELIVERY_STATE} and {@code SAVE_CURSORS}: the durable side of delivery cursors, per
 * (agent, session). A cursor is a prefix (every eligible event up to it was delivered, -1 for none)
 * plus the delivered sequences beyond it; it never moves back, whichever node saves it and in which
 * order.
 */
public final class DeliveryCursors {
  private static final JsonObject OK = new JsonObject().put(Fields.OK, true);

  private final Pool pool;

  public DeliveryCursors(Pool pool) {
    this.pool = pool;
  }

  /**
   * {@code {agent}} → {@code {sessions:[{session_id, prefix, extras, head}]}} for every session the
   * agent has a participant row in (any status), ordered by id; {@code head} is the latest
   * sequence, -1 for an empty log.
   */
  public Future<JsonObject> state(JsonObject body) {
    String agent = Requests.handle(body, BusFields.AGENT);
    return pool.preparedQuery(SessionQueries.DELIVERY_STATE)
        .execute(Tuple.of(agent))
        .map(rows -> new JsonObject().put(BusFields.SESSIONS, sessions(rows)));
  }

  /**
   * The {@code sessions} of {@code AGENT_CONNECT}: {@link #state} with the first replay page of
   * each session whose log goes beyond its cursor, in one more statement for all of them. The pages
   * share {@code limit}: n sessions to read get at most max(1, limit / n) rows each, and only the
   * first {@code limit} of them (by id) a page at all, so the reply holds at most {@code limit}
   * events (and the statement reads at most one more row per page) whatever the sessions hold.
   */
  public Future<JsonObject> stateWithPages(JsonObject body) {
    String agent = Requests.handle(body, BusFields.AGENT);
    long limit = pageLimit(body);
    boolean extensions = Requests.optionalBoolean(body, BusFields.EXTENSIONS);
    return pool.preparedQuery(SessionQueries.DELIVERY_STATE)
        .execute(Tuple.of(agent))
        .compose(rows -> withPages(agent, sessions(rows), (int) limit, extensions))
        .map(sessions -> new JsonObject().put(BusFields.SESSIONS, sessions));
  }

  /** The shared bound of {@code AGENT_CONNECT}'s pages; checked before anything is booked. */
  public static long pageLimit(JsonObject body) {
    long limit = Requests.optionalLong(body, Fields.LIMIT, Reads.DEFAULT_LIMIT);
    if (limit < 1 || limit > Reads.MAX_LIMIT) {
      throw Requests.invalid(Fields.LIMIT + " must be between 1 and " + Reads.MAX_LIMIT);
    }
    return limit;
  }

  private Future<JsonArray> withPages(
      String agent, JsonArray sessions, int limit, boolean extensions) {
    Map<String, JsonObject> behind = new LinkedHashMap<>();
    for (Object item : sessions) {
      JsonObject session = (JsonObject) item;
      if (behind.size() < limit
          && session.getLong(BusFields.HEAD) > session.getLong(BusFields.PREFIX)) {
        behind.put(session.getString(Fields.SESSION_ID), session);
      }
    }
    if (behind.isEmpty()) {
      return Future.succeededFuture(sessions);
    }
    int perSession = Math.max(1, limit / behind.size());
    String[] ids = behind.keySet().toArray(String[]::new);
    Long[] afters = new Long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      afters[i] = behind.get(ids[i]).getLong(BusFields.PREFIX);
    }
    return pool.preparedQuery(SessionQueries.FIRST_PAGES)
        .execute(Reads.eligibilityArgs(ids, agent, afters, perSession + 1, extensions))
        .map(
            rows -> {
              Map<String, List<Row>> pages = new HashMap<>();
              for (Row row : rows) {
                pages
                    .computeIfAbsent(row.getString("session_id"), id -> new ArrayList<>())
                    .add(row);
              }
              // a session without rows (none eligible, or no longer a participant) gets an empty
              // page: nothing to deliver up to the head as it was read
              behind.forEach(
                  (id, session) ->
                      Reads.fillPage(session, id, pages.getOrDefault(id, List.of()), perSession));
              return sessions;
            });
  }

  private static JsonArray sessions(RowSet<Row> rows) {
    JsonArray sessions = new JsonArray();
    for (Row row : rows) {
      Long prefix = row.getLong("prefix");
      Long[] extras = row.getArrayOfLongs("extras");
      sessions.add(
          new JsonObject()
              .put(Fields.SESSION_ID, row.getString("session_id"))
              .put(BusFields.PREFIX, prefix == null ? -1L : prefix)
              .put(
                  BusFields.EXTRAS,
                  extras == null ? new JsonArray() : new JsonArray(List.of(extras)))
              .put(BusFields.HEAD, row.getLong("next_sequence") - 1));
    }
    return sessions;
  }

  /**
   * {@code {agent?, cursors:[{agent?, session_id, prefix, extras}]}} → {@code {ok:true}}, in one
   * statement; each cursor names its agent or takes the request's, so a node saves the cursors of
   * all its agents at once. Cursors of unknown sessions are skipped rather than failing the batch
   * (delivery cannot do better with them); a stale cursor (smaller prefix) changes nothing.
   */
  public Future<JsonObject> save(JsonObject body) {
    String agent =
        body.containsKey(BusFields.AGENT) ? Requests.handle(body, BusFields.AGENT) : null;
    if (!(body.getValue(BusFields.CURSORS) instanceof JsonArray cursors)) {
      throw Requests.invalid(BusFields.CURSORS + " must be an array");
    }
    // One row per (agent, session), in the order every batch locks them: the greater prefix wins
    // with its extras, equal prefixes pool theirs (what saving them one after the other gives).
    TreeMap<String, Cursor> rows = new TreeMap<>();
    for (Object value : cursors) {
      Cursor cursor = cursor(agent, value);
      if (cursor != null) {
        rows.merge(cursor.agent() + ' ' + cursor.sessionId(), cursor, Cursor::merge);
      }
    }
    if (rows.isEmpty()) {
      return Future.succeededFuture(OK);
    }
    int n = rows.size();
    String[] agents = new String[n];
    String[] sessions = new String[n];
    Long[] prefixes = new Long[n];
    String[] extras = new String[n];
    int i = 0;
    for (Cursor cursor : rows.values()) {
      agents[i] = cursor.agent();
      sessions[i] = cursor.sessionId();
      prefixes[i] = cursor.prefix();
      extras[i] = cursor.extrasLiteral();
      i++;
    }
    return pool.preparedQuery(SessionQueries.SAVE_CURSORS)
        .execute(Tuple.of(agents, sessions, prefixes, extras, System.currentTimeMillis()))
        .map(OK);
  }

  /** One cursor to save; {@code extras} distinct, sorted and beyond the prefix. */
  private record Cursor(String agent, String sessionId, long prefix, TreeSet<Long> extras) {
    Cursor merge(Cursor other) {
      if (prefix != other.prefix) {
        return prefix > other.prefix ? this : other;
      }
      TreeSet<Long> both = new TreeSet<>(extras);
      both.addAll(other.extras);
      return new Cursor(agent, sessionId, prefix, both);
    }

    /** As a PostgreSQL array literal, {@code {7,9}}. */
    String extrasLiteral() {
      StringBuilder literal = new StringBuilder("{");
      for (Long sequence : extras) {
        if (literal.length() > 1) {
          literal.append(',');
        }
        literal.append(sequence);
      }
      return literal.append('}').toString();
    }
  }

  /** One save, or null for a session id that cannot name a session. */
  private static Cursor cursor(String requestAgent, Object value) {
    if (!(value instanceof JsonObject cursor)) {
      throw Requests.invalid(BusFields.CURSORS + " must hold objects");
    }
    String agent =
        cursor.containsKey(BusFields.AGENT)
            ? Requests.handle(cursor, BusFields.AGENT)
            : requestAgent;
    if (agent == null) {
      throw Requests.invalid(BusFields.AGENT + " is required");
    }
    String id = Requests.optionalString(cursor, Fields.SESSION_ID);
    if (id == null) {
      throw Requests.invalid(Fields.SESSION_ID + " is required");
    }
    long prefix = Requests.optionalLong(cursor, BusFields.PREFIX, Long.MIN_VALUE);
    if (prefix < -1) {
      throw Requests.invalid(BusFields.PREFIX + " must be an integer of -1 or more");
    }
    if (!Ids.isSessionId(id)) {
      return null;
    }
    return new Cursor(agent, id, prefix, extrasBeyond(cursor, prefix));
  }

  /** The extras, de-duplicated and sorted, without those the prefix already covers. */
  private static TreeSet<Long> extrasBeyond(JsonObject cursor, long prefix) {
    Object value = cursor.getValue(BusFields.EXTRAS);
    TreeSet<Long> extras = new TreeSet<>();
    if (value == null) {
      return extras;
    }
    if (!(value instanceof JsonArray array)) {
      throw Requests.invalid(BusFields.EXTRAS + " must be an array of sequences");
    }
    for (Object element : array) {
      if (!(element instanceof Integer || element instanceof Long)) {
        throw Requests.invalid(BusFields.EXTRAS + " must be an array of sequences");
      }
      long sequence = ((Number) element).longValue();
      if (sequence > prefix) {
        extras.add(sequence);
      }
    }
    return extras;
  }
}
