package dev.asp.bench;

import java.io.PrintStream;
import java.util.List;
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
  private final List<String> args;

  public Main(PrintStream out, List<String> args) {
    this.out = out;
    this.args = List.copyOf(args);
  }

  PrintStream out() {
    return out;
  }

  /** The command line as given, for the reports. */
  List<String> args() {
    return args;
  }

  @Override
  public void run() {
    CommandLine.usage(this, out);
  }

  /** Runs one command line; returns its exit code. */
  public static int execute(PrintStream out, String... args) {
    return new CommandLine(new Main(out, List.of(args))).execute(args);
  }

  public static void main(String[] args) {
    System.exit(execute(System.out, args));
  }
}
