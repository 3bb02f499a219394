package dev.asp.operator;

import dev.asp.operator.impl.DataDirectoryLock;
import dev.asp.operator.impl.PostgresProcesses;
import dev.asp.operator.impl.PostgresStartLog;
import dev.asp.storage.DatabaseSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL started by the operator itself when no database is configured (zonky's packaged
 * binaries; as root they run in a user namespace as {@code nobody}). Data is kept in {@code
 * <dataDir>/postgres}, so restarting the operator keeps every session. Blocking: start it from
 * {@code main}, never from an event loop.
 *
 * <p>Its life: the data directory is locked first ({@link DataDirectoryLock}), so whatever
 * PostgreSQL process or {@code postmaster.pid} is found there was left by an earlier run of this
 * operator, killed: such processes are stopped and the stale pid file removed, and PostgreSQL
 * recovers from its log. The library's own shutdown hook is not used: {@link #close()} is called by
 * the operator's stop once everything that uses the database has stopped. While it runs, {@link
 * #watch} reports the PostgreSQL dying under the operator.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);

  /** Longest wait for PostgreSQL to accept connections (crash recovery included). */
  static final Duration START_WAIT = Duration.ofSeconds(60);

  /** Longest wait for processes left by an earlier run to stop, first asked, then killed. */
  private static final Duration LEFTOVER_WAIT = Duration.ofSeconds(30);

  private static final long WATCH_MS = 500;

  /** PostgreSQL could not start; the message says why, in PostgreSQL's words when it said any. */
  public static final class StartFailure extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    StartFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final DataDirectoryLock lock;
  private final EmbeddedPostgres postgres;
  private final Path directory;
  private final long postmasterPid;
  private final DatabaseSettings settings;
  private ScheduledExecutorService watcher;

  private EmbeddedDatabase(
      DataDirectoryLock lock,
      EmbeddedPostgres postgres,
      Path directory,
      long postmasterPid,
      int poolSize) {
    this.lock = lock;
    this.postgres = postgres;
    this.directory = directory;
    this.postmasterPid = postmasterPid;
    this.settings =
        new DatabaseSettings(
            "127.0.0.1", postgres.getPort(), "postgres", "postgres", null, poolSize);
  }

  /**
   * Locks {@code dataDir} and starts PostgreSQL in it.
   *
   * @throws DataDirectoryLock.InUseException at once when another process holds {@code dataDir}:
   *     nothing in it has been touched
   * @throws StartFailure when PostgreSQL cannot start, with what PostgreSQL said
   */
  public static EmbeddedDatabase start(Path dataDir, int port, int poolSize) {
    DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir);
    Path directory = dataDir.resolve("postgres").toAbsolutePath().normalize();
    try (PostgresStartLog said = PostgresStartLog.listen()) {
      try {
        Files.createDirectories(directory);
        clearLeftovers(directory);
        EmbeddedPostgres postgres = builder(directory, port).start();
        if (said.gaveUp()) {
          throw new IOException("pg_ctl could not start the server");
        }
        long pid =
            PostgresProcesses.postmasterPid(directory)
                .orElseThrow(() -> new IOException("PostgreSQL wrote no postmaster.pid"));
        LOG.info(
            "embedded PostgreSQL (pid {}) on 127.0.0.1:{} with data in {}",
            pid,
            postgres.getPort(),
            directory);
        return new EmbeddedDatabase(lock, postgres, directory, pid, poolSize);
      } catch (IOException | RuntimeException e) {
        said.gaveUp(); // clears an interrupt meant for the library's wait
        stopQuietly(directory); // a server still starting when we gave up must not stay behind
        lock.close();
        String reason = said.said();
        throw new StartFailure(
            "cannot start the embedded PostgreSQL in "
                + directory
                + ": "
                + (reason.isEmpty() ? rootMessage(e) : "PostgreSQL says:\n" + reason),
            e);
      }
    }
  }

  private static EmbeddedPostgres.Builder builder(Path directory, int port) {
    EmbeddedPostgres.Builder builder =
        EmbeddedPostgres.builder()
            .setDataDirectory(directory)
            .setCleanDataDirectory(false)
            // the operator stops it last, after the verticles that use it (Main)
            .setRegisterShutdownHook(false)
            .setPGStartupWait(START_WAIT)
            .setServerConfig("max_connections", "200")
            // The library's default is synchronous_commit=off (fast test databases): a crash
            // could then lose commits already acknowledged with a 2xx. Not here.
            .setServerConfig("synchronous_commit", "on")
            .setServerConfig("fsync", "on");
    if (port > 0) {
      builder.setPort(port);
    }
    return builder;
  }

  /**
   * Under the directory lock no other operator uses this PostgreSQL: processes of it still running
   * were left by a killed earlier run (the postmaster outlives a SIGKILLed JVM; backends outlive a
   * killed postmaster for a moment) and serve nobody. They are asked to stop (SIGTERM: a postmaster
   * shuts down, a backend exits), then killed; only then is a {@code postmaster.pid} stale for
   * certain, whatever its PID now is (gone, a zombie nobody reaped, a recycled number), and
   * removed: PostgreSQL refuses to start while its PID looks alive. Recovery from the log does the
   * rest.
   */
  private static void clearLeftovers(Path directory) throws IOException {
    List<Long> leftovers = PostgresProcesses.runningIn(directory);
    if (!leftovers.isEmpty()) {
      LOG.warn(
          "stopping PostgreSQL process(es) {} left in {} by an earlier run", leftovers, directory);
      long postmaster = PostgresProcesses.postmasterPid(directory).orElse(-1L);
      // with its postmaster alive, the backends are its business: stopping it stops them
      List<Long> asked = leftovers.contains(postmaster) ? List.of(postmaster) : leftovers;
      asked.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy));
      if (!awaitGone(directory, LEFTOVER_WAIT)) {
        PostgresProcesses.runningIn(directory)
            .forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        if (!awaitGone(directory, Duration.ofSeconds(5))) {
          throw new IOException(
              "PostgreSQL process(es) "
                  + PostgresProcesses.runningIn(directory)
                  + " left in "
                  + directory
                  + " by an earlier run do not stop");
        }
      }
    }
    Path pidFile = directory.resolve("postmaster.pid");
    if (Files.exists(pidFile)) {
      LOG.info(
          "removing the stale postmaster.pid (pid {} runs no PostgreSQL here): recovering",
          PostgresProcesses.postmasterPid(directory).map(String::valueOf).orElse("?"));
      Files.delete(pidFile);
    }
  }

  /** Polls until no PostgreSQL process works in {@code directory}; false when time ran out. */
  private static boolean awaitGone(Path directory, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!PostgresProcesses.runningIn(directory).isEmpty()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(50); // main thread, before Vert.x: nothing else to do meanwhile
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private static void stopQuietly(Path directory) {
    try {
      clearLeftovers(directory);
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not stop the embedded PostgreSQL in {}: {}", directory, e.getMessage());
    }
  }

  /**
   * Calls {@code onLost} once, from a watcher thread, if the PostgreSQL process ends while the
   * operator runs (killed, out of memory): every request would fail from then on.
   */
  public synchronized void watch(Consumer<String> onLost) {
    if (watcher != null) {
      return;
    }
    watcher =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "asp-embedded-db-watch");
              thread.setDaemon(true);
              return thread;
            });
    watcher.scheduleWithFixedDelay(
        () -> {
          if (!PostgresProcesses.runsIn(postmasterPid, directory)) {
            String reason = "the embedded PostgreSQL (pid " + postmasterPid + ") is gone";
            LOG.error("{}: every request needing the database fails until a restart", reason);
            onLost.accept(reason);
            watcher.shutdown();
          }
        },
        WATCH_MS,
        WATCH_MS,
        TimeUnit.MILLISECONDS);
  }

  public DatabaseSettings settings() {
    return settings;
  }

  /** Stops PostgreSQL (fast shutdown: it waits for nothing), then releases the data directory. */
  @Override
  public synchronized void close() {
    if (watcher != null) {
      watcher.shutdownNow();
    }
    try {
      if (PostgresProcesses.runsIn(postmasterPid, directory)) {
        postgres.close();
        LOG.info("embedded PostgreSQL stopped");
      } else {
        LOG.info("the embedded PostgreSQL (pid {}) is gone already", postmasterPid);
      }
    } catch (IOException e) {
      LOG.warn("embedded PostgreSQL did not stop cleanly", e);
    } finally {
      lock.close();
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
