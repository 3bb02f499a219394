package dev.asp.operator;

import dev.asp.operator.logging.LogFormat;
import dev.asp.storage.DatabaseSettings;
import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point: {@code java -jar asp-operator.jar [migrate]}. Reads and validates the configuration
 * (exit 2 on any problem, with every problem listed), starts the embedded PostgreSQL when no
 * database is configured and the node's roles need one, brings the node up (joining its cluster
 * when one is configured) and logs the URL it serves. SIGTERM stops it cleanly. With {@code
 * migrate} it only applies the schema migrations and exits: the once-per-rollout step of a
 * deployment whose nodes run with {@code ASP_MIGRATE_ON_START=false}.
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    System.setProperty("hazelcast.phone.home.enabled", "false");
    OperatorConfig config;
    try {
      config = ConfigLoader.load(System.getenv());
    } catch (ConfigLoader.InvalidConfigException e) {
      LogFormat.orText(System.getenv("ASP_LOG_FORMAT")).apply(); // log format: best effort
      LOG.error("{}", e.getMessage());
      System.exit(2);
      return;
    }
    config.logFormat().apply(); // log format: before the first line is written
    boolean migrateOnly = args.length > 0 && "migrate".equals(args[0]);
    if (args.length > (migrateOnly ? 1 : 0)) {
      LOG.error("usage: java -jar asp-operator.jar [migrate]");
      System.exit(2);
      return;
    }
    LOG.info("starting with {}", config);
    EmbeddedDatabase embedded = null;
    try {
      DatabaseSettings db = null;
      if (migrateOnly || config.runs(Role.SESSION) || config.runs(Role.TRUST)) {
        if (config.embeddedDatabase()) {
          embedded =
              EmbeddedDatabase.start(
                  config.dataDir(), config.embeddedDatabasePort(), config.databasePoolSize());
          db = embedded.settings();
        } else {
          db = DatabaseSettings.fromUrl(config.databaseUrl(), config.databasePoolSize());
        }
        db = db.withWaitQueue(config.databaseWaitQueue());
      }
      if (migrateOnly) {
        Operator.migrate(db);
        LOG.info("schema migrated");
        stopper(null, embedded, 0).run();
        System.exit(0);
        return;
      }
      Operator.Running running =
          Operator.launch(config, db)
              .toCompletionStage()
              .toCompletableFuture()
              .get(5, TimeUnit.MINUTES);
      if (running.port() > 0) {
        LOG.info("ASP operator serving on http://{}:{}", config.httpHost(), running.port());
      } else {
        LOG.info("ASP operator node running {} (no HTTP)", config.roles());
      }
      EmbeddedDatabase database = embedded;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  stopper(running::close, database, config.shutdownTimeoutMs()), "asp-shutdown"));
    } catch (Exception e) {
      LOG.error("operator failed to start: {}", rootMessage(e), e);
      stopper(null, embedded, 0).run();
      System.exit(1);
    }
  }

  /** Stops the node (gateway and delivery first, so cursors are saved), then the database. */
  private static Runnable stopper(
      Supplier<Future<Void>> close, EmbeddedDatabase embedded, long timeoutMs) {
    return () -> {
      try {
        if (close != null) {
          close
              .get()
              .toCompletionStage()
              .toCompletableFuture()
              .get(timeoutMs, TimeUnit.MILLISECONDS);
          LOG.info("ASP operator stopped");
        }
      } catch (Exception e) {
        LOG.warn("Vert.x did not close cleanly", e);
      }
      if (embedded != null) {
        embedded.close();
      }
    };
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage();
  }
}
