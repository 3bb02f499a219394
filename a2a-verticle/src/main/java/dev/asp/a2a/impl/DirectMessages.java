package dev.asp.a2a.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.EventOrigin;
import dev.asp.protocol.Fields;
import dev.asp.protocol.Handle;
import dev.asp.protocol.Ids;
import dev.asp.protocol.ParticipantStatus;
import dev.asp.protocol.SessionKind;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.a2a.A2aPayloads;
import dev.asp.protocol.a2a.A2aTimes;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.TrustAction;
import dev.asp.session.log.Committed;
import dev.asp.session.log.EventAnnouncer;
import dev.asp.session.log.EventLog;
import dev.asp.session.log.Membership;
import dev.asp.session.log.SessionSnapshot;
import dev.asp.session.log.Sessions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;

/**
 * {@code DM_SEND} (hub spec §7): a direct message goes to the one {@code dm} session of its pair,
 * in one transaction under the pair's row lock and then the session's: created on first use (the
 * recipient joined by the hub), replaced when it ended, a side that left joined again. Trust is
 * asked before the transaction, so no lock is held while waiting on the bus. The message is stored
 * like a directed A2A message (audience sender and recipient), so every view maps it to {@code
 * direct_message}. The inbox is {@link Inbox}.
 */
public final class DirectMessages {
  /** {@code msg_type} of a DM in {@code metadata.a2a}. */
  static final String MSG_TYPE = "dm";

  /**
   * A first DM that lost the race for its pair goes onto the winner's session on its next attempt;
   * losing again needs that session to end meanwhile, so a few attempts are plenty.
   */
  private static final int ATTEMPTS = 3;

  private final Pool pool;
  private final BusClient bus;
  private final EventAnnouncer announcer;
  private final EventViews views;

  public DirectMessages(Pool pool, BusClient bus, EventAnnouncer announcer, EventViews views) {
    this.pool = pool;
    this.bus = bus;
    this.announcer = announcer;
    this.views = views;
  }

  /** One DM: the pair in code-point order, the row key of {@code a2a_dm_pairs}. */
  private record Dm(String caller, String to, Object payload, JsonObject metadata) {
    String low() {
      return caller.compareTo(to) < 0 ? caller : to;
    }

    String high() {
      return caller.compareTo(to) < 0 ? to : caller;
    }
  }

  /** Rolls back a first DM whose pair another transaction took meanwhile. */
  private static final class PairTaken extends RuntimeException {
    PairTaken() {
      super("the pair's session was created concurrently", null, false, false);
    }
  }

  /** {@code DM_SEND}: see {@code A2aAction.DM_SEND}. */
  public Future<JsonObject> send(JsonObject body) {
    Dm dm = dm(body);
    return reachable(dm)
        .compose(v -> attempt(dm, 1))
        .map(
            committed -> {
              announcer.announce(committed);
              return committed.reply();
            });
  }

  private static Dm dm(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    Object to = body.getValue(A2aFields.TO);
    Object payload = body.getValue(A2aFields.PAYLOAD);
    Object metadata = body.getValue(A2aFields.METADATA);
    if (caller == null || !(to instanceof String recipient)) {
      throw new AspException(A2aError.VALIDATION_ERROR, "caller and to are required");
    }
    if (!Handle.isValid(recipient)) {
      throw notFound();
    }
    if (recipient.equals(caller)) {
      throw new AspException(A2aError.VALIDATION_ERROR, "a direct message to yourself");
    }
    if (payload == null) {
      throw new AspException(A2aError.VALIDATION_ERROR, "payload is required");
    }
    if (metadata != null && !(metadata instanceof JsonObject)) {
      throw new AspException(A2aError.VALIDATION_ERROR, "metadata must be an object");
    }
    return new Dm(caller, recipient, payload, (JsonObject) metadata);
  }

  /** The recipient exists and the sender may contact it; both failures read as not found. */
  private Future<Void> reachable(Dm dm) {
    JsonObject request =
        new JsonObject()
            .put(BusFields.FROM, dm.caller())
            .put(BusFields.TO, new JsonArray().add(dm.to()));
    return bus.trust(TrustAction.REACHABLE, request)
        .map(
            reply -> {
              if (!reply.getJsonArray(BusFields.REACHABLE, new JsonArray()).contains(dm.to())) {
                throw notFound();
              }
              return null;
            });
  }

  private Future<Committed> attempt(Dm dm, int attempt) {
    return pool.withTransaction(conn -> deliver(conn, dm))
        .recover(
            failure ->
                failure instanceof PairTaken && attempt < ATTEMPTS
                    ? attempt(dm, attempt + 1)
                    : Future.failedFuture(failure));
  }

