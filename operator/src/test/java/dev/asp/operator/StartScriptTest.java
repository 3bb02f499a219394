package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.BuildInfo;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code src/main/dist/asp-operator}, the start script the build puts beside the jar: it runs the
 * jar next to it with the operator's JVM settings, unless {@code JAVA_OPTS} replaces them. The jar
 * here is a manifest-only one that starts the real {@link Main} from the test classpath, and {@code
 * JAVA} a wrapper that records what the script passed before running the real java.
 */
@DisplayName("The start script")
class StartScriptTest {
  @TempDir Path dir;

  record Run(int exit, String out, String args, String arenas) {}

  private Run run(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    Path script = dir.resolve("asp-operator");
    Files.copy(
        Path.of("src", "main", "dist", "asp-operator"),
        script,
        StandardCopyOption.REPLACE_EXISTING);
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
    manifest
        .getMainAttributes()
        .put(
            Attributes.Name.CLASS_PATH,
            List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
                .map(entry -> Path.of(entry).toUri().toString())
                .collect(Collectors.joining(" ")));
    try (OutputStream out = Files.newOutputStream(dir.resolve("asp-operator.jar"));
        JarOutputStream jar = new JarOutputStream(out, manifest)) {
      // the manifest is the whole jar
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    Path wrapper = dir.resolve("java-wrapper");
    Files.writeString(
        wrapper,
        "#!/bin/sh\n"
            + "echo \"$*\" > \"$(dirname \"$0\")/args\"\n"
            + "echo \"$MALLOC_ARENA_MAX\" > \"$(dirname \"$0\")/arenas\"\n"
            + "exec '"
            + java
            + "' \"$@\"\n");
    assertTrue(wrapper.toFile().setExecutable(true), "wrapper made executable");
    ProcessBuilder builder =
        new ProcessBuilder(
            List.of("sh", script.toString()).stream()
                .collect(Collectors.toCollection(java.util.ArrayList::new)));
    builder.command().addAll(List.of(args));
    builder.environment().keySet().removeIf(key -> key.startsWith("ASP_"));
    builder.environment().remove("MALLOC_ARENA_MAX");
    builder.environment().remove("JAVA_OPTS");
    builder.environment().put("JAVA", wrapper.toString());
    builder.environment().putAll(env);
    builder.redirectErrorStream(true);
    Process process = builder.start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the script did not end");
    return new Run(
        process.exitValue(),
        out,
        Files.readString(dir.resolve("args")).trim(),
        Files.readString(dir.resolve("arenas")).trim());
  }

  @Test
  @DisplayName("runs the jar beside it with the operator's JVM settings and the arguments given")
  void defaults() throws Exception {
    Run run = run(Map.of(), "--version");
    assertEquals(0, run.exit(), run.out());
    BuildInfo build = BuildInfo.current();
    assertEquals(
        "asp-operator " + build.version() + " (commit " + build.commit() + ")", run.out().trim());
    assertTrue(
        run.args().startsWith("-XX:+UseSerialGC -Xms64m -Xmx1g -XX:+ExitOnOutOfMemoryError -jar "),
        run.args());
    assertTrue(run.args().endsWith("asp-operator.jar --version"), run.args());
    assertEquals("2", run.arenas());
  }

  @Test
  @DisplayName("JAVA_OPTS replaces the JVM settings, and a MALLOC_ARENA_MAX set is kept")
  void overridden() throws Exception {
    Run run = run(Map.of("JAVA_OPTS", "-Xmx1g -Xss512k", "MALLOC_ARENA_MAX", "4"), "--help");
    assertEquals(0, run.exit(), run.out());
    assertTrue(run.args().startsWith("-Xmx1g -Xss512k -jar "), run.args());
    assertFalse(run.args().contains("UseSerialGC"), run.args());
    assertEquals("4", run.arenas());
  }
}
