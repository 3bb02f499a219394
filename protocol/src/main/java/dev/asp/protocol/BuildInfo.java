package dev.asp.protocol;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * What this build is: the project version and the git commit it was built from, written into the
 * jar at build time ({@code dev/asp/protocol/build.properties}, see {@code protocol/pom.xml}). A
 * build without git or outside a clone says {@code unknown} for the commit, never fails.
 *
 * @param version the Maven project version, e.g. {@code 0.1.0-SNAPSHOT}
 * @param commit the full commit hash, or {@code unknown}
 */
public record BuildInfo(String version, String commit) {
  public static final String UNKNOWN = "unknown";

  /** Field names of {@link #toJson()}, the body of {@code GET /version}. */
  public static final String VERSION = "version";

  public static final String COMMIT = "commit";

  private static final String RESOURCE = "build.properties";
  private static final BuildInfo CURRENT = read();

  /** This build's info, read once. */
  public static BuildInfo current() {
    return CURRENT;
  }

  /** {@code {"version": …, "commit": …}}. */
  public JsonObject toJson() {
    return new JsonObject().put(VERSION, version).put(COMMIT, commit);
  }

  private static BuildInfo read() {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
          properties.load(reader);
        }
      }
    } catch (IOException e) {
      // unreadable: the same as absent
    }
    return new BuildInfo(
        nonBlank(properties.getProperty(VERSION)), nonBlank(properties.getProperty(COMMIT)));
  }

  private static String nonBlank(String value) {
    return value == null || value.isBlank() ? UNKNOWN : value.trim();
  }
}
