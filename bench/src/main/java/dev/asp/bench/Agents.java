package dev.asp.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agents a run may use, handle → token, read from a JSON file in either shape: {@code
 * {"@a.b":"tok"}} or the seed shape {@code {"@a.b":{"token":"tok",…}}}. Order is the file's.
 */
public record Agents(Map<String, String> tokens) {

  public static Agents read(Path file) throws IOException {
    JsonObject json = new JsonObject(Files.readString(file));
    Map<String, String> tokens = new LinkedHashMap<>();
    for (String handle : json.fieldNames()) {
      Object value = json.getValue(handle);
      if (value instanceof String token) {
        tokens.put(handle, token);
      } else if (value instanceof JsonObject entry && entry.getString("token") != null) {
        tokens.put(handle, entry.getString("token"));
      } else {
        throw new IllegalArgumentException(file + ": no token for " + handle);
      }
    }
    return new Agents(tokens);
  }

  public void write(Path file) throws IOException {
    JsonObject json = new JsonObject();
    tokens.forEach(json::put);
    Files.writeString(file, json.encodePrettily());
  }

  public List<String> handles() {
    return new ArrayList<>(tokens.keySet());
  }

  public String token(String handle) {
    return tokens.get(handle);
  }

  /** The first {@code n} handles, or an error naming how many the workload needs. */
  public List<String> take(int n, String why) {
    if (tokens.size() < n) {
      throw new IllegalArgumentException(
          why
              + " needs "
              + n
              + " agents, the agents file has "
              + tokens.size()
              + " (create more with `provision --count "
              + n
              + "`)");
    }
    return handles().subList(0, n);
  }
}
