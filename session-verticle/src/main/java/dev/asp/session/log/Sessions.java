package dev.asp.session.log;

import dev.asp.protocol.EventOrigin;
import dev.asp.protocol.ParticipantStatus;
import dev.asp.protocol.SessionKind;
import dev.asp.protocol.SessionState;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/** Creating sessions: the one place a session row is inserted, whatever surface asks for it. */
public final class Sessions {
  private Sessions() {}

  /** Listed and joinable by id on the A2A surface. */
  public static final String PUBLIC = "public";

  /** Invitation only (every ASP session). */
  public static final String PRIVATE = "private";

  /**
   * Inserts an active session with no events yet ({@code next_sequence} 0) and its creator as a
   * joined participant, on the transaction's connection. Nobody can see the session before commit,
   * so the returned log needs no row lock: append the session's first events to it and {@link
   * EventLog#write} them in the same transaction.
   *
   * @param id a fresh session id ({@code Ids.newSessionId()})
   * @param visibility {@link #PUBLIC} or {@link #PRIVATE}
   * @param maxParticipants the most joined participants, at least 1, or null for no limit
   * @param topic the ASP topic (the A2A title), or null
   * @param now the command's clock reading: created_at, the creator's joined_at, and the events'
   * @return a fresh log of {@code origin} for the new session; fails with {@link
   *     IllegalArgumentException} for a bad visibility or limit (nothing written), or with the
   *     database's failure (a duplicate id among them)
   */
  public static Future<EventLog> insert(
      SqlConnection conn,
      String id,
      SessionKind kind,
      String visibility,
      Integer maxParticipants,
      String topic,
      String createdBy,
      long now,
      EventOrigin origin) {
    if (kind == null || origin == null) {
      return Future.failedFuture(new IllegalArgumentException("kind and origin are required"));
    }
    if (!PUBLIC.equals(visibility) && !PRIVATE.equals(visibility)) {
      return Future.failedFuture(new IllegalArgumentException("visibility is public or private"));
    }
    if (maxParticipants != null && maxParticipants < 1) {
      return Future.failedFuture(new IllegalArgumentException("max_participants must be >= 1"));
    }
    return conn.preparedQuery(LogQueries.INSERT_SESSION)
        .execute(
            Tuple.of(
                id,
                SessionState.ACTIVE.wire(),
                topic,
                createdBy,
                now,
                kind.wire(),
                visibility,
                maxParticipants))
        .compose(
            inserted ->
                conn.preparedQuery(LogQueries.INSERT_PARTICIPANT)
                    .execute(Tuple.of(id, createdBy, ParticipantStatus.JOINED.wire(), now)))
        .map(inserted -> new EventLog(id, 0, now, origin));
  }
}
