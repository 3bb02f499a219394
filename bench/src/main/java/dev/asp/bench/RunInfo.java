package dev.asp.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a report needs to be read later, away from the terminal it came from: when the run started,
 * the command line that made it, and the operator build it ran against.
 *
 * @param startedAt when the run started (UTC, to the second)
 * @param commandLine {@code asp-bench} and its arguments; values of options naming a token hidden
 * @param operatorVersion the operator's {@code GET /version} as "version (commit c)", or {@code
 *     unknown} when it has none (another ASP operator, an older build) or did not answer
 */
record RunInfo(Instant startedAt, String commandLine, String operatorVersion) {
  static final String UNKNOWN = "unknown";
  private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(3);

  /** The run starting now, with its arguments, against the first node of {@code url}. */
  static RunInfo starting(List<String> args, String url) {
    return new RunInfo(
        Instant.now().truncatedTo(ChronoUnit.SECONDS), commandLine(args), operatorVersion(url));
  }

  static String commandLine(List<String> args) {
    List<String> shown = new ArrayList<>(List.of("asp-bench"));
    boolean secretNext = false;
    for (String arg : args) {
      if (secretNext) {
        shown.add("***");
        secretNext = false;
        continue;
      }
      boolean secretOption = arg.startsWith("--") && arg.toLowerCase(Locale.ROOT).contains("token");
      int equals = arg.indexOf('=');
      if (secretOption && equals > 0) {
        shown.add(arg.substring(0, equals + 1) + "***");
      } else {
        shown.add(arg.isEmpty() || arg.contains(" ") ? "'" + arg + "'" : arg);
        secretNext = secretOption;
      }
    }
    return String.join(" ", shown);
  }

  /** Asks the first node's {@code GET /version}; {@code unknown} on any failure, within 3 s. */
  static String operatorVersion(String url) {
    try {
      String first = Driver.nodeUrls(url).get(0).replaceAll("/+$", "");
      HttpClient http = HttpClient.newBuilder().connectTimeout(VERSION_TIMEOUT).build();
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(first + "/version"))
                  .timeout(VERSION_TIMEOUT)
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return UNKNOWN;
      }
      JsonObject body = new JsonObject(response.body());
      String version = body.getString("version");
      if (version == null || version.isBlank()) {
        return UNKNOWN;
      }
      String commit = body.getString("commit");
      return commit == null ? version : version + " (commit " + commit + ")";
    } catch (IOException | RuntimeException e) {
      return UNKNOWN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return UNKNOWN;
    }
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("started_at", startedAt.toString())
        .put("command_line", commandLine)
        .put("operator_version", operatorVersion);
  }
}
