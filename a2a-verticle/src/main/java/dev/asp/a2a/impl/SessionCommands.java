package dev.asp.a2a.impl;

import dev.asp.a2a.A2aSettings;
import dev.asp.protocol.AspException;
import dev.asp.protocol.Event;
import dev.asp.protocol.EventOrigin;
import dev.asp.protocol.Fields;
import dev.asp.protocol.Ids;
import dev.asp.protocol.ParticipantStatus;
import dev.asp.protocol.SessionKind;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.a2a.A2aPayloads;
import dev.asp.protocol.a2a.A2aTimes;
import dev.asp.protocol.a2a.NodeIds;
import dev.asp.protocol.a2a.SharedContext;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import dev.asp.session.log.Committed;
import dev.asp.session.log.EventAnnouncer;
import dev.asp.session.log.EventLog;
import dev.asp.session.log.LeaveEffect;
import dev.asp.session.log.Membership;
import dev.asp.session.log.Sessions;
import dev.asp.session.log.TrustGate;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code SESSION_CREATE}, {@code SESSION_JOIN}, {@code SESSION_LEAVE} and {@code SESSION_MESSAGE}
 * (hub spec §6.2–6.4). Each runs in one transaction under the session row lock and appends through
 * the session module's {@link EventLog} and {@link Membership}, so the A2A state change and its
 * events commit together; the reply and the announcement come after the commit. Trust is asked
 * before a transaction opens (no lock held while waiting on the bus) and re-checked facts are read
 * again under the lock.
 *
 * <p>Each command also has a {@code prepare…} form: it does the pre-checks and yields a {@link
 * Prepared} that runs the rest on a caller's connection, inside the caller's transaction, so the
 * mailbox can commit a command's effect together with its idempotency key. The bus actions are
 * exactly {@code prepare…} run in a transaction of their own.
 */
public final class SessionCommands {
  private final Pool pool;
  private final BusClient bus;
  private final TrustGate trust;
  private final EventAnnouncer announcer;
  private final A2aSettings settings;
  private final EventViews views;
  private final Reminders reminders;
  private final LeaveEffect leaveEffect;

  public SessionCommands(
      Pool pool,
      BusClient bus,
      EventAnnouncer announcer,
      A2aSettings settings,
      EventViews views,
      Reminders reminders,
      LeaveEffect leaveEffect) {
    this.leaveEffect = leaveEffect;
    this.trust = new TrustGate(bus);
    this.pool = pool;
    this.bus = bus;
    this.announcer = announcer;
    this.settings = settings;
    this.views = views;
    this.reminders = reminders;
  }

  /**
   * A command whose pre-checks (liveness, trust over the bus) are done: what is left runs on the
   * given connection, which must be in a transaction the caller commits. After that commit the
   * caller announces {@link Committed#announcements()} ({@link #announce}) and replies with {@link
   * Committed#reply()}. It fails with the command's {@link A2aError}s, read under the session lock.
   */
  @FunctionalInterface
  public interface Prepared {
    Future<Committed> run(SqlConnection conn);
  }

  /** Publishes what a committed command appended, as the session verticle does (after commit). */
  public void announce(Committed committed) {
    announcer.announce(committed);
  }

  /** A prepared command in a transaction of its own, announced after commit. */
  private Future<JsonObject> commit(Future<Prepared> prepared) {
    return prepared.compose(p -> pool.withTransaction(p::run)).map(this::announced);
  }

  // --- create

  public Future<JsonObject> create(JsonObject body) {
    return commit(prepareCreate(body));
  }

  /** {@code SESSION_CREATE} up to its transaction: invitees resolved, alive and reachable. */
  public Future<Prepared> prepareCreate(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    List<String> requested = strings(body.getJsonArray(A2aFields.INVITEES, new JsonArray()));
    // as given, for rejected_invites; resolved to handles (null: malformed), duplicates and the
    // creator dropped
    Map<String, String> byHandle = new java.util.LinkedHashMap<>();
    List<JsonObject> rejected = new ArrayList<>();
    for (String given : requested) {
      String handle = NodeIds.handleOf(given, settings.nodeOwner());
      if (handle == null) {
        rejected.add(rejected(given));
      } else if (!handle.equals(caller) && !byHandle.containsKey(handle)) {
        byHandle.put(handle, given);
      }
    }
    List<String> candidates = List.copyOf(byHandle.keySet());
    return alive(candidates)
        .compose(alive -> trust.reachable(caller, alive, alive))
        .map(
            accepted -> {
              for (String handle : candidates) {
                if (!accepted.contains(handle)) {
                  rejected.add(rejected(byHandle.get(handle)));
                }
              }
              return conn ->
                  insert(conn, caller, body, accepted)
                      .map(
                          committed -> {
                            committed
                                .reply()
                                .put(
                                    A2aFields.REJECTED_INVITES,
                                    new JsonArray(List.copyOf(rejected)));
                            return committed;
                          });
            });
  }

