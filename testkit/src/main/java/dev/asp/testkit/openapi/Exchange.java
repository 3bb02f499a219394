package dev.asp.testkit.openapi;

import java.util.List;
import java.util.Map;

/**
 * One HTTP request and the response it got, as they crossed the wire, plus the WebSocket text
 * frames the server sent after a {@code 101}. {@code responseComplete} is false when the connection
 * closed before the response ended (an event stream the client closed); {@code truncated} when a
 * body was larger than the recorder keeps.
 */
public record Exchange(
    String method,
    String uri,
    Map<String, String> requestHeaders,
    byte[] requestBody,
    boolean requestDecoded,
    int status,
    Map<String, String> responseHeaders,
    byte[] responseBody,
    boolean responseComplete,
    boolean truncated,
    List<String> serverFrames) {

  /** The path without its query. */
  public String path() {
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }

  @Override
  public String toString() {
    return method + " " + uri + " -> " + status;
  }
}
