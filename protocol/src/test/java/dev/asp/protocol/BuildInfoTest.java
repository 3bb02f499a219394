package dev.asp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Build info")
class BuildInfoTest {
  @Test
  @DisplayName("carries the project version and the commit git names for HEAD, else unknown")
  void versionAndCommit() throws InterruptedException {
    BuildInfo info = BuildInfo.current();
    // protocol/pom.xml passes the version Maven built
    assertEquals(System.getProperty("asp.expected.version"), info.version());
    assertEquals(head(), info.commit());
  }

  /** What the build saw: git's HEAD, or unknown where git or the clone is missing. */
  private static String head() throws InterruptedException {
    try {
      Process git =
          new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
      String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!git.waitFor(10, TimeUnit.SECONDS) || git.exitValue() != 0) {
        return BuildInfo.UNKNOWN;
      }
      return out;
    } catch (IOException noGit) {
      return BuildInfo.UNKNOWN;
    }
  }
}
