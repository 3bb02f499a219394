package dev.asp.a2a.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ParticipantStatus;
import dev.asp.protocol.SessionKind;
import dev.asp.protocol.SessionState;
import dev.asp.protocol.a2a.A2aError;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * A session as an A2A command sees it: its ASP row, its A2A attributes (null for kind {@code asp})
 * and the caller's participant status (null without a row). Read with {@link #lock} it holds the
 * session row lock until commit, as every command appending to the log does.
 */
record A2aSession(
    String id,
    SessionState state,
    SessionKind kind,
    String visibility,
    Integer maxParticipants,
    String topic,
    long nextSequence,
    String createdBy,
    long createdAt,
    ParticipantStatus callerStatus,
    String description,
    String owner,
    String orchestrator,
    String a2aStatus,
    JsonObject sharedContext,
    Long completesAt) {

  static final String ACTIVE = "active";
  static final String CONVERGING = "converging";
  static final String CLOSED = "closed";
  static final String COMPLETED = "completed";
  static final String FAILED = "failed";

  static Future<A2aSession> lock(SqlClient conn, String id, String caller) {
    return read(conn, A2aQueries.LOCK_SESSION, id, caller);
  }

  /**
   * The lock without waiting for it ({@code SKIP LOCKED}): null when another transaction holds it
   * (or the session is unknown). For the sweeper, which tries again on its next tick.
   */
  static Future<A2aSession> tryLock(SqlClient conn, String id) {
    return conn.preparedQuery(A2aQueries.TRY_LOCK_SESSION)
        .execute(Tuple.of(id, ""))
        .map(rows -> rows.size() == 0 ? null : of(id, rows));
  }

  static Future<A2aSession> peek(SqlClient conn, String id, String caller) {
    return read(conn, A2aQueries.PEEK_SESSION, id, caller);
  }

  private static Future<A2aSession> read(SqlClient conn, String sql, String id, String caller) {
    return conn.preparedQuery(sql).execute(Tuple.of(id, caller)).map(rows -> of(id, rows));
  }

  private static A2aSession of(String id, RowSet<Row> rows) {
    if (rows.size() == 0) {
      throw new AspException(A2aError.SESSION_NOT_FOUND, "no such session");
    }
    Row row = rows.iterator().next();
    String status = row.getString("status");
    Object context = row.getValue("shared_context");
    return new A2aSession(
        id,
        SessionState.fromWire(row.getString("state")),
        SessionKind.fromWire(row.getString("kind")),
        row.getString("visibility"),
        row.getInteger("max_participants"),
        row.getString("topic"),
        row.getLong("next_sequence"),
        row.getString("created_by"),
        row.getLong("created_at"),
        status == null ? null : ParticipantStatus.fromWire(status),
        row.getString("description"),
        row.getString("owner"),
        row.getString("orchestrator"),
        row.getString("a2a_status"),
        context instanceof JsonObject json ? json : new JsonObject(),
        row.getLong("completes_at"));
  }

  boolean isPublic() {
    return "public".equals(visibility);
  }

  /** The owner: the creator for every kind. */
  String ownerHandle() {
    return owner != null ? owner : createdBy;
  }

  /**
   * The A2A status (§6.1): an ended ASP session that the A2A side did not complete or fail reads
   * {@code closed}; kind {@code asp} reports active or closed from its ASP state.
   */
  String status() {
    if (state == SessionState.ENDED) {
      return EventViews.endedStatus(a2aStatus);
    }
    return a2aStatus == null ? ACTIVE : a2aStatus;
  }

  boolean acceptsWrites() {
    String status = status();
    return ACTIVE.equals(status) || CONVERGING.equals(status);
  }

  /** Fails unless the {@code /a2a/session/*} routes act on this kind (§2.2). */
  A2aSession requireSessionRoutes() {
    if (kind != SessionKind.A2A && kind != SessionKind.ASP) {
      throw new AspException(
          A2aError.UNSUPPORTED_SESSION_KIND,
          "a session of kind " + kind.wire() + " is not used through /a2a/session");
    }
    return this;
  }

  /** Fails unless the board routes act on this kind: {@code a2a} only (§2.2). */
  A2aSession requireBoard() {
    if (kind != SessionKind.A2A) {
      throw new AspException(
          A2aError.UNSUPPORTED_SESSION_KIND,
          "a session of kind " + kind.wire() + " has no task board");
    }
    return this;
  }

  A2aSession requireOpen() {
    if (!acceptsWrites()) {
      throw new AspException(A2aError.SESSION_CLOSED, "the session is " + status());
    }
    return this;
  }

  /**
   * Fails unless the caller is joined: a private session it is not in is not found, a public one
   * answers that it is not a participant.
   */
  A2aSession requireJoined() {
    if (callerStatus == ParticipantStatus.JOINED) {
      return this;
    }
    if (!isPublic() && callerStatus == null) {
      throw new AspException(A2aError.SESSION_NOT_FOUND, "no such session");
    }
    throw new AspException(
        A2aError.NOT_SESSION_PARTICIPANT, "join the session first (POST /a2a/session/join)");
  }
}
