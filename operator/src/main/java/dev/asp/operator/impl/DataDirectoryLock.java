package dev.asp.operator.impl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One operator per data directory: an exclusive OS lock on {@code <dataDir>/operator.lock}, taken
 * before anything else in the directory is touched and held for the life of the process. The kernel
 * drops it when its holder dies, however it dies (SIGKILL included), so a lock never outlives its
 * holder and its holder alone may treat what it finds in the directory (a PostgreSQL still running,
 * a {@code postmaster.pid}) as left over by an earlier run. The file holds the holder's PID, for
 * the message of whoever is refused.
 */
public final class DataDirectoryLock implements AutoCloseable {
  static final String FILE = "operator.lock";
  private static final int MAX_PID_BYTES = 32;

  /** Another process (or this one, twice) holds the directory. */
  public static final class InUseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InUseException(Path directory, String holder) {
      super(
          "data directory "
              + directory
              + " is in use by another operator (pid "
              + holder
              + ", lock "
              + directory.resolve(FILE)
              + "): stop it, or give this one another ASP_DATA_DIR");
    }
  }

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirectoryLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the directory (created if missing) at once, or refuses at once.
   *
   * @throws InUseException when another process holds it
   */
  public static DataDirectoryLock acquire(Path dataDir) {
    Path directory = dataDir.toAbsolutePath().normalize();
    try {
      Files.createDirectories(directory);
      // no TRUNCATE on open: while another process holds the lock, its PID must stay readable
      FileChannel channel =
          FileChannel.open(
              directory.resolve(FILE),
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // this JVM holds it already
      }
      if (lock == null) {
        String holder = holder(channel);
        channel.close();
        throw new InUseException(directory, holder);
      }
      channel.truncate(0);
      channel.write(
          ByteBuffer.wrap(
              (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
          0);
      channel.force(false);
      return new DataDirectoryLock(channel, lock);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock the data directory " + directory, e);
    }
  }

  private static String holder(FileChannel channel) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(MAX_PID_BYTES);
    channel.read(buffer, 0);
    String pid = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
    return pid.matches("[0-9]{1,19}") ? pid : "unknown";
  }

  /** Releases the directory: only once nothing of this process uses it any more. */
  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release the data directory lock", e);
    }
  }
}
