package dev.asp.bench.impl;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/**
 * JSON POSTs to one operator's {@code /a2a/*} routes, the A2A workloads' one way to call it: the
 * Bearer when a secret is given, the reply body parsed whatever the status (an A2A error body has
 * its {@code error} key).
 */
public final class HubHttp {
  private final HttpClient http;
  private final String host;
  private final int port;

  public HubHttp(HttpClient http, String host, int port) {
    this.http = http;
    this.host = host;
    this.port = port;
  }

  public Future<JsonObject> post(String path, String secret, JsonObject body, long timeoutMs) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost(host)
            .setPort(port)
            .setURI(path)
            .setTimeout(timeoutMs)
            .putHeader("Content-Type", "application/json");
    if (secret != null) {
      options.putHeader("Authorization", "Bearer " + secret);
    }
    return http.request(options)
        .compose(request -> request.send(Buffer.buffer(body.encode())))
        .compose(response -> response.body().map(b -> new JsonObject(b)));
  }
}
