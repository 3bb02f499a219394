package dev.asp.operator;

import static dev.asp.operator.HealthAndMetricsTest.check;
import static dev.asp.operator.HealthAndMetricsTest.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asp.operator.HealthAndMetricsTest.Reply;
import dev.asp.storage.DatabaseSettings;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The node connects as a role of its own that owns its database; the test makes the database
 * unreachable for that role (every backend terminated, new connections refused) and reachable
 * again, as {@code DatabaseDownTest} of the session verticle does.
 */
@DisplayName("Readiness follows the database")
class ReadinessDatabaseTest {
  private static final String ROLE = "asp_ready_" + ProcessHandle.current().pid();
  private static final long HEALTH_TIMEOUT_MS = 1000;
  private static Vertx adminVertx;
  private static Pool adminSql;
  private static DatabaseSettings fresh;
  private static Operator.Running node;

  @BeforeAll
  static void start() {
    fresh = TestDatabase.fresh();
    adminVertx = Vertx.vertx();
    // server-wide statements from the maintenance database, never from the one being cut
    adminSql = fresh.withDatabase("postgres").pool(adminVertx);
    for (String statement :
        List.of(
            "CREATE ROLE " + ROLE + " LOGIN",
            "ALTER DATABASE " + fresh.database() + " OWNER TO " + ROLE)) {
      adminSql.query(statement).execute().await();
    }
    DatabaseSettings asRole =
        new DatabaseSettings(
            fresh.host(), fresh.port(), fresh.database(), ROLE, fresh.password(), 4);
    node =
        Operator.launch(
                HealthAndMetricsTest.config(
                    Map.of("ASP_HEALTH_TIMEOUT_MS", String.valueOf(HEALTH_TIMEOUT_MS))),
                asRole)
            .await();
  }

  @AfterAll
  static void stop() {
    try {
      if (node != null) {
        node.close().await();
      }
    } finally {
      // Roles are server-wide: leave nothing behind on an external test server.
      adminSql.query("ALTER ROLE " + ROLE + " CONNECTION LIMIT -1").execute().await();
      for (String statement :
          List.of(
              "DROP DATABASE IF EXISTS " + fresh.database() + " WITH (FORCE)",
              "DROP ROLE IF EXISTS " + ROLE)) {
        adminSql.query(statement).execute().await();
      }
      adminVertx.close().await();
    }
  }

  private static Reply awaitReady(String what, Predicate<Reply> until) {
    long deadline = System.currentTimeMillis() + 15_000;
    Reply last;
    do {
      long asked = System.currentTimeMillis();
      last = get(node.managementPort(), "/health/ready");
      long took = System.currentTimeMillis() - asked;
      assertTrue(took < HEALTH_TIMEOUT_MS + 2_000, "a probe took " + took + " ms");
      if (until.test(last)) {
        return last;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    } while (System.currentTimeMillis() < deadline);
    return fail(what + "; last answer " + last.status() + " " + last.body());
  }

  @Test
  @DisplayName(
      "not ready (503, database down) while the database is unreachable, ready again after")
  void outage() {
    awaitReady("ready at first", r -> r.status() == 200);

    adminSql.query("ALTER ROLE " + ROLE + " CONNECTION LIMIT 0").execute().await();
    adminSql
        .query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + ROLE + "'")
        .execute()
        .await();
    Reply down = awaitReady("not ready while the database is down", r -> r.status() == 503);
    assertEquals("DOWN", down.json().getString("status"));
    assertEquals("DOWN", check(down.json(), "database").getString("status"), down.body());
    assertTrue(check(down.json(), "database").getString("error").length() > 0);
    assertEquals("UP", check(down.json(), "lifecycle").getString("status"));
    assertEquals(200, get(node.managementPort(), "/health/live").status(), "still alive");

    adminSql.query("ALTER ROLE " + ROLE + " CONNECTION LIMIT -1").execute().await();
    Reply up = awaitReady("ready again once the database is back", r -> r.status() == 200);
    assertEquals("UP", check(up.json(), "database").getString("status"));
  }
}
