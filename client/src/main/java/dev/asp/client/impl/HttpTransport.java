package dev.asp.client.impl;

import dev.asp.client.AspClientException;
import dev.asp.client.RawResponse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * HTTP plumbing shared by the clients: one pooled Vert.x HTTP client per base URL, bearer
 * authentication, JSON in and out, and error bodies turned into {@link AspClientException}.
 */
public final class HttpTransport {
  private final HttpClient http;
  private final Context home;
  private final String host;
  private final int port;
  private final String basePath;
  private final String token;

  public HttpTransport(Vertx vertx, String baseUrl, String token, int maxConnections) {
    URI uri = URI.create(baseUrl);
    this.host = uri.getHost();
    this.port = uri.getPort() == -1 ? ("https".equals(uri.getScheme()) ? 443 : 80) : uri.getPort();
    String path = uri.getPath() == null ? "" : uri.getPath();
    this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    this.token = token;
    this.home = vertx.getOrCreateContext();
    this.http =
        vertx
            .httpClientBuilder()
            .with(
                new HttpClientOptions()
                    .setSsl("https".equals(uri.getScheme()))
                    .setKeepAlive(true)
                    .setConnectTimeout(10_000)
                    .setIdleTimeout(60))
            .with(new PoolOptions().setHttp1MaxSize(maxConnections))
            .build();
  }

  /** Sends a JSON body (or none) and returns the JSON object reply of a 2xx, else fails. */
  public Future<JsonObject> json(HttpMethod method, String path, JsonObject body) {
    Buffer payload = body == null ? null : body.toBuffer();
    Map<String, String> headers =
        body == null ? Map.of() : Map.of(HttpHeaders.CONTENT_TYPE.toString(), "application/json");
    return raw(method, path, payload, headers).compose(HttpTransport::expectSuccess);
  }

  /**
   * Sends exactly what it is given (plus the bearer, unless a header overrides it). Safe to call
   * from any thread: called outside a Vert.x context, the exchange runs on the client's own
   * context, because driving the HTTP client from a foreign thread races between the response
   * arriving and its body handler being set, and the exchange then never completes.
   */
  public Future<RawResponse> raw(
      HttpMethod method, String path, Buffer body, Map<String, String> headers) {
    if (Vertx.currentContext() != null) {
      return exchange(method, path, body, headers);
    }
    Promise<RawResponse> result = Promise.promise();
    home.runOnContext(v -> exchange(method, path, body, headers).onComplete(result));
    return result.future();
  }

  private Future<RawResponse> exchange(
      HttpMethod method, String path, Buffer body, Map<String, String> headers) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(method)
            .setHost(host)
            .setPort(port)
            .setURI(basePath + path)
            // a connection from the pool within 10 s, and no 30 s of silence once sent
            .setConnectTimeout(10_000)
            .setIdleTimeout(30_000);
    if (token != null) {
      options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token);
    }
    headers.forEach(options::putHeader);
    return http.request(options)
        .compose(request -> body == null ? request.send() : request.send(body))
        .compose(
            response -> {
              MultiMap responseHeaders = response.headers();
              return response
                  .body()
                  .map(buffer -> new RawResponse(response.statusCode(), responseHeaders, buffer));
            });
  }

  public Future<Void> close() {
    return http.close();
  }

  /** Encodes one path segment (handles contain '@', allowlist globs '*'). */
  public static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static Future<JsonObject> expectSuccess(RawResponse response) {
    if (response.status() / 100 == 2) {
      return Future.succeededFuture(
          response.body().length() == 0 ? new JsonObject() : response.json());
    }
    return Future.failedFuture(failure(response.status(), response.body()));
  }

  /**
   * The exception for an error reply: the code and message of a JSON error body when there is one,
   * else {@code http_<status>}. Shared with the WebSocket upgrade, whose rejections carry the same
   * bodies.
   */
  public static AspClientException failure(int status, Buffer body) {
    String code = "http_" + status;
    String message = "";
    try {
      JsonObject error =
          body == null || body.length() == 0 ? null : body.toJsonObject().getJsonObject("error");
      if (error != null) {
        code = error.getString("code", code);
        message = error.getString("message", "");
      }
    } catch (RuntimeException notJson) {
      message = "non-JSON error body";
    }
    return new AspClientException(status, code, message);
  }
}
