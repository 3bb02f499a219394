package dev.asp.testkit;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/**
 * Plain HTTP requests exactly as a third-party client sends them (any body, any header), for tests
 * that must replay a client's request shape byte for byte. {@link #send} and its shorthands block:
 * call them from the test thread; {@link #request} does not.
 */
public final class RawHttp implements AutoCloseable {
  private final HttpClient client;
  private final String host;
  private final int port;

  /** A response: status, headers, the body as text and, when it is one, as a JSON object. */
  public record Response(int status, MultiMap headers, String text) {
    public JsonObject json() {
      return new JsonObject(text);
    }

    public String header(String name) {
      return headers.get(name);
    }
  }

  public RawHttp(Vertx vertx, String host, int port) {
    this(vertx, host, port, null);
  }

  /**
   * Requests sent from {@code localAddress} (e.g. {@code 127.0.0.2}: another client address on
   * loopback, for limits counted per address); null for the system's choice.
   */
  public RawHttp(Vertx vertx, String host, int port, String localAddress) {
    this.client =
        localAddress == null
            ? vertx.createHttpClient()
            : vertx.createHttpClient(new HttpClientOptions().setLocalAddress(localAddress));
    this.host = host;
    this.port = port;
  }

  /** {@code bearer} may be null (no Authorization header); {@code body} null sends none. */
  public Response send(
      HttpMethod method, String path, String bearer, String contentType, String body) {
    return request(method, path, bearer, contentType, body).await();
  }

  /**
   * The same request without blocking: for tests that keep several requests open at once (a
   * long-poll and the request that supersedes it). It fails when the connection does (the server
   * went away before answering).
   */
  public Future<Response> request(
      HttpMethod method, String path, String bearer, String contentType, String body) {
    RequestOptions options =
        new RequestOptions().setMethod(method).setHost(host).setPort(port).setURI(path);
    if (bearer != null) {
      options.putHeader("Authorization", "Bearer " + bearer);
    }
    if (contentType != null) {
      options.putHeader("Content-Type", contentType);
    }
    return client
        .request(options)
        .compose(
            request ->
                (body == null ? request.send() : request.send(Buffer.buffer(body)))
                    .compose(
                        (HttpClientResponse response) ->
                            response
                                .body()
                                .map(
                                    b ->
                                        new Response(
                                            response.statusCode(),
                                            response.headers(),
                                            b.toString()))));
  }

  /** {@link #post} without blocking. */
  public Future<Response> postAsync(String path, String bearer, JsonObject body) {
    return request(
        HttpMethod.POST, path, bearer, "application/json", body == null ? null : body.encode());
  }

  public Response post(String path, String bearer, JsonObject body) {
    return send(
        HttpMethod.POST, path, bearer, "application/json", body == null ? null : body.encode());
  }

  public Response get(String path, String bearer) {
    return send(HttpMethod.GET, path, bearer, null, null);
  }

  @Override
  public void close() {
    client.close().await();
  }
}
