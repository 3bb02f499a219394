package dev.asp.operator;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import dev.asp.operator.impl.DataDirectoryLock;
import dev.asp.operator.logging.LogFormat;
import dev.asp.storage.DatabaseSettings;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Entry point: {@code java -jar asp-operator.jar [migrate | --help | --version]}. Reads and
 * validates the configuration (exit 2 on any problem, with every problem listed), starts the
 * embedded PostgreSQL when no database is configured and the node's roles need one, brings the node
 * up (joining its cluster when one is configured) and logs the URL it serves. SIGTERM stops it
 * cleanly. With {@code migrate} it only applies the schema migrations and exits: the
 * once-per-rollout step of a deployment whose nodes run with {@code ASP_MIGRATE_ON_START=false}.
 * {@code --help} and {@code --version} print and exit before any setting is read. Exit status: 0
 * after a requested stop (SIGTERM, SIGINT), 1 when it cannot start (the data directory held by
 * another operator: at once, touching nothing), 2 on a configuration problem or an unknown
 * argument.
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  static final String HELP = "--help";
  static final String VERSION = "--version";

  private Main() {}

  public static void main(String[] args) {
    if (args.length == 1 && (HELP.equals(args[0]) || "-h".equals(args[0]))) {
      System.out.print(Usage.help());
      return;
    }
    if (args.length == 1 && VERSION.equals(args[0])) {
      System.out.println(Usage.version());
      return;
    }
    boolean migrateOnly = args.length > 0 && "migrate".equals(args[0]);
    if (args.length > (migrateOnly ? 1 : 0)) {
      System.err.println("usage: " + Usage.USAGE + " (--help lists the commands and settings)");
      System.exit(2);
      return;
    }
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
    LOG.info("starting with {}", config);
    Stop stop = new Stop(config.shutdownTimeoutMs());
    Runtime.getRuntime().addShutdownHook(new Thread(stop::run, "asp-shutdown"));
    onTerminate(stop);
    EmbeddedDatabase embedded = null;
    try {
      DatabaseSettings db = null;
      if (migrateOnly || config.runs(Role.SESSION) || config.runs(Role.TRUST)) {
        if (config.embeddedDatabase()) {
          embedded =
              EmbeddedDatabase.start(
                  config.dataDir(), config.embeddedDatabasePort(), config.databasePoolSize());
          stop.database(embedded);
          db = embedded.settings();
        } else {
          db = DatabaseSettings.fromUrl(config.databaseUrl(), config.databasePoolSize());
        }
        db = db.withWaitQueue(config.databaseWaitQueue());
      }
      if (migrateOnly) {
        Operator.migrate(db);
        LOG.info("schema migrated");
        stop.run();
        System.exit(0);
        return;
      }
      Operator.Running running =
          Operator.launch(config, db)
              .toCompletionStage()
              .toCompletableFuture()
              .get(5, TimeUnit.MINUTES);
      stop.node(running);
      if (embedded != null) {
        // an orchestrator restarts a process that is not live; nothing here can heal it
        embedded.watch(running::markLost);
      }
      if (running.port() > 0) {
        LOG.info("ASP operator serving on http://{}:{}", config.httpHost(), running.port());
      } else {
        LOG.info("ASP operator node running {} (no HTTP)", config.roles());
      }
    } catch (DataDirectoryLock.InUseException e) {
      LOG.error("operator refused to start: {}", e.getMessage());
      System.exit(1);
    } catch (EmbeddedDatabase.StartFailure e) {
      LOG.error("operator failed to start: {}", e.getMessage());
      System.exit(1);
    } catch (Exception e) {
      LOG.error("operator failed to start: {}", rootMessage(e), e);
      System.exit(1); // the shutdown hook stops what was started
    }
  }

  /**
   * SIGTERM (an orchestrator) and SIGINT (Ctrl-C) are a requested stop, not a failure: the node
   * stops in order and the process exits 0 (1 when the node did not close in time). Without this
   * the JVM would run the same stop from its shutdown hook and exit 143.
   */
  private static void onTerminate(Stop stop) {
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(
          new Signal(name),
          signal -> new Thread(() -> System.exit(stop.run() ? 0 : 1), "asp-stop-" + name).start());
    }
  }

  /**
   * The one stop, run once whoever asks first (a signal, the shutdown hook, a failed start): the
   * node first (delivery stops writing and saves its cursors through the session verticle, then the
   * HTTP server, trust and session, then Vert.x), and only then the embedded database. PostgreSQL
   * stopping earlier would fail every offline report and grace sweep of the drain.
   */
  private static final class Stop {
    private final long timeoutMs;
    private Operator.Running node;
    private EmbeddedDatabase database;
    private boolean done;
    private boolean clean = true;

    Stop(long timeoutMs) {
      this.timeoutMs = timeoutMs;
    }

    synchronized void database(EmbeddedDatabase embedded) {
      database = embedded;
    }

    synchronized void node(Operator.Running running) {
      node = running;
    }

    /** Stops, or waits for the stop under way; true when the node closed in time. */
    synchronized boolean run() {
      if (done) {
        return clean;
      }
      done = true;
      if (node != null) {
        try {
          node.close().toCompletionStage().toCompletableFuture().get(timeoutMs, MILLISECONDS);
          LOG.info("ASP operator stopped");
        } catch (Exception e) {
          clean = false;
          LOG.warn("Vert.x did not close cleanly", e);
        }
      }
      if (database != null) {
        database.close();
      }
      return clean;
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage();
  }
}
