package dev.asp.storage;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one module's versioned SQL migrations with Flyway. Each verticle module owns its tables,
 * its migration folder and its own history table, so modules evolve independently.
 *
 * <p>This is blocking JDBC: call it from {@code main}, a worker or {@code executeBlocking}, never
 * from an event loop (P8). Flyway holds a PostgreSQL advisory lock while migrating, so nodes
 * starting together do not race. A database migrated by a newer operator (a version this build does
 * not know) is refused: running old code on a new schema is how data gets corrupted.
 */
public final class SchemaMigrator {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);

  /** A module's migrations: classpath folder and history table. */
  public record Module(String name, String location, String historyTable) {}

  private SchemaMigrator() {}

  public static void migrate(DatabaseSettings db, Module module) {
    Flyway flyway = flyway(db, module);
    try {
      MigrateResult result = flyway.migrate();
      LOG.info(
          "schema {} at version {} ({} migration(s) applied)",
          module.name(),
          result.targetSchemaVersion == null
              ? result.initialSchemaVersion
              : result.targetSchemaVersion,
          result.migrationsExecuted);
    } catch (FlywayException e) {
      throw unusable(module, e);
    }
  }

  /**
   * Checks, without changing anything, that the module's schema is exactly what this build expects:
   * for nodes that leave migrations to a separate step (one per rollout). Throws naming the pending
   * or unknown versions otherwise.
   */
  public static void verify(DatabaseSettings db, Module module) {
    Flyway flyway = flyway(db, module);
    try {
      var info = flyway.info();
      if (info.pending().length > 0) {
        throw new IllegalStateException(
            "database schema '"
                + module.name()
                + "' is not migrated: "
                + info.pending().length
                + " migration(s) pending; run the operator's migrate step first");
      }
      flyway.validate();
    } catch (FlywayException e) {
      throw unusable(module, e);
    }
  }

  private static IllegalStateException unusable(Module module, FlywayException e) {
    return new IllegalStateException(
        "database schema '"
            + module.name()
            + "' cannot be used by this operator version: "
            + e.getMessage(),
        e);
  }

  private static Flyway flyway(DatabaseSettings db, Module module) {
    return Flyway.configure(SchemaMigrator.class.getClassLoader())
        .dataSource(db.jdbcUrl(), db.user(), db.password())
        .locations(module.location())
        .table(module.historyTable())
        // Modules share one database schema, each with its own history table: the second module
        // finds a non-empty schema, so its history starts from an empty baseline (version 0).
        .baselineOnMigrate(true)
        .baselineVersion("0")
        // Fail instead of ignoring migrations applied by a newer operator ("future" ones).
        .ignoreMigrationPatterns("")
        .validateOnMigrate(true)
        .connectRetries(5)
        .load();
  }
}
