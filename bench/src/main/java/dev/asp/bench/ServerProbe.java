package dev.asp.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CPU time and peak memory of the server processes, from Linux {@code /proc}: so throughput can be
 * stated per server CPU-second on a machine the driver shares. Read before and after a run.
 *
 * <p>CPU counts each given process and all its live descendants (user + system, plus reaped
 * children's): give the operator's PID and, for a PostgreSQL outside it (the embedded one is
 * re-parented to init), the postmaster's, and every backend is included. A descendant that exits
 * between readings moves its time into its parent's "children" fields, so the difference stays
 * right. Peak RSS is the sum of the given processes' own {@code VmHWM} (descendants share memory
 * with them, so adding theirs would over-count).
 */
public final class ServerProbe {
  private static final Logger LOG = LoggerFactory.getLogger(ServerProbe.class);

  /** One reading: CPU seconds so far, peak and current resident set in KiB. */
  public record Sample(double cpuSeconds, long peakRssKib, long rssKib) {}

  private final List<Long> pids;
  private final long ticksPerSecond;

  public ServerProbe(List<Long> pids) {
    this.pids = List.copyOf(pids);
    this.ticksPerSecond = clockTicks();
  }

  public List<Long> pids() {
    return pids;
  }

  public Sample sample() {
    long ticks = 0;
    long hwm = 0;
    long rss = 0;
    for (long pid : pids) {
      try {
        ticks += ticks(pid, true);
        for (long child : descendants(pid)) {
          ticks += ticks(child, false);
        }
        for (String line :
            Files.readAllLines(
                Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.UTF_8)) {
          if (line.startsWith("VmHWM:")) {
            hwm += Long.parseLong(line.replaceAll("[^0-9]", ""));
          } else if (line.startsWith("VmRSS:")) {
            rss += Long.parseLong(line.replaceAll("[^0-9]", ""));
          }
        }
      } catch (IOException | RuntimeException e) {
        throw new IllegalStateException("cannot read /proc/" + pid + ": " + e.getMessage(), e);
      }
    }
    return new Sample((double) ticks / ticksPerSecond, hwm, rss);
  }

  /** utime + stime + cutime + cstime; 0 for a descendant that has just gone. */
  private static long ticks(long pid, boolean required) throws IOException {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    } catch (IOException gone) {
      if (required) {
        throw gone;
      }
      return 0;
    }
    // the command name (field 2) may hold spaces: count fields from the last ')'
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    long total = 0;
    for (int i = 11; i <= 14; i++) { // fields 14..17 of proc(5)
      total += Long.parseLong(fields[i]);
    }
    return total;
  }

  private static List<Long> descendants(long pid) {
    List<Long> found = new ArrayList<>();
    List<Long> queue = new ArrayList<>(List.of(pid));
    while (!queue.isEmpty()) {
      long next = queue.remove(queue.size() - 1);
      Path tasks = Path.of("/proc", Long.toString(next), "task");
      try (var dirs = Files.list(tasks)) {
        for (Path task : dirs.toList()) {
          String children = Files.readString(task.resolve("children")).trim();
          if (!children.isEmpty()) {
            for (String child : children.split("\\s+")) {
              long c = Long.parseLong(child);
              found.add(c);
              queue.add(c);
            }
          }
        }
      } catch (IOException gone) {
        // exited while walking: its time is in its parent's children fields
      }
    }
    return found;
  }

  /** {@code getconf CLK_TCK}, 100 (the Linux default) if it cannot be run. */
  private static long clockTicks() {
    try {
      Process process = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.waitFor() == 0) {
        return Long.parseLong(out.trim());
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("getconf CLK_TCK failed ({}), assuming 100", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 100;
  }
}
