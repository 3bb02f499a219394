package dev.asp.session;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.storage.DatabaseSettings;
import dev.asp.storage.SchemaMigrator;
import dev.asp.storage.SchemaMigrator.Module;
import dev.asp.testkit.TestDatabase;
import dev.asp.testkit.TestSql;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The rolling-update rule of {@link SchemaMigrator}: a version N pod that restarts after the
 * migration step of N+1 runs on N+1's schema when N+1 only expanded it, and refuses otherwise.
 * Version N's migrations are {@code db/compat/n}; N+1's either {@code db/compat/expand} or {@code
 * db/compat/contract} (test resources of this module).
 */
@DisplayName("Schema versions across a rolling update: expand migrations are compatible")
class SchemaCompatibilityTest {
  private static final String HISTORY = "compat_history";
  private static final Module N = new Module("compat", "classpath:db/compat/n", HISTORY);
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  private static Module next(String folder) {
    return new Module("compat", "classpath:db/compat/" + folder, HISTORY);
  }

  @Test
  @DisplayName("version N starts on a schema that N+1 expanded, and its writes still work")
  void expandedSchemaIsAccepted() {
    DatabaseSettings db = TestDatabase.fresh();
    SchemaMigrator.migrate(db, N);
    SchemaMigrator.migrate(db, next("expand")); // the migration step of N+1
    assertDoesNotThrow(() -> SchemaMigrator.verify(db, N)); // a pod with migrate-on-start off
    assertDoesNotThrow(() -> SchemaMigrator.migrate(db, N)); // a pod that migrates on start
    try (TestSql sql = new TestSql(vertx, db)) {
      sql.rows("INSERT INTO compat_notes (id, body) VALUES (1, 'from version N')");
      assertEquals("from version N", sql.value("SELECT body FROM compat_notes WHERE id = 1"));
    }
  }

  @Test
  @DisplayName("version N refuses a schema N+1 changed otherwise, naming the migration")
  void otherChangesAreRefused() {
    DatabaseSettings db = TestDatabase.fresh();
    SchemaMigrator.migrate(db, N);
    SchemaMigrator.migrate(db, next("contract"));
    for (Runnable start :
        new Runnable[] {() -> SchemaMigrator.verify(db, N), () -> SchemaMigrator.migrate(db, N)}) {
      IllegalStateException refused = assertThrows(IllegalStateException.class, start::run);
      assertTrue(refused.getMessage().contains("V2 'note body renamed'"), refused.getMessage());
      assertTrue(refused.getMessage().contains("expand"), refused.getMessage());
    }
  }

  @Test
  @DisplayName("the same version on its own schema, and N+1 on N's, need no special rule")
  void ordinaryUpgrade() {
    DatabaseSettings db = TestDatabase.fresh();
    SchemaMigrator.migrate(db, N);
    assertDoesNotThrow(() -> SchemaMigrator.verify(db, N));
    SchemaMigrator.migrate(db, next("contract"));
    assertDoesNotThrow(() -> SchemaMigrator.verify(db, next("contract")));
  }
}