  private Future<Committed> deliver(SqlConnection conn, Dm dm) {
    return conn.preparedQuery(A2aQueries.LOCK_DM_PAIR)
        .execute(Tuple.of(dm.low(), dm.high()))
        .compose(
            rows -> {
              if (rows.size() == 0) {
                return open(conn, dm, false);
              }
              String id = rows.iterator().next().getString("session_id");
              return SessionSnapshot.lockAny(conn, id, dm.caller())
                  .compose(
                      session ->
                          session.active() ? append(conn, session, dm) : open(conn, dm, true));
            });
  }

  /** A new dm session for the pair: the sender joined by the insert, the recipient by the hub. */
  private Future<Committed> open(SqlConnection conn, Dm dm, boolean replacing) {
    String id = Ids.newSessionId();
    return Sessions.insert(
            conn,
            id,
            SessionKind.DM,
            Sessions.PRIVATE,
            2,
            null,
            dm.caller(),
            System.currentTimeMillis(),
            EventOrigin.A2A)
        .compose(
            log ->
                claim(conn, dm, id, replacing)
                    .compose(v -> Membership.hubJoin(conn, log, dm.to(), dm.caller(), null))
                    .compose(v -> message(conn, log, dm)));
  }

  /**
   * Points the pair at the new session. A first DM inserts the pair's row: done right after the
   * session row, so a concurrent first DM waits here before doing any more work.
   */
  private static Future<Void> claim(SqlConnection conn, Dm dm, String id, boolean replacing) {
    Tuple row = Tuple.of(dm.low(), dm.high(), id);
    if (replacing) {
      return conn.preparedQuery(A2aQueries.REPLACE_DM_SESSION).execute(row).mapEmpty();
    }
    return conn.preparedQuery(A2aQueries.INSERT_DM_PAIR)
        .execute(row)
        .map(
            inserted -> {
              if (inserted.size() == 0) {
                throw new PairTaken();
              }
              return null;
            });
  }

  /** The pair's open session, under its row lock: whoever of the two is not joined is again. */
  private Future<Committed> append(SqlConnection conn, SessionSnapshot session, Dm dm) {
    EventLog log = session.log(System.currentTimeMillis(), EventOrigin.A2A);
    return Membership.statuses(conn, session.id())
        .compose(statuses -> rejoin(conn, log, statuses, dm.caller(), dm))
        .compose(statuses -> rejoin(conn, log, statuses, dm.to(), dm))
        .compose(v -> message(conn, log, dm));
  }

  private static Future<Map<String, ParticipantStatus>> rejoin(
      SqlConnection conn,
      EventLog log,
      Map<String, ParticipantStatus> statuses,
      String agent,
      Dm dm) {
    if (statuses.get(agent) == ParticipantStatus.JOINED) {
      return Future.succeededFuture(statuses);
    }
    return Membership.hubJoin(conn, log, agent, dm.caller(), null).map(v -> statuses);
  }

  private Future<Committed> message(SqlConnection conn, EventLog log, Dm dm) {
    A2aPayloads.Mapped mapped = A2aPayloads.toAsp(dm.payload());
    String to = views.wire(dm.to());
    JsonObject a2a =
        new JsonObject()
            .put(A2aFields.FROM_NODE_ID, views.wire(dm.caller()))
            .put(A2aFields.MSG_TYPE, MSG_TYPE)
            .put(A2aFields.TO_NODE_ID, to)
            .put(A2aFields.PAYLOAD_KIND, mapped.payloadKind())
            .putNull(A2aFields.CONTEXT);
    JsonObject metadata = dm.metadata() == null ? new JsonObject() : dm.metadata().copy();
    metadata.put(A2aFields.A2A, a2a);
    // the audience keeps the DM between the pair on every view, even if someone else is ever
    // brought into the session through ASP
    String messageId =
        log.appendMessage(
                dm.caller(), mapped.content(), metadata, null, List.of(dm.caller(), dm.to()))
            .payload()
            .getString(Fields.ID);
    return log.write(conn)
        .map(
            announcement ->
                new Committed(
                    new JsonObject()
                        .put(A2aFields.DM_ID, messageId)
                        .put(A2aFields.MESSAGE_ID, messageId)
                        .put(A2aFields.ID, messageId)
                        .put(A2aFields.STATUS, "sent")
                        .put(A2aFields.SESSION_ID, log.sessionId())
                        .put(A2aFields.TO_NODE_ID, to)
                        .put(A2aFields.CREATED_AT, A2aTimes.iso(log.now())),
                    announcement));
  }

  static AspException notFound() {
    return new AspException(A2aError.NODE_NOT_FOUND, "no such node");
  }
}
