package dev.asp.session;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asp.protocol.AspException;
import dev.asp.protocol.EventOrigin;
import dev.asp.protocol.Fields;
import dev.asp.protocol.Ids;
import dev.asp.protocol.MessageLimits;
import dev.asp.protocol.SessionKind;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.SessionAction;
import dev.asp.session.log.Announcement;
import dev.asp.session.log.EventAnnouncer;
import dev.asp.session.log.EventLog;
import dev.asp.session.log.SessionSnapshot;
import dev.asp.session.log.Sessions;
import dev.asp.storage.DatabaseSettings;
import dev.asp.storage.SchemaMigrator;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;

/**
 * One deployed {@link SessionVerticle} on a fresh database, with a fake trust verticle and a
 * listener on {@link Addresses#EVENTS_COMMITTED}. Used from the JUnit thread only, which is where
 * {@code await()} is allowed.
 */
final class SessionFixture implements AutoCloseable {
  static final MessageLimits LIMITS = new MessageLimits(512, 4, 128);
  static final int MAX_INVITEES = 8;

  private static final AtomicInteger AGENTS = new AtomicInteger();

  final Vertx vertx;
  final FakeTrust trust;
  final BusClient bus;
  final Pool sql;
  private final SessionSettings settings;
  private final List<String> deployments = new CopyOnWriteArrayList<>();
  private final List<JsonObject> announcements = new CopyOnWriteArrayList<>();

  private SessionFixture(Vertx vertx, SessionSettings settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.trust = new FakeTrust(vertx);
    this.bus = new BusClient(vertx, 10_000);
    vertx
        .eventBus()
        .<JsonObject>consumer(
            Addresses.EVENTS_COMMITTED, message -> announcements.add(message.body()))
        .completion()
        .await();
    deployInstance();
    this.sql = settings.db().pool(vertx);
  }

  /** Migrates a fresh database (on this, the JUnit thread) and deploys the verticle alone. */
  static SessionFixture start() {
    return start(SessionSettings.DEFAULT_GRACE_MS, SessionSettings.DEFAULT_SWEEP_INTERVAL_MS);
  }

  /** Like {@link #start()}, with a (short) grace window and sweep interval. */
  static SessionFixture start(long graceMs, long sweepIntervalMs) {
    DatabaseSettings db = TestDatabase.fresh();
    SchemaMigrator.migrate(db, SessionSchema.MODULE);
    return new SessionFixture(
        Vertx.vertx(),
        new SessionSettings(db, LIMITS, MAX_INVITEES, 2_000, graceMs, sweepIntervalMs));
  }

  /** Deploys the verticle alone on an already migrated database. */
  static SessionFixture start(DatabaseSettings db) {
    return new SessionFixture(Vertx.vertx(), new SessionSettings(db, LIMITS, MAX_INVITEES, 2_000));
  }

  /** One more verticle instance on the same database, as another node would run. */
  void deployInstance() {
    deployments.add(vertx.deployVerticle(new SessionVerticle(settings)).await());
  }

  /** Undeploys every instance: only the database remains, as after a crash or a restart. */
  void undeployAll() {
    for (String id : deployments) {
      vertx.undeploy(id).await();
    }
    deployments.clear();
  }

  @Override
  public void close() {
    vertx.close().await();
  }

  /** A new agent handle, unique in the JVM, known to trust. */
  String agent(String name) {
    String handle = "@" + name + ".t" + AGENTS.incrementAndGet();
    trust.register(handle);
    return handle;
  }

  /** New agents that may all reach each other. */
  List<String> friends(String... names) {
    List<String> handles = new ArrayList<>();
    for (String name : names) {
      handles.add(agent(name));
    }
    trust.allowAll(handles.toArray(String[]::new));
    return handles;
  }

  // --- requests ---

  JsonObject call(SessionAction action, JsonObject body) {
    return bus.session(action, body).await();
  }

  AspException failure(SessionAction action, JsonObject body) {
    return assertThrows(AspException.class, () -> call(action, body));
  }

  static JsonObject as(String caller) {
    return new JsonObject().put(BusFields.CALLER, caller);
  }

  static JsonObject in(String caller, String sessionId) {
    return as(caller).put(Fields.SESSION_ID, sessionId);
  }

  static JsonArray handles(String... handles) {
    return new JsonArray(List.of(handles));
  }

  String create(String caller, String... invitees) {
    return call(SessionAction.CREATE, as(caller).put(Fields.INVITE, handles(invitees)))
        .getString(Fields.SESSION_ID);
  }

  /** A session where every given agent after the creator has joined. */
  String createJoined(String creator, String... others) {
    String id = create(creator, others);
    for (String other : others) {
      call(SessionAction.JOIN, in(other, id));
    }
    return id;
  }

  JsonObject send(String caller, String sessionId, Object content) {
    return call(SessionAction.SEND, in(caller, sessionId).put(Fields.CONTENT, content));
  }

  /** All events the caller may read, via EVENTS. */
  List<JsonObject> events(String caller, String sessionId) {
    JsonObject page =
        call(
            SessionAction.EVENTS,
            in(caller, sessionId).put(Fields.AFTER_SEQUENCE, -1).put(Fields.LIMIT, 1000));
    return jsonObjects(page.getJsonArray(Fields.EVENTS));
  }

