package dev.asp.bench;

import java.io.PrintStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar asp-bench.jar <command>}: a load generator, latency report and delivery checker
 * for any ASP operator. The report goes to the {@link PrintStream} given here (stdout from the
 * command line), logs to stderr.
 */
@Command(
    name = "asp-bench",
    mixinStandardHelpOptions = true,
    version = "asp-bench 0.1.0",
    description = "Load generator, latency report and delivery checker for ASP operators.",
    subcommands = {
      Provision.class,
      Pairs.class,
      Fanout.class,
      A2aFanout.class,
      A2aBoard.class,
      A2aDiscover.class,
      A2aProcess.class,
      A2aIdle.class,
      Rate.class,
      Storm.class,
      Connections.class,
      Ceiling.class
    })
public final class Main implements Runnable {
  private final PrintStream out;

  public Main(PrintStream out) {
    this.out = out;
  }

  PrintStream out() {
    return out;
  }

  @Override
  public void run() {
    CommandLine.usage(this, out);
  }

  /** Runs one command line; returns its exit code. */
  public static int execute(PrintStream out, String... args) {
    return new CommandLine(new Main(out)).execute(args);
  }

  public static void main(String[] args) {
    System.exit(execute(System.out, args));
  }
}
