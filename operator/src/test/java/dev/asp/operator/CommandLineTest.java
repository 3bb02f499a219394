package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.BuildInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The jar's entry point as a user calls it: {@link Main} in a JVM of its own, with an environment
 * that would not even start a node, so what it prints cannot come from a started operator.
 */
@DisplayName("The operator's command line")
class CommandLineTest {
  record Run(int exit, String out, String err) {}

  @Test
  @DisplayName("--help lists the commands and every setting of the table with its default")
  void help() throws Exception {
    Run run = main("--help");
    assertEquals(0, run.exit(), run.err());
    for (String command : List.of("migrate", "--help", "--version", Watch.class.getName())) {
      assertTrue(run.out().contains(command), command + " missing from:\n" + run.out());
    }
    for (Map.Entry<String, String[]> setting : ConfigLoader.SETTINGS.entrySet()) {
      String defaultValue = setting.getValue()[0] == null ? "(unset)" : setting.getValue()[0];
      String line =
          run.out()
              .lines()
              .filter(l -> l.trim().startsWith(setting.getKey() + " "))
              .findFirst()
              .orElseThrow(() -> new AssertionError(setting.getKey() + " missing:\n" + run.out()));
      assertTrue(line.contains(" " + defaultValue + " "), line);
      assertTrue(line.endsWith(setting.getValue()[1]), line);
    }
  }

  @Test
  @DisplayName("--version prints the version and the commit the jar was built from")
  void version() throws Exception {
    Run run = main("--version");
    assertEquals(0, run.exit(), run.err());
    BuildInfo build = BuildInfo.current();
    assertEquals(
        "asp-operator " + build.version() + " (commit " + build.commit() + ")", run.out().trim());
    assertTrue(build.version().matches("\\d+\\.\\d+\\.\\d+.*"), build.version());
  }

  @Test
  @DisplayName("an unknown argument is refused with status 2 and a pointer to --help")
  void unknownArgument() throws Exception {
    Run run = main("--frobnicate");
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("usage: ") && run.err().contains("--help"), run.err());
  }

  private static Run main(String... args) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new ArrayList<>(
            List.of(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path")));
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(key -> key.startsWith("ASP_"));
    // a setting that would stop any start-up: help and version must not read the settings
    builder.environment().put("ASP_NOT_A_SETTING", "x");
    Process process = builder.start();
    process.getOutputStream().close();
    byte[] out = process.getInputStream().readAllBytes();
    byte[] err = process.getErrorStream().readAllBytes();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the command did not end");
    return new Run(
        process.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }
}
