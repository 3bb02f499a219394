package dev.asp.storage;

import java.util.Arrays;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one module's versioned SQL migrations with Flyway. Each verticle module owns its tables,
 * its migration folder and its own history table, so modules evolve independently.
 *
 * <p>This is blocking JDBC: call it from {@code main}, a worker or {@code executeBlocking}, never
 * from an event loop (P8). Flyway holds a PostgreSQL advisory lock while migrating, so nodes
 * starting together do not race.
 *
 * <p>A database migrated by a newer operator (versions this build does not know) is accepted only
 * when every one of those migrations is an <em>expand</em> migration, named {@code
 * V<n>__expand_<what>.sql}: one that only adds (a table, a nullable or defaulted column, an index)
 * so the previous version's code runs on it unchanged. That is the expand/contract rule of a
 * rolling update: version N+1 ships its expand migrations, the migration step applies them while
 * pods of version N still run (and restart), and whatever N+1 no longer needs is removed by a
 * later, ordinary migration once no pod of N is left. Any other unknown migration is refused,
 * naming it: running old code on a schema it does not know is how data gets corrupted.
 */
public final class SchemaMigrator {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);

  /** A module's migrations: classpath folder and history table. */
  public record Module(String name, String location, String historyTable) {}

  private SchemaMigrator() {}

  /** The description prefix of an expand migration ({@code V<n>__expand_<what>.sql}). */
  public static final String EXPAND = "expand ";

  public static void migrate(DatabaseSettings db, Module module) {
    try {
      Flyway flyway = flyway(db, module, acceptsNewer(db, module));
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
    try {
      Flyway flyway = flyway(db, module, acceptsNewer(db, module));
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

  /**
   * Whether the schema holds migrations of a newer operator that this build may run on: none
   * (false), only expand migrations (true, logged), or others (refused, naming them).
   */
  private static boolean acceptsNewer(DatabaseSettings db, Module module) {
    List<MigrationInfo> newer =
        Arrays.stream(flyway(db, module, false).info().all())
            .filter(
                m ->
                    m.getState() == MigrationState.FUTURE_SUCCESS
                        || m.getState() == MigrationState.FUTURE_FAILED)
            .toList();
    if (newer.isEmpty()) {
      return false;
    }
    List<String> incompatible =
        newer.stream()
            .filter(
                m ->
                    m.getState() != MigrationState.FUTURE_SUCCESS
                        || !m.getDescription().startsWith(EXPAND))
            .map(SchemaMigrator::name)
            .toList();
    if (!incompatible.isEmpty()) {
      throw new IllegalStateException(
          "database schema '"
              + module.name()
              + "' was migrated by a newer operator with "
              + String.join(", ", incompatible)
              + ", which this version cannot run on (only expand migrations, V<n>__expand_<what>,"
              + " are compatible with the previous version): run the newer version");
    }
    LOG.info(
        "schema {} has {} expand migration(s) of a newer operator ({}): compatible, running on it",
        module.name(),
        newer.size(),
        String.join(", ", newer.stream().map(SchemaMigrator::name).toList()));
    return true;
  }

  private static String name(MigrationInfo m) {
    return "V" + m.getVersion() + " '" + m.getDescription() + "'";
  }

  private static IllegalStateException unusable(Module module, FlywayException e) {
    return new IllegalStateException(
        "database schema '"
            + module.name()
            + "' cannot be used by this operator version: "
            + e.getMessage(),
        e);
  }

  /** {@code acceptNewer}: ignore the migrations a newer operator applied (checked beforehand). */
  private static Flyway flyway(DatabaseSettings db, Module module, boolean acceptNewer) {
    return Flyway.configure(SchemaMigrator.class.getClassLoader())
        .dataSource(db.jdbcUrl(), db.user(), db.password())
        .locations(module.location())
        .table(module.historyTable())
        // Modules share one database schema, each with its own history table: the second module
        // finds a non-empty schema, so its history starts from an empty baseline (version 0).
        .baselineOnMigrate(true)
        .baselineVersion("0")
        // Migrations applied by a newer operator ("future" ones) fail validation unless they were
        // found to be expand migrations only (acceptsNewer)
        .ignoreMigrationPatterns(acceptNewer ? "*:future" : "")
        .validateOnMigrate(true)
        .connectRetries(5)
        .load();
  }
}
