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
import java.util.List;
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
