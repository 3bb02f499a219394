package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.operator.impl.DataDirectoryLock;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The embedded PostgreSQL")
class EmbeddedDatabaseTest {
  @TempDir Path dataDir;

  @Test
  @DisplayName("commits durably: an acknowledged commit is on disk (synchronous_commit, fsync)")
  void durableCommits() {
    Vertx vertx = Vertx.vertx();
    try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDir, 0, 2)) {
      Pool pool = database.settings().pool(vertx);
      assertEquals("on", show(pool, "synchronous_commit"));
      assertEquals("on", show(pool, "fsync"));
      pool.close().await();
    } finally {
      vertx.close().await();
    }
  }

  @Test
  @DisplayName(
      "holds its data directory: a second start on it is refused and the first one runs on")
  void oneDatabasePerDirectory() {
    Vertx vertx = Vertx.vertx();
    try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDir, 0, 2)) {
      DataDirectoryLock.InUseException refused =
          assertThrows(
              DataDirectoryLock.InUseException.class, () -> EmbeddedDatabase.start(dataDir, 0, 2));
      assertTrue(
          refused.getMessage().contains("pid " + ProcessHandle.current().pid()),
          refused.getMessage());
      Pool pool = database.settings().pool(vertx);
      assertEquals("on", show(pool, "fsync"));
      pool.close().await();
    } finally {
      vertx.close().await();
    }
  }

  private static String show(Pool pool, String setting) {
    return pool.query("SHOW " + setting).execute().await().iterator().next().getString(0);
  }
}
