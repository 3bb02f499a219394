package dev.asp.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Further driver processes for {@code connections}: one process holds at most its open-file limit
 * of sockets, so N beyond it is shared with helpers (the same program, same JVM and class path). A
 * helper prints {@value #OPEN} with its count once its connections are open, holds them until its
 * stdin is closed, then prints {@value #STILL_OPEN} with the count still open and exits.
 */
final class HelperProcesses {
  private static final Logger LOG = LoggerFactory.getLogger(HelperProcesses.class);
  static final String OPEN = "asp-bench-helper-open";
  static final String STILL_OPEN = "asp-bench-helper-still-open";

  private static final class Helper {
    final Process process;
    final CountDownLatch opened = new CountDownLatch(1);
    final CountDownLatch finished = new CountDownLatch(1);
    volatile int open;
    volatile long stillOpen;

    Helper(Process process) {
      this.process = process;
    }
  }

  private final List<Helper> helpers;

  private HelperProcesses(List<Helper> helpers) {
    this.helpers = helpers;
  }

  /** Starts one helper per argument list (a workload command line). */
  static HelperProcesses start(List<List<String>> commands) {
    String java = ProcessHandle.current().info().command().orElse("java");
    String classpath = System.getProperty("java.class.path");
    List<Helper> started = new ArrayList<>();
    for (List<String> args : commands) {
      List<String> command = new ArrayList<>(List.of(java, "-cp", classpath, Main.class.getName()));
      command.addAll(args);
      try {
        Process process =
            new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Helper helper = new Helper(process);
        started.add(helper);
        Thread reader = new Thread(() -> read(helper), "helper-" + process.pid());
        reader.setDaemon(true);
        reader.start();
      } catch (IOException e) {
        started.forEach(h -> h.process.destroy());
        throw new IllegalStateException("cannot start a helper process: " + e.getMessage(), e);
      }
    }
    return new HelperProcesses(started);
  }

  private static void read(Helper helper) {
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(helper.process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith(OPEN + " ")) {
          helper.open = Integer.parseInt(line.substring(OPEN.length() + 1).trim());
          helper.opened.countDown();
        } else if (line.startsWith(STILL_OPEN + " ")) {
          helper.stillOpen = Long.parseLong(line.substring(STILL_OPEN.length() + 1).trim());
          helper.finished.countDown();
        }
      }
    } catch (IOException | NumberFormatException e) {
      LOG.warn("reading helper {}: {}", helper.process.pid(), e.toString());
    } finally {
      helper.opened.countDown();
      helper.finished.countDown();
    }
  }

  /** Waits until every helper has opened its connections (or ended); returns how many are open. */
  int awaitOpen(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int open = 0;
    for (Helper helper : helpers) {
      if (!await(helper.opened, deadline)) {
        LOG.warn("helper {} did not report its connections in time", helper.process.pid());
      }
      open += helper.open;
    }
    return open;
  }

  /**
   * Lets every helper close its connections and exit; returns how many of theirs were still open. A
   * helper that does not exit in time is killed.
   */
  long release(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Helper helper : helpers) {
      try {
        helper.process.getOutputStream().close();
      } catch (IOException e) {
        LOG.debug("closing helper {} stdin: {}", helper.process.pid(), e.toString());
      }
    }
    long stillOpen = 0;
    for (Helper helper : helpers) {
      await(helper.finished, deadline);
      stillOpen += helper.stillOpen;
      try {
        long left = Math.max(1, deadline - System.nanoTime());
        if (!helper.process.waitFor(left, TimeUnit.NANOSECONDS)) {
          LOG.warn("helper {} did not exit in time: killed", helper.process.pid());
          helper.process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        helper.process.destroyForcibly();
      }
    }
    return stillOpen;
  }

  private static boolean await(CountDownLatch latch, long deadlineNanos) {
    try {
      return latch.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** In a helper: blocks until stdin is closed (the parent is done) or the bound passes. */
  static void awaitStdinClosed(Duration bound) {
    Thread reader =
        new Thread(
            () -> {
              InputStream in = System.in;
              byte[] buffer = new byte[256];
              try {
                while (in.read(buffer) != -1) {
                  // nothing to read: the parent only closes it
                }
              } catch (IOException e) {
                // closed under us: same as end of input
              }
            },
            "await-parent");
    reader.setDaemon(true);
    reader.start();
    try {
      reader.join(bound.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