  private Future<Committed> insert(
      SqlConnection conn, String caller, JsonObject body, List<String> invitees) {
    String id = Ids.newSessionId();
    long now = System.currentTimeMillis();
    String title = body.getString(A2aFields.TITLE);
    String description = body.getString(A2aFields.DESCRIPTION);
    String visibility = body.getString(A2aFields.VISIBILITY, "public");
    int max = body.getInteger(A2aFields.MAX_PARTICIPANTS, settings.maxParticipants());
    return Sessions.insert(
            conn, id, SessionKind.A2A, visibility, max, title, caller, now, EventOrigin.A2A)
        .compose(
            log ->
                Membership.invite(conn, log, invitees, caller, title, null)
                    .compose(
                        v ->
                            conn.preparedQuery(A2aQueries.INSERT_A2A_SESSION)
                                .execute(Tuple.of(id, description, caller, A2aSession.ACTIVE, now)))
                    .compose(v -> log.write(conn))
                    .map(
                        announcement -> {
                          String creator = views.wire(caller);
                          JsonArray invited = new JsonArray();
                          invitees.forEach(h -> invited.add(views.wire(h)));
                          JsonObject reply =
                              new JsonObject()
                                  .put(A2aFields.SESSION_ID, id)
                                  .put(A2aFields.ID, id)
                                  .put(A2aFields.STATUS, A2aSession.ACTIVE)
                                  .put(A2aFields.TITLE, title)
                                  .put(A2aFields.DESCRIPTION, description)
                                  .put(A2aFields.VISIBILITY, visibility)
                                  .put(A2aFields.MAX_PARTICIPANTS, max)
                                  .put(A2aFields.OWNER_ID, creator)
                                  .put(A2aFields.ORCHESTRATOR_ID, creator)
                                  .put(A2aFields.PARTICIPANTS, new JsonArray().add(creator))
                                  .put(A2aFields.INVITED, invited)
                                  .put(A2aFields.CREATED_AT, A2aTimes.iso(now));
                          return new Committed(reply, announcement);
                        }));
  }

  private static JsonObject rejected(String given) {
    return new JsonObject().put(A2aFields.NODE_ID, given).put(A2aFields.REASON, "unavailable");
  }

