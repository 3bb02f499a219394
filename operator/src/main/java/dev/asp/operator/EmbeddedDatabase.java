package dev.asp.operator;

import dev.asp.storage.DatabaseSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL started by the operator itself when no database is configured (zonky's packaged
 * binaries; as root they run in a user namespace as {@code nobody}). Data is kept in {@code
 * <dataDir>/postgres}, so restarting the operator keeps every session. Blocking: start it from
 * {@code main}, never from an event loop.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);

  private final EmbeddedPostgres postgres;
  private final DatabaseSettings settings;

  private EmbeddedDatabase(EmbeddedPostgres postgres, int poolSize) {
    this.postgres = postgres;
    this.settings =
        new DatabaseSettings(
            "127.0.0.1", postgres.getPort(), "postgres", "postgres", null, poolSize);
  }

  public static EmbeddedDatabase start(Path dataDir, int port, int poolSize) {
    Path directory = dataDir.resolve("postgres").toAbsolutePath().normalize();
    try {
      Files.createDirectories(directory);
      stopOrphan(directory);
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(directory)
              .setCleanDataDirectory(false)
              .setServerConfig("max_connections", "200")
              // The library's default is synchronous_commit=off (fast test databases): a crash
              // could then lose commits already acknowledged with a 2xx. Not here.
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("fsync", "on");
      if (port > 0) {
        builder.setPort(port);
      }
      EmbeddedPostgres postgres = builder.start();
      LOG.info(
          "embedded PostgreSQL on 127.0.0.1:{} with data in {}", postgres.getPort(), directory);
      return new EmbeddedDatabase(postgres, poolSize);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + directory, e);
    }
  }

  /**
   * If the operator was killed (SIGKILL, OOM), the PostgreSQL it started outlives it and keeps the
   * data directory locked. Such an orphan serves nobody: stop it (SIGTERM, PostgreSQL's smart
   * shutdown; nothing is connected any more) and wait for it before starting afresh.
   */
  private static void stopOrphan(Path directory) throws IOException {
    Path pidFile = directory.resolve("postmaster.pid");
    if (!Files.isReadable(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile);
    if (lines.size() < 2 || !Path.of(lines.get(1).trim()).normalize().equals(directory)) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).trim());
    } catch (NumberFormatException e) {
      return;
    }
    Optional<ProcessHandle> orphan =
        ProcessHandle.of(pid)
            .filter(ProcessHandle::isAlive)
            .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false));
    if (orphan.isEmpty()) {
      return; // a stale pid file: PostgreSQL itself cleans it up
    }
    LOG.warn("stopping an orphaned embedded PostgreSQL (pid {}) left by a previous run", pid);
    orphan.get().destroy();
    try {
      orphan.get().onExit().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IOException("the orphaned PostgreSQL (pid " + pid + ") did not stop", e);
    }
  }

  public DatabaseSettings settings() {
    return settings;
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      LOG.warn("embedded PostgreSQL did not stop cleanly", e);
    }
  }
}
