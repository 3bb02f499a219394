package dev.asp.session;

import static dev.asp.session.SessionFixture.in;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.SessionAction;
import dev.asp.storage.DatabaseSettings;
import dev.asp.storage.SchemaMigrator;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The verticle connects as a role whose connections the test can cut (terminate its backends and
 * refuse new ones), which is what an unreachable database looks like to the pool.
 */
@DisplayName("When the database is unreachable")
class DatabaseDownTest {
  private static final String ROLE = "asp_session_" + ProcessHandle.current().pid();
  private static DatabaseSettings admin;
  private static Vertx adminVertx;
  private static Pool adminSql;
  private static SessionFixture fx;

  @BeforeAll
  static void start() {
    admin = TestDatabase.fresh();
    SchemaMigrator.migrate(admin, SessionSchema.MODULE);
    adminVertx = Vertx.vertx();
    adminSql = admin.pool(adminVertx);
    for (String statement :
        List.of(
            "CREATE ROLE " + ROLE + " LOGIN",
            "GRANT ALL ON ALL TABLES IN SCHEMA public TO " + ROLE)) {
      adminSql.query(statement).execute().await();
    }
    fx =
        SessionFixture.start(
            new DatabaseSettings(
                admin.host(), admin.port(), admin.database(), ROLE, admin.password(), 2));
  }

  @AfterAll
  static void stop() {
    fx.close();
    // Roles are server-wide: leave nothing behind on an external test server.
    for (String statement : List.of("DROP OWNED BY " + ROLE, "DROP ROLE " + ROLE)) {
      adminSql.query(statement).execute().await();
    }
    adminVertx.close().await();
  }

  @BeforeEach
  void reachable() {
    adminSql.query("ALTER ROLE " + ROLE + " CONNECTION LIMIT -1").execute().await();
  }

  private static void cutConnections() {
    adminSql
        .query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + ROLE + "'")
        .execute()
        .await();
  }

  @Test
  @DisplayName("a command whose connection drops mid-transaction fails unavailable")
  void droppedMidCommand() throws InterruptedException {
    String alice = fx.agent("alice");
    String id = fx.create(alice);
    SqlConnection blocker = adminSql.getConnection().await();
    Transaction tx = blocker.begin().await();
    try {
      // Hold the session row lock so the send is certainly in flight when its backend dies.
      blocker
          .preparedQuery("SELECT id FROM sessions WHERE id = $1 FOR UPDATE")
          .execute(Tuple.of(id))
          .await();
      Future<JsonObject> send =
          fx.bus.session(SessionAction.SEND, in(alice, id).put(Fields.CONTENT, "lost?"));
      long deadline = System.currentTimeMillis() + 5_000;
      while (adminSql
              .preparedQuery(
                  "SELECT count(*) FROM pg_stat_activity"
                      + " WHERE usename = $1 AND wait_event_type = 'Lock'")
              .execute(Tuple.of(ROLE))
              .await()
              .iterator()
              .next()
              .getLong(0)
          == 0) {
        assertTrue(System.currentTimeMillis() < deadline, "the send never waited for the lock");
        Thread.sleep(10);
      }
      cutConnections();
      AspException failure = assertThrows(AspException.class, () -> send.await());
      assertEquals(ErrorCode.UNAVAILABLE, failure.code());
      assertFalse(failure.getMessage().toLowerCase().contains("select"));
    } finally {
      tx.rollback().await();
      blocker.close().await();
    }
    assertEquals(0, fx.count("SELECT count(*) FROM events WHERE session_id = $1", id));
  }

  @Test
  @DisplayName("commands fail unavailable while the database refuses connections")
  void refusingConnections() {
    String alice = fx.agent("alice");
    String id = fx.create(alice);
    adminSql.query("ALTER ROLE " + ROLE + " CONNECTION LIMIT 0").execute().await();
    cutConnections();
    assertEquals(
        ErrorCode.UNAVAILABLE,
        fx.failure(SessionAction.SEND, in(alice, id).put(Fields.CONTENT, "x")).code());
    assertEquals(ErrorCode.UNAVAILABLE, fx.failure(SessionAction.GET, in(alice, id)).code());
  }
}
