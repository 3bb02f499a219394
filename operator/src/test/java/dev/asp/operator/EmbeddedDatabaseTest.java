package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

  private static String show(Pool pool, String setting) {
    return pool.query("SHOW " + setting).execute().await().iterator().next().getString(0);
  }
}
