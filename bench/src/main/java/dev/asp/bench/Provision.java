package dev.asp.bench;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Creates bench agents on this operator (admin API) and writes the agents file. */
@Command(
    name = "provision",
    description =
        "Create N open agents @OWNER.PREFIXnnnnn through this operator's admin API and write"
            + " the agents file (handle -> token).",
    mixinStandardHelpOptions = true)
final class Provision implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(
      names = "--url",
      defaultValue = "http://127.0.0.1:8080",
      description = "Base URL of the operator (default: ${DEFAULT-VALUE}).")
  String url;

  @Option(names = "--admin-token", required = true, description = "The operator admin token.")
  String adminToken;

  @Option(
      names = {"-N", "--count"},
      defaultValue = "200",
      description = "Agents to create (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(
      names = "--owner",
      defaultValue = "bench",
      description = "Owner of the agents, created if missing (default: ${DEFAULT-VALUE}).")
  String owner;

  @Option(
      names = "--prefix",
      description = "Agent name prefix (default: a fresh one per call, so handles never clash).")
  String prefix;

  @Option(names = "--agents", required = true, description = "The agents file to write.")
  Path agentsFile;

  @Override
  public Integer call() throws Exception {
    String names = prefix != null ? prefix : "r" + Long.toString(System.currentTimeMillis(), 36);
    Vertx vertx = Vertx.vertx();
    try {
      Agents agents =
          Driver.await(
              new Provisioner(vertx, url, adminToken).provision(owner, names, count),
              Duration.ofSeconds(300));
      agents.write(agentsFile);
      main.out().printf("provisioned %d agents into %s%n", agents.tokens().size(), agentsFile);
      return 0;
    } finally {
      Driver.await(vertx.close(), Duration.ofSeconds(10));
    }
  }
}
