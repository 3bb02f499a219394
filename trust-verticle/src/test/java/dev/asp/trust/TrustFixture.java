package dev.asp.trust;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.SessionAction;
import dev.asp.protocol.bus.TrustAction;
import dev.asp.storage.DatabaseSettings;
import dev.asp.storage.SchemaMigrator;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * One {@link TrustVerticle} alone on a fresh database, driven over the event bus like its real
 * callers, with a fake session verticle answering {@code FORCE_LEAVE}. Blocking calls ({@code
 * await}) happen on the JUnit thread only.
 */
final class TrustFixture implements AutoCloseable {
  static final String ADMIN_TOKEN = "adm_test-admin-secret";
  private static final AtomicInteger NAMES = new AtomicInteger();

  final Vertx vertx;
  final DatabaseSettings db;
  final BusClient bus;
  final Pool sql;
  final FakeSessions sessions;

  /** Agents whose credentials changed, as announced on {@code asp.trust.credentials}. */
  final BlockingQueue<String> credentialsChanged = new LinkedBlockingQueue<>();

  private TrustFixture(String adminToken, UnaryOperator<TrustSettings> customize) {
    db = TestDatabase.fresh();
    SchemaMigrator.migrate(db, TrustSchema.MODULE);
    vertx = Vertx.vertx();
    sessions = new FakeSessions();
    vertx.eventBus().<JsonObject>consumer(Addresses.SESSION, sessions::handle).completion().await();
    vertx
        .eventBus()
        .<JsonObject>consumer(
            Addresses.CREDENTIALS_CHANGED,
            message -> credentialsChanged.add(message.body().getString(BusFields.AGENT)))
        .completion()
        .await();
    TrustSettings settings = customize.apply(new TrustSettings(db, adminToken, 5_000));
    vertx.deployVerticle(new TrustVerticle(settings)).await();
    bus = new BusClient(vertx, 10_000);
    sql = db.pool(vertx);
  }

  static TrustFixture start() {
    return new TrustFixture(ADMIN_TOKEN, UnaryOperator.identity());
  }

  /** With settings changed from the defaults, e.g. {@code s -> s.withHubNodes(...)}. */
  static TrustFixture start(UnaryOperator<TrustSettings> customize) {
    return new TrustFixture(ADMIN_TOKEN, customize);
  }

  static TrustFixture withoutAdmin() {
    return new TrustFixture(null, UnaryOperator.identity());
  }

  @Override
  public void close() {
    sql.close().await();
    vertx.close().await();
  }

  /** A fresh owner name, so tests sharing a database never see each other's agents. */
  static String newOwner() {
    return "o" + NAMES.incrementAndGet();
  }

  static JsonObject admin() {
    return new JsonObject().put(BusFields.ROLE, BusFields.ROLE_ADMIN);
  }

  static JsonObject ownerPrincipal(String owner) {
    return new JsonObject().put(BusFields.ROLE, BusFields.ROLE_OWNER).put(BusFields.OWNER, owner);
  }

  JsonObject call(TrustAction action, JsonObject body) {
    return bus.trust(action, body).await();
  }

  /** The error code the action fails with; fails the test if it succeeds. */
  ErrorCode failure(TrustAction action, JsonObject body) {
    AsyncResult<JsonObject> result =
        bus.trust(action, body).<AsyncResult<JsonObject>>transform(Future::succeededFuture).await();
    if (result.succeeded()) {
      fail(action + " succeeded with " + result.result().encode());
    }
    assertTrue(result.cause() instanceof AspException, () -> "not an AspException: " + result);
    return ((AspException) result.cause()).code();
  }

  /** The failure of an action that must fail, as it crossed the bus (A2A code and message). */
  AspException error(TrustAction action, JsonObject body) {
    AsyncResult<JsonObject> result =
        bus.trust(action, body).<AsyncResult<JsonObject>>transform(Future::succeededFuture).await();
    if (result.succeeded()) {
      fail(action + " succeeded with " + result.result().encode());
    }
    assertTrue(result.cause() instanceof AspException, () -> "not an AspException: " + result);
    return (AspException) result.cause();
  }

  /** The next agent announced as having changed credentials, waiting at most 10 s. */
  String nextCredentialsChange() {
    try {
      String agent = credentialsChanged.poll(10, TimeUnit.SECONDS);
      if (agent == null) {
        fail("no credentials change announced within 10 s");
      }
      return agent;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Creates an agent as the admin; the reply carries its view, token and token_id. */
  JsonObject createAgent(String handle) {
    return call(
        TrustAction.CREATE_AGENT,
        new JsonObject().put(BusFields.PRINCIPAL, admin()).put(Fields.HANDLE, handle));
  }

  JsonObject createAgent(String handle, String policy, String... allowlist) {
    return call(
        TrustAction.CREATE_AGENT,
        new JsonObject()
            .put(BusFields.PRINCIPAL, admin())
            .put(Fields.HANDLE, handle)
            .put(BusFields.INBOUND_POLICY, policy)
            .put(BusFields.ALLOWLIST, new JsonArray(List.of(allowlist))));
  }

  /** Runs an admin action on one agent: {@code {principal: admin, handle}} plus {@code extra}. */
  JsonObject onAgent(TrustAction action, String handle, JsonObject extra) {
    return call(action, agentRequest(handle, extra));
  }

  static JsonObject agentRequest(String handle, JsonObject extra) {
    return new JsonObject()
        .put(BusFields.PRINCIPAL, admin())
        .put(Fields.HANDLE, handle)
        .mergeIn(extra);
  }

  JsonObject authenticate(String token) {
    return call(TrustAction.AUTHENTICATE, new JsonObject().put(BusFields.TOKEN, token));
  }

  List<Object> reachable(String from, String... to) {
    return call(
            TrustAction.REACHABLE,
            new JsonObject()
                .put(BusFields.FROM, from)
                .put(BusFields.TO, new JsonArray(List.of(to))))
        .getJsonArray(BusFields.REACHABLE)
        .getList();
  }

  long count(String sqlText, Object... params) {
    Row row = sql.preparedQuery(sqlText).execute(Tuple.wrap(params)).await().iterator().next();
    return row.getLong(0);
  }

  /** Every row of every trust table as text, to look for secrets stored in plaintext. */
  String dumpTables() {
    StringBuilder dump = new StringBuilder();
    for (String table :
        List.of(
            "owners",
            "owner_tokens",
            "agents",
            "agent_tokens",
            "allowlist_entries",
            "blocks",
            "hub_nodes",
            "hub_identity")) {
      sql.query("SELECT t::text FROM " + table + " t")
          .execute()
          .await()
          .forEach(row -> dump.append(row.getString(0)).append('\n'));
    }
    return dump.toString();
  }

  /** Stands in for the session verticle: records force-leave requests and answers them. */
  static final class FakeSessions {
    final Queue<JsonObject> forceLeaves = new ConcurrentLinkedQueue<>();
    final AtomicBoolean failing = new AtomicBoolean();

    void handle(io.vertx.core.eventbus.Message<JsonObject> message) {
      if (!SessionAction.FORCE_LEAVE
          .name()
          .equals(message.headers().get(Addresses.ACTION_HEADER))) {
        message.fail(ErrorCode.INVALID_REQUEST.busCode(), "unexpected action");
        return;
      }
      if (failing.get()) {
        message.fail(ErrorCode.INTERNAL.busCode(), "session store down");
        return;
      }
      forceLeaves.add(message.body());
      message.reply(new JsonObject().put(BusFields.SESSIONS, new JsonArray().add("sess_X")));
    }
  }
}
