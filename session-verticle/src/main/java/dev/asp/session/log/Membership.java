package dev.asp.session.log;

import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.protocol.ParticipantStatus;
import dev.asp.protocol.SessionState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Participant and state changes that come with an event. Each method appends its event to the
 * transaction's {@link EventLog} and writes the matching row change on the same connection, so the
 * two commit together. Callers hold the session row lock and have made the checks (state, status,
 * trust, {@code max_participants}) before calling: these methods check nothing.
 */
public final class Membership {
  private Membership() {}

  /** Every participant's current status, ordered by handle. */
  public static Future<Map<String, ParticipantStatus>> statuses(SqlClient client, String id) {
    return client
        .preparedQuery(LogQueries.SELECT_PARTICIPANTS)
        .execute(Tuple.of(id))
        .map(
            rows -> {
              Map<String, ParticipantStatus> statuses = new LinkedHashMap<>();
              for (Row row : rows) {
                statuses.put(
                    row.getString("handle"), ParticipantStatus.fromWire(row.getString("status")));
              }
              return statuses;
            });
  }

  /**
   * One {@code session.invited {invitee, by, topic?, initial_message?}} per invitee, in order, each
   * invitee (new or prior participant) becoming {@code invited}.
   *
   * @param initialMessage the Message inlined for send-and-end (invitees cannot join first), or
   *     null
   */
  public static Future<Void> invite(
      SqlConnection conn,
      EventLog log,
      List<String> invitees,
      String by,
      String topic,
      JsonObject initialMessage) {
    if (invitees.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> rows =
        invitees.stream()
            .map(invitee -> Tuple.of(log.sessionId(), invitee, ParticipantStatus.INVITED.wire()))
            .toList();
    for (String invitee : invitees) {
      JsonObject payload = new JsonObject().put(Fields.INVITEE, invitee).put(Fields.BY, by);
      if (topic != null) {
        payload.put(Fields.TOPIC, topic);
      }
      if (initialMessage != null) {
        payload.put(Fields.INITIAL_MESSAGE, initialMessage);
      }
      log.append(EventType.INVITED, invitee, payload);
    }
    return conn.preparedQuery(LogQueries.UPSERT_INVITED).executeBatch(rows).mapEmpty();
  }

  /**
   * The hub joins {@code agent} (hub spec §2.4.3): {@code session.invited {invitee, by, topic?}}
   * then {@code session.joined {agent}}, so ASP clients see the usual shapes, with one row change.
   * Works for a new participant, an invited one and one that left; an agent already joined must not
   * be passed.
   */
  public static Future<Void> hubJoin(
      SqlConnection conn, EventLog log, String agent, String by, String topic) {
    JsonObject invited = new JsonObject().put(Fields.INVITEE, agent).put(Fields.BY, by);
    if (topic != null) {
      invited.put(Fields.TOPIC, topic);
    }
    log.append(EventType.INVITED, agent, invited);
    return publicJoin(conn, log, agent);
  }

  /**
   * Joins {@code agent} without an invitation (a public session, hub spec §2.4.3): {@code
   * session.joined {agent}} only. The agent has no participant row yet (a row is inserted, joined)
   * or has left (it is joined again); an agent already joined must not be passed.
   */
  public static Future<Void> publicJoin(SqlConnection conn, EventLog log, String agent) {
    log.append(EventType.JOINED, agent, new JsonObject().put(Fields.AGENT, agent));
    return conn.preparedQuery(LogQueries.UPSERT_JOINED)
        .execute(Tuple.of(log.sessionId(), agent, ParticipantStatus.JOINED.wire(), log.now()))
        .mapEmpty();
  }

  /** {@code session.joined {agent}}; the invited participant becomes joined. */
  public static Future<Void> join(SqlConnection conn, EventLog log, String agent) {
    log.append(EventType.JOINED, agent, new JsonObject().put(Fields.AGENT, agent));
    return conn.preparedQuery(LogQueries.MARK_JOINED)
        .execute(Tuple.of(log.sessionId(), agent, ParticipantStatus.JOINED.wire(), log.now()))
        .mapEmpty();
  }

  /**
   * Leaves of the agent's own accord (or forced by a block): reason {@code left}. An invited agent
   * leaving declines its invitation: it gets {@code session.left} too, and reads no more than it
   * could before.
   */
  public static Future<Void> leave(
      SqlConnection conn,
      EventLog log,
      String agent,
      boolean sessionActive,
      ParticipantStatus wasStatus,
      LeaveEffect effect) {
    return leave(conn, log, agent, sessionActive, wasStatus, Fields.REASON_LEFT, effect);
  }

  /**
   * {@code session.left {agent, reason}}; the participant becomes left, remembering the sequence of
   * this event (what it may still read). If the session is active and no joined participant
   * remains, it ends as well: {@code session.ended {}} (nobody ended it), same transaction.
   *
   * @param reason {@code left}, or {@code grace_expired} when its grace window ran out
   * @param effect what else leaving does ({@link LeaveEffect}), run right after {@code
   *     session.left}
   */
  public static Future<Void> leave(
      SqlConnection conn,
      EventLog log,
      String agent,
      boolean sessionActive,
      ParticipantStatus wasStatus,
      String reason,
      LeaveEffect effect) {
    long leftSequence =
        log.append(
                EventType.LEFT,
                agent,
                new JsonObject().put(Fields.AGENT, agent).put(Fields.REASON, reason))
            .sequence();
    // Only a joined agent's view extends to its own session.left; one that was merely invited
    // (force-left by a block) keeps what it could see before, and never gains the transcript.
    Long visibleThrough = wasStatus == ParticipantStatus.JOINED ? leftSequence : null;
    Future<Void> left =
        conn.preparedQuery(LogQueries.MARK_LEFT)
            .execute(
                Tuple.of(
                    log.sessionId(),
                    agent,
                    ParticipantStatus.LEFT.wire(),
                    log.now(),
                    visibleThrough))
            .compose(v -> effect.apply(conn, log, agent));
    if (!sessionActive) {
      return left;
    }
    return left.compose(v -> countJoined(conn, log.sessionId()))
        .compose(joined -> joined == 0 ? end(conn, log, null) : Future.succeededFuture());
  }

  /** {@code session.ended {ended_by?}}; the session becomes ended. */
  public static Future<Void> end(SqlConnection conn, EventLog log, String endedBy) {
    JsonObject payload = new JsonObject();
    if (endedBy != null) {
      payload.put(Fields.ENDED_BY, endedBy);
    }
    log.append(EventType.ENDED, endedBy, payload);
    return conn.preparedQuery(LogQueries.END_SESSION)
        .execute(Tuple.of(log.sessionId(), SessionState.ENDED.wire(), log.now()))
        .mapEmpty();
  }

  /** How many participants are joined now (compare with {@code max_participants}). */
  public static Future<Long> countJoined(SqlClient client, String id) {
    return client
        .preparedQuery(LogQueries.COUNT_WITH_STATUS)
        .execute(Tuple.of(id, ParticipantStatus.JOINED.wire()))
        .map(rows -> rows.iterator().next().getLong("n"));
  }
}