  /** The candidates that are alive: a recent hello/heartbeat, or a live ASP connection. */
  private Future<List<String>> alive(List<String> handles) {
    if (handles.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return pool.preparedQuery(A2aQueries.ALIVE_NODES)
        .execute(Tuple.of(handles.toArray(String[]::new), settings.offlineMs()))
        .map(
            rows -> {
              Set<String> alive = new HashSet<>();
              rows.forEach(row -> alive.add(row.getString("handle")));
              return handles.stream().filter(alive::contains).toList();
            });
  }

  // --- join

  public Future<JsonObject> join(JsonObject body) {
    return commit(prepareJoin(body));
  }

  /** {@code SESSION_JOIN} up to its transaction: for a public join, trust with everyone in it. */
  public Future<Prepared> prepareJoin(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    String id = body.getString(A2aFields.SESSION_ID);
    return A2aSession.peek(pool, id, caller)
        .compose(
            session -> {
              session.requireSessionRoutes();
              if (session.callerStatus() == ParticipantStatus.JOINED) {
                return Future.succeededFuture(
                    conn -> joinedReply(conn, session, caller, true).map(Committed::replay));
              }
              if (session.callerStatus() == ParticipantStatus.INVITED) {
                return Future.succeededFuture(conn -> joinLocked(conn, id, caller, false));
              }
              if (!session.isPublic()) {
                throw notFound();
              }
              // public: the joiner and the owner reach each other, and it has no block with anyone
              // taking part (§6.3); a denial reads as not found
              return members(id)
                  .compose(
                      members -> trust.reachable(session.ownerHandle(), List.of(caller), members))
                  .map(
                      ok -> {
                        if (ok.isEmpty()) {
                          throw notFound();
                        }
                        return conn -> joinLocked(conn, id, caller, true);
                      });
            });
  }

  private Future<Committed> joinLocked(
      SqlConnection conn, String id, String caller, boolean publicJoin) {
    return A2aSession.lock(conn, id, caller)
        .compose(
            session -> {
              session.requireSessionRoutes();
              if (session.callerStatus() == ParticipantStatus.JOINED) {
                return joinedReply(conn, session, caller, true)
                    .map(reply -> new Committed(reply, none()));
              }
              session.requireOpen();
              boolean invited = session.callerStatus() == ParticipantStatus.INVITED;
              if (!invited && !(publicJoin && session.isPublic())) {
                throw notFound();
              }
              return countJoined(conn, id)
                  .compose(
                      joined -> {
                        Integer max = session.maxParticipants();
                        if (max != null && joined >= max) {
                          throw new AspException(A2aError.SESSION_FULL, "the session is full");
                        }
                        EventLog log = log(session);
                        Future<Void> change =
                            invited
                                ? Membership.join(conn, log, caller)
                                : Membership.publicJoin(conn, log, caller);
                        return change
                            .compose(v -> touch(conn, id, log.now()))
                            .compose(v -> log.write(conn))
                            .compose(
                                announcement ->
                                    joinedReply(conn, session, caller, false)
                                        .map(reply -> new Committed(reply, announcement)));
                      });
            });
  }

  private Future<JsonObject> joinedReply(
      io.vertx.sqlclient.SqlClient client, A2aSession session, String caller, boolean already) {
    return Roles.read(client, session)
        .compose(
            roles ->
                reminders
                    .reminder(client, session, roles, caller)
                    .map(
                        reminder -> {
                          JsonArray joined = new JsonArray();
                          roles.joined().forEach(h -> joined.add(views.wire(h)));
                          if (!already && !roles.joined().contains(caller)) {
                            joined.add(views.wire(caller));
                          }
                          return new JsonObject()
                              .put(A2aFields.SESSION_ID, session.id())
                              .put(A2aFields.STATUS, session.status())
                              .put(A2aFields.TITLE, session.topic())
                              .put(A2aFields.OWNER_ID, views.wire(roles.owner()))
                              .put(A2aFields.ORCHESTRATOR_ID, views.wire(roles.orchestrator()))
                              .put(A2aFields.PARTICIPANTS, joined)
                              .put(A2aFields.ALREADY_JOINED, already)
                              .put(A2aFields.SESSION_REMINDER, reminder);
                        }));
  }

  // --- leave

  public Future<JsonObject> leave(JsonObject body) {
    return commit(prepareLeave(body));
  }

  /** {@code SESSION_LEAVE}: nothing to check before its transaction. */
  public Future<Prepared> prepareLeave(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    String id = body.getString(A2aFields.SESSION_ID);
    return Future.succeededFuture(conn -> leaveLocked(conn, id, caller));
  }

  private Future<Committed> leaveLocked(SqlConnection conn, String id, String caller) {
    return A2aSession.lock(conn, id, caller)
        .compose(
            session -> {
              session.requireSessionRoutes();
              ParticipantStatus status = session.callerStatus();
              if (status == null) {
                if (!session.isPublic()) {
                  throw notFound();
                }
                throw new AspException(A2aError.NOT_SESSION_PARTICIPANT, "not a participant");
              }
              if (status == ParticipantStatus.LEFT) {
                return Future.succeededFuture(
                    new Committed(leftReply(session, session.status()), none()));
              }
              EventLog log = log(session);
              return Membership.leave(
                      conn,
                      log,
                      caller,
                      session.state().equals(dev.asp.protocol.SessionState.ACTIVE),
                      status,
                      leaveEffect)
                  .compose(v -> touch(conn, id, log.now()))
                  .compose(v -> log.write(conn))
                  .compose(
                      announcement ->
                          A2aSession.peek(conn, id, caller)
                              .map(
                                  after ->
                                      new Committed(
                                          leftReply(session, after.status()), announcement)));
            });
  }

  private static JsonObject leftReply(A2aSession session, String sessionStatus) {
    return new JsonObject()
        .put(A2aFields.SESSION_ID, session.id())
        .put(A2aFields.STATUS, "left")
        .put(A2aFields.SESSION_STATUS, sessionStatus);
  }

  // --- message

  public Future<JsonObject> message(JsonObject body) {
    return commit(prepareMessage(body));
  }

  /** {@code SESSION_MESSAGE}: nothing to check before its transaction. */
  public Future<Prepared> prepareMessage(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    String id = body.getString(A2aFields.SESSION_ID);
    String to = body.getString(A2aFields.TO);
    Object payload = body.getValue(A2aFields.PAYLOAD);
    String msgType = body.getString(A2aFields.MSG_TYPE, EventViews.DEFAULT_MSG_TYPE);
    JsonObject metadata = body.getJsonObject(A2aFields.METADATA);
    return Future.succeededFuture(
        conn ->
            A2aSession.lock(conn, id, caller)
                .compose(
                    session -> {
                      session.requireSessionRoutes().requireJoined().requireOpen();
                      Future<Void> recipientOk =
                          to == null ? Future.succeededFuture() : requireMember(conn, id, to);
                      return recipientOk.compose(
                          v -> append(conn, session, caller, to, payload, msgType, metadata));
                    }));
  }

  private Future<Committed> append(
      SqlConnection conn,
      A2aSession session,
      String caller,
      String to,
      Object payload,
      String msgType,
      JsonObject clientMetadata) {
    A2aPayloads.Mapped mapped = A2aPayloads.toAsp(payload);
    JsonObject a2a =
        new JsonObject()
            .put(A2aFields.FROM_NODE_ID, views.wire(caller))
            .put(A2aFields.MSG_TYPE, msgType)
            .put(A2aFields.TO_NODE_ID, views.wire(to))
            .put(A2aFields.PAYLOAD_KIND, mapped.payloadKind())
            .putNull(A2aFields.CONTEXT);
    JsonObject metadata = clientMetadata == null ? new JsonObject() : clientMetadata.copy();
    metadata.put(A2aFields.A2A, a2a);
    EventLog log = log(session);
    List<String> audience =
        to == null ? null : List.copyOf(new LinkedHashSet<>(List.of(caller, to)));
    Event event = log.appendMessage(caller, mapped.content(), metadata, null, audience);
    Future<Void> state;
    if (to == null
        && EventViews.DEFAULT_MSG_TYPE.equals(msgType)
        && payload instanceof JsonObject patch) {
      SharedContext merged =
          SharedContext.fromJson(session.sharedContext())
              .merge(patch, event.sequence(), settings.sharedContextBytes());
      state =
          conn.preparedQuery(A2aQueries.SET_SHARED_CONTEXT)
              .execute(Tuple.of(session.id(), merged.toJson(), log.now()))
              .mapEmpty();
    } else {
      state = touch(conn, session.id(), log.now());
    }
    String messageId = event.payload().getString(Fields.ID);
    return state
        .compose(v -> log.write(conn))
        .compose(
            announcement ->
                Roles.read(conn, session)
                    .compose(roles -> reminders.reminder(conn, session, roles, caller))
                    .map(
                        reminder ->
                            new Committed(
                                new JsonObject()
                                    .put(A2aFields.MESSAGE_ID, messageId)
                                    .put(A2aFields.ID, messageId)
                                    .put(A2aFields.SESSION_ID, session.id())
                                    .put(A2aFields.SEQUENCE, event.sequence())
                                    .put(A2aFields.STATUS, "sent")
                                    .put(A2aFields.CREATED_AT, A2aTimes.iso(log.now()))
                                    .put(A2aFields.SESSION_REMINDER, reminder),
                                announcement)));
  }

  /** A directed message names an invited or joined participant (§6.4). */
  private static Future<Void> requireMember(SqlConnection conn, String id, String to) {
    return conn.preparedQuery(A2aQueries.PARTICIPANTS)
        .execute(Tuple.of(id))
        .map(
            rows -> {
              for (Row row : rows) {
                if (row.getString("handle").equals(to)
                    && !ParticipantStatus.LEFT.wire().equals(row.getString("status"))) {
                  return null;
                }
              }
              throw new AspException(
                  A2aError.VALIDATION_ERROR, "to_node_id must name a participant of the session");
            });
  }

  // --- shared

  private Future<List<String>> members(String id) {
    return pool.preparedQuery(A2aQueries.PARTICIPANTS)
        .execute(Tuple.of(id))
        .map(
            rows -> {
              List<String> members = new ArrayList<>();
              for (Row row : rows) {
                if (!ParticipantStatus.LEFT.wire().equals(row.getString("status"))) {
                  members.add(row.getString("handle"));
                }
              }
              return members;
            });
  }

  private static Future<Long> countJoined(SqlConnection conn, String id) {
    return conn.preparedQuery(A2aQueries.PARTICIPANTS)
        .execute(Tuple.of(id))
        .map(
            rows -> {
              long joined = 0;
              for (Row row : rows) {
                if (ParticipantStatus.JOINED.wire().equals(row.getString("status"))) {
                  joined++;
                }
              }
              return joined;
            });
  }

  private static Future<Void> touch(SqlConnection conn, String id, long now) {
    return conn.preparedQuery(A2aQueries.TOUCH_SESSION).execute(Tuple.of(id, now)).mapEmpty();
  }

  private static EventLog log(A2aSession session) {
    return new EventLog(
        session.id(), session.nextSequence(), System.currentTimeMillis(), EventOrigin.A2A);
  }

  private JsonObject announced(Committed committed) {
    announcer.announce(committed);
    return committed.reply();
  }

  private static dev.asp.session.log.Announcement none() {
    return dev.asp.session.log.Announcement.none();
  }

  static AspException notFound() {
    return new AspException(A2aError.SESSION_NOT_FOUND, "no such session");
  }

  private static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    for (Object item : array) {
      if (item instanceof String s) {
        out.add(s);
      }
    }
    return out;
  }
}
