package dev.asp.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asp.storage.DatabaseSettings;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A pool with connect statements (discover's: {@code SET plan_cache_mode = force_custom_plan}) runs
 * them on every connection it opens, as statements a pooler passes; a plain pool does not.
 */
@DisplayName("Pools with session settings")
class SessionSettingsPoolTest {
  @Test
  @DisplayName("every connection of the pool has the setting; a plain pool keeps the default")
  void settingsOnEveryConnection() {
    DatabaseSettings db = TestDatabase.fresh();
    Vertx vertx = Vertx.vertx();
    try {
      Pool custom =
          db.pool(vertx, "settings-test", 2, List.of("SET plan_cache_mode = force_custom_plan"));
      Pool plain = db.pool(vertx, "plain-test");
      for (int i = 0; i < 4; i++) {
        assertEquals("force_custom_plan", show(custom));
      }
      assertEquals("auto", show(plain));
      custom.close().await();
      plain.close().await();
    } finally {
      vertx.close().await();
    }
  }

  private static String show(Pool pool) {
    return pool.query("SHOW plan_cache_mode").execute().await().iterator().next().getString(0);
  }
}
