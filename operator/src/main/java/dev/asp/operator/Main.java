package dev.asp.operator;

import dev.asp.storage.DatabaseSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point: {@code java -jar asp-operator.jar}. Reads and validates the configuration (exit 2 on
 * any problem, with every problem listed), starts the embedded PostgreSQL when no database is
 * configured, brings the node up and logs the URL it serves. SIGTERM stops it cleanly.
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
      LOG.error("{}", e.getMessage());
      System.exit(2);
      return;
    }
    LOG.info("starting with {}", config);
    EmbeddedDatabase embedded = null;
    DatabaseSettings db;
    Vertx vertx = null;
    try {
      if (config.embeddedDatabase()) {
        embedded =
            EmbeddedDatabase.start(
                config.dataDir(), config.embeddedDatabasePort(), config.databasePoolSize());
        db = embedded.settings();
      } else {
        db = DatabaseSettings.fromUrl(config.databaseUrl(), config.databasePoolSize());
      }
      vertx = Vertx.vertx();
      Operator.Running running =
          Operator.start(vertx, config, db)
              .toCompletionStage()
              .toCompletableFuture()
              .get(5, TimeUnit.MINUTES);
      LOG.info("ASP operator serving on http://{}:{}", config.httpHost(), running.port());
      EmbeddedDatabase database = embedded;
      Runtime.getRuntime()
          .addShutdownHook(new Thread(stopper(running::close, database), "asp-shutdown"));
    } catch (Exception e) {
      LOG.error("operator failed to start: {}", rootMessage(e), e);
      Vertx started = vertx;
      stopper(started == null ? null : started::close, embedded).run();
      System.exit(1);
    }
  }

  /** Stops the node (gateway and delivery first, so cursors are saved), then the database. */
  private static Runnable stopper(Supplier<Future<Void>> close, EmbeddedDatabase embedded) {
    return () -> {
      try {
        if (close != null) {
          close.get().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
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