  static List<JsonObject> jsonObjects(JsonArray array) {
    List<JsonObject> list = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      list.add(array.getJsonObject(i));
    }
    return list;
  }

  static List<String> types(List<JsonObject> events) {
    return events.stream().map(event -> event.getString(Fields.TYPE)).toList();
  }

  static List<Long> sequences(List<JsonObject> events) {
    return events.stream().map(event -> event.getLong(Fields.SEQUENCE)).toList();
  }

  // --- the public append path (dev.asp.session.log), as the A2A verticle uses it ---

  /** A session of {@code kind} made with {@link Sessions#insert}, its creator joined, no events. */
  String insertSession(
      SessionKind kind, String visibility, Integer maxParticipants, String creator) {
    String id = Ids.newSessionId();
    sql.withTransaction(
            conn ->
                Sessions.insert(
                        conn,
                        id,
                        kind,
                        visibility,
                        maxParticipants,
                        "a topic",
                        creator,
                        System.currentTimeMillis(),
                        EventOrigin.A2A)
                    .compose(log -> log.write(conn)))
        .await();
    return id;
  }

  /**
   * One command through the public append path: locks the session for {@code caller} (who must take
   * part), lets {@code command} append to a log of {@code origin}, writes it, commits, and
   * announces what committed, as the session verticle does.
   */
  Announcement appendAs(
      String sessionId,
      String caller,
      EventOrigin origin,
      BiFunction<SqlConnection, EventLog, Future<?>> command) {
    Announcement announcement =
        sql.withTransaction(
                conn ->
                    SessionSnapshot.lock(conn, sessionId, caller)
                        .compose(
                            session -> {
                              EventLog log = session.log(System.currentTimeMillis(), origin);
                              return command.apply(conn, log).compose(v -> log.write(conn));
                            }))
            .await();
    new EventAnnouncer(vertx.eventBus(), null).announce(announcement);
    return announcement;
  }

  /** A message from {@code sender} that only {@code audience} may see. */
  long sendTo(String sessionId, String sender, String text, String... audience) {
    Announcement committed =
        appendAs(
            sessionId,
            sender,
            EventOrigin.A2A,
            (conn, log) -> {
              log.appendMessage(sender, text, null, null, List.of(audience));
              return Future.succeededFuture();
            });
    return committed.events().get(0).sequence();
  }

  long nextSequence(String sessionId) {
    return rows("SELECT next_sequence FROM sessions WHERE id = $1", sessionId).get(0).getLong(0);
  }

  // --- presence ---

  static JsonObject presence(String agent, String node) {
    return new JsonObject().put(BusFields.AGENT, agent).put(BusFields.NODE, node);
  }

  /** AGENT_ONLINE; the sessions where it reconnected. */
  Set<Object> online(String agent, String node) {
    return Set.copyOf(
        call(SessionAction.AGENT_ONLINE, presence(agent, node))
            .getJsonArray(BusFields.RECONNECTED)
            .getList());
  }

  /** AGENT_OFFLINE; the sessions where it disconnected. */
  Set<Object> offline(String agent, String node) {
    return Set.copyOf(
        call(SessionAction.AGENT_OFFLINE, presence(agent, node))
            .getJsonArray(BusFields.DISCONNECTED)
            .getList());
  }

  /** Waits (polling, at most 10 s) until {@code condition} holds. */
  static void eventually(String what, BooleanSupplier condition) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        fail("timed out waiting until " + what);
      }
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(10);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // --- announcements on EVENTS_COMMITTED ---

  /**
   * The events announced for a session, in announcement order, once at least {@code count} have
   * arrived (publishing is asynchronous to the reply, so this waits up to a few seconds).
   */
  List<JsonObject> announced(String sessionId, int count) {
    long deadline = System.currentTimeMillis() + 5_000;
    while (true) {
      List<JsonObject> events = new ArrayList<>();
      for (JsonObject announcement : announcements) {
        if (sessionId.equals(announcement.getString(Fields.SESSION_ID))) {
          events.addAll(jsonObjects(announcement.getJsonArray(Fields.EVENTS)));
        }
      }
      if (events.size() >= count) {
        return events;
      }
      if (System.currentTimeMillis() > deadline) {
        fail("expected " + count + " announced events for " + sessionId + ", got " + events);
      }
      pause();
    }
  }

  /** Announcement messages (not events) for a session seen so far. */
  List<JsonObject> announcementsOf(String sessionId) {
    return announcements.stream()
        .filter(announcement -> sessionId.equals(announcement.getString(Fields.SESSION_ID)))
        .toList();
  }

  // --- direct database reads for assertions ---

  List<Row> rows(String query, Object... args) {
    List<Row> rows = new ArrayList<>();
    sql.preparedQuery(query).execute(Tuple.wrap(args)).await().forEach(rows::add);
    return rows;
  }

  long count(String query, Object... args) {
    return rows(query, args).get(0).getLong(0);
  }

  String status(String sessionId, String handle) {
    return rows(
            "SELECT status FROM participants WHERE session_id = $1 AND handle = $2",
            sessionId,
            handle)
        .get(0)
        .getString(0);
  }

  String state(String sessionId) {
    return rows("SELECT state FROM sessions WHERE id = $1", sessionId).get(0).getString(0);
  }

  /** The types of the stored log of a session, in order. */
  List<String> loggedTypes(String sessionId) {
    return log(sessionId).stream().map(row -> row.getString("type")).toList();
  }

  /** The whole stored log of a session, as wire events plus the subject column. */
  List<Row> log(String sessionId) {
    return rows(
        "SELECT type, sequence, subject, payload, event_id, created_at, audience, origin FROM events"
            + " WHERE session_id = $1 ORDER BY sequence",
        sessionId);
  }
}
