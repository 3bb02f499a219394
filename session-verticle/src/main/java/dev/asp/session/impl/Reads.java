package dev.asp.session.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.Event;
import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.protocol.ParticipantStatus;
import dev.asp.protocol.bus.BusFields;
import dev.asp.session.log.LogQueries;
import dev.asp.session.log.SessionSnapshot;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

/**
 * {@code GET} and {@code EVENTS}: read-only views for any participant (invited and left included);
 * everybody else gets {@code not_found}.
 */
public final class Reads {
  /** Page size when the request names none. */
  public static final int DEFAULT_LIMIT = 100;

  public static final int MAX_LIMIT = 1000;

  /** Every ASP event type, bound as the list an ASP view shows (no extension types). */
  private static final String[] ASP_TYPES = EventType.wires();

  private final Pool pool;

  public Reads(Pool pool) {
    this.pool = pool;
  }

  /**
   * {@code {id, state, topic?, participants:[{handle, status, joined_at?, left_at?}], created_at,
   * ended_at?}}, participants ordered by handle.
   */
  public Future<JsonObject> get(JsonObject body) {
    String caller = Requests.caller(body);
    String id = Requests.sessionId(body);
    return pool.preparedQuery(SessionQueries.SELECT_SESSION)
        .execute(Tuple.of(id))
        .map(SessionSnapshot::single)
        .compose(
            session ->
                pool.preparedQuery(LogQueries.SELECT_PARTICIPANTS)
                    .execute(Tuple.of(id))
                    .map(participants -> view(session, participants, caller)));
  }

  private static JsonObject view(Row session, RowSet<Row> participants, String caller) {
    JsonArray list = new JsonArray();
    boolean callerTakesPart = false;
    for (Row row : participants) {
      String handle = row.getString("handle");
      callerTakesPart |= handle.equals(caller);
      JsonObject participant =
          new JsonObject().put(Fields.HANDLE, handle).put(Fields.STATUS, row.getString("status"));
      putIfPresent(participant, Fields.JOINED_AT, row.getLong("joined_at"));
      putIfPresent(participant, Fields.LEFT_AT, row.getLong("left_at"));
      list.add(participant);
    }
    if (!callerTakesPart) {
      throw AspException.notFound();
    }
    JsonObject view =
        new JsonObject()
            .put(Fields.ID, session.getString("id"))
            .put(Fields.STATE, session.getString("state"));
    putIfPresent(view, Fields.TOPIC, session.getString("topic"));
    view.put(Fields.PARTICIPANTS, list).put(Fields.CREATED_AT, session.getLong("created_at"));
    putIfPresent(view, Fields.ENDED_AT, session.getLong("ended_at"));
    return view;
  }

  /**
   * {@code {events:[...], next_cursor?}}: the caller's eligible events after {@code
   * after_sequence}, in order, extension events left out. One more row than the limit is fetched to
   * know whether more exist; then {@code next_cursor} is the last returned sequence (pass it back
   * as {@code after_sequence}).
   *
   * <p>With {@code with_hidden} (live delivery), also {@code hidden:[seq]}: the rows of the page
   * the caller's status admits but that the view never shows it (an audience without it, an
   * extension type). They count as rows of the page, so a cursor moves past them.
   */
  public Future<JsonObject> events(JsonObject body) {
    String caller = Requests.caller(body);
    String id = Requests.sessionId(body);
    long after = Requests.optionalLong(body, Fields.AFTER_SEQUENCE, -1);
    long limit = Requests.optionalLong(body, Fields.LIMIT, DEFAULT_LIMIT);
    if (after < -1) {
      throw Requests.invalid(Fields.AFTER_SEQUENCE + " must be -1 or more");
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw Requests.invalid(Fields.LIMIT + " must be between 1 and " + MAX_LIMIT);
    }
    boolean withHidden = Requests.optionalBoolean(body, BusFields.WITH_HIDDEN);
    boolean extensions = Requests.optionalBoolean(body, BusFields.EXTENSIONS);
    String query =
        withHidden
            ? SessionQueries.SELECT_EVENTS_WITH_HIDDEN
            : SessionQueries.SELECT_ELIGIBLE_EVENTS;
    return pool.preparedQuery(SessionQueries.SELECT_PARTICIPANT)
        .execute(Tuple.of(id, caller))
        .map(SessionSnapshot::single)
        .compose(
            participant ->
                pool.preparedQuery(query)
                    .execute(eligibilityArgs(id, caller, after, limit + 1, extensions)))
        .map(rows -> page(id, rows, (int) limit, withHidden));
  }

  /**
   * The parameters of the eligible-events statements ($1 the session(s), $2 the caller, $3 after,
   * $4 the row limit, $5..$11 the status and type literals and the extensions flag).
   */
  static Tuple eligibilityArgs(
      Object sessions, String caller, Object after, long rowLimit, boolean extensions) {
    return Tuple.of(
        sessions,
        caller,
        after,
        rowLimit,
        ParticipantStatus.JOINED.wire(),
        ParticipantStatus.INVITED.wire(),
        ParticipantStatus.LEFT.wire(),
        EventType.ENDED.wire(),
        EventType.INVITED.wire(),
        ASP_TYPES,
        extensions);
  }

  /**
   * Puts the page {@code rows} (at most {@code limit} + 1, in sequence order, with {@code hidden})
   * of session {@code id} into {@code target} as {@code events}, {@code hidden} and, when more
   * follow, {@code next_cursor}: the shape of an {@code EVENTS} reply with {@code with_hidden}.
   */
  static void fillPage(JsonObject target, String id, Iterable<Row> rows, int limit) {
    int taken = 0;
    long last = -1;
    JsonArray events = new JsonArray();
    JsonArray hidden = new JsonArray();
    for (Row row : rows) {
      if (taken == limit) {
        target.put(Fields.NEXT_CURSOR, Long.toString(last));
        break;
      }
      taken++;
      last = row.getLong("sequence");
      if (row.getBoolean("hidden")) {
        hidden.add(last);
      } else {
        events.add(event(id, row));
      }
    }
    target.put(Fields.EVENTS, events).put(BusFields.HIDDEN, hidden);
  }

  private static JsonObject event(String id, Row row) {
    return new Event(
            row.getString("type"),
            id,
            row.getString("event_id"),
            row.getLong("sequence"),
            row.getLong("created_at"),
            row.getJsonObject("payload"))
        .toJson();
  }

  private static JsonObject page(String id, RowSet<Row> rows, int limit, boolean withHidden) {
    JsonArray events = new JsonArray();
    JsonArray hidden = new JsonArray();
    JsonObject page = new JsonObject().put(Fields.EVENTS, events);
    if (withHidden) {
      page.put(BusFields.HIDDEN, hidden);
    }
    int taken = 0;
    long last = -1;
    for (Row row : rows) {
      if (taken == limit) {
        return page.put(Fields.NEXT_CURSOR, Long.toString(last));
      }
      taken++;
      last = row.getLong("sequence");
      if (withHidden && row.getBoolean("hidden")) {
        hidden.add(last);
        continue;
      }
      events.add(event(id, row));
    }
    return page;
  }

  private static void putIfPresent(JsonObject json, String field, Object value) {
    if (value != null) {
      json.put(field, value);
    }
  }
}
