package dev.asp.operator.impl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The PostgreSQL processes of one data directory, as Linux's {@code /proc} shows them (the packaged
 * binaries are Linux ones). Every PostgreSQL process (postmaster and backends) runs with the data
 * directory as its working directory and {@code postgres} as its command name, whatever title it
 * shows; that is what identifies them, not a PID alone, which may be a zombie or a recycled number.
 */
public final class PostgresProcesses {
  private static final Path PROC = Path.of("/proc");

  private PostgresProcesses() {}

  /** The live (not zombie) PostgreSQL processes working in {@code directory}. */
  public static List<Long> runningIn(Path directory) {
    Path real = real(directory);
    return ProcessHandle.allProcesses()
        .map(ProcessHandle::pid)
        .filter(pid -> runsInReal(pid, real))
        .toList();
  }

  /** Whether {@code pid} is a live (not zombie) PostgreSQL process working in {@code directory}. */
  public static boolean runsIn(long pid, Path directory) {
    return runsInReal(pid, real(directory));
  }

  private static boolean runsInReal(long pid, Path directory) {
    Path proc = PROC.resolve(Long.toString(pid));
    try {
      if (!"postgres".equals(Files.readString(proc.resolve("comm")).trim())) {
        return false;
      }
      return alive(stat(proc)) && Files.readSymbolicLink(proc.resolve("cwd")).equals(directory);
    } catch (IOException | SecurityException e) {
      return false; // gone meanwhile, or not ours to inspect
    }
  }

  /** The PID a {@code postmaster.pid} names (its first line), if it names one. */
  public static Optional<Long> postmasterPid(Path directory) {
    Path file = directory.resolve("postmaster.pid");
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
      return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The directory as the kernel names a working directory: no symbolic links. */
  private static Path real(Path directory) {
    try {
      return directory.toRealPath();
    } catch (IOException e) {
      return directory.toAbsolutePath().normalize();
    }
  }

  private static String stat(Path proc) throws IOException {
    return Files.readString(proc.resolve("stat"), StandardCharsets.US_ASCII);
  }

  /** The state letter follows the command name in parentheses: Z is a zombie, X dead. */
  private static boolean alive(String stat) {
    int end = stat.lastIndexOf(')');
    if (end < 0 || end + 2 >= stat.length()) {
      return false;
    }
    char state = stat.charAt(end + 2);
    return state != 'Z' && state != 'X';
  }
}
