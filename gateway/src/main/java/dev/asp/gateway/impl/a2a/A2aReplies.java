package dev.asp.gateway.impl.a2a;

import dev.asp.gateway.limits.Decision;
import dev.asp.gateway.limits.Limit;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.a2a.A2aFields;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Writing {@code /a2a/*} replies: always HTTP 200 with a JSON body that has no {@code error} key.
 */
final class A2aReplies {
  private A2aReplies() {}

  /** Writes the reply; the returned future completes once the whole body was written. */
  static Future<Void> ok(RoutingContext ctx, JsonObject body) {
    body.remove(A2aFields.ERROR);
    return ctx.response()
        .setStatusCode(200)
        .putHeader(HttpHeaders.CONTENT_TYPE, A2aErrors.JSON)
        .end(body.encode());
  }

  /**
   * Writes a reply that hands out pull rows: the body goes out chunked, and the response ends only
   * after {@code written} (the rows' written report) completed. A client cannot have read the whole
   * response before its rows count as written, so its next request acknowledges them and never gets
   * them again because the report was still on its way (§5.3 implicit rule).
   */
  static Future<Void> okThenEnd(
      RoutingContext ctx, JsonObject body, java.util.function.Supplier<Future<Void>> written) {
    return okThenEnd(ctx, body, written, Future::succeededFuture);
  }

  /** {@link #okThenEnd}, reporting the rows {@code unwritten} at once when the write failed. */
  static Future<Void> okThenEnd(
      RoutingContext ctx,
      JsonObject body,
      java.util.function.Supplier<Future<Void>> written,
      java.util.function.Supplier<Future<Void>> unwritten) {
    body.remove(A2aFields.ERROR);
    return okThenEnd(ctx, body.toBuffer(), written, unwritten);
  }

  /** {@link #okThenEnd} with the body encoded already (it has no {@code error} key). */
  static Future<Void> okThenEnd(
      RoutingContext ctx,
      io.vertx.core.buffer.Buffer encoded,
      java.util.function.Supplier<Future<Void>> written,
      java.util.function.Supplier<Future<Void>> unwritten) {
    io.vertx.core.http.HttpServerResponse response =
        ctx.response()
            .setStatusCode(200)
            .setChunked(true)
            .putHeader(HttpHeaders.CONTENT_TYPE, A2aErrors.JSON);
    return response.write(encoded).compose(v -> written.get()).compose(v -> response.end());
  }

  /**
   * Every field of {@code fields} at the top level and under {@code payload} (hello, heartbeat).
   */
  static JsonObject mirrored(JsonObject fields) {
    return fields.copy().put(A2aFields.PAYLOAD, fields.copy());
  }

  /** The refusal of a rate limit: §4's body, a {@code Retry-After} in whole seconds. */
  static RuntimeException limited(A2aError code, Limit limit, Decision decision) {
    return new Limited(code, limit, decision);
  }

  /** Carries the limit to the failure handler. */
  static final class Limited extends RuntimeException {
    final A2aError code;
    final Limit limit;
    final Decision decision;

    Limited(A2aError code, Limit limit, Decision decision) {
      super(
          "too many requests: at most " + limit.capacity() + " per " + limit.windowMs() + " ms",
          null,
          false,
          false);
      this.code = code;
      this.limit = limit;
      this.decision = decision;
    }
  }

  static void writeLimited(RoutingContext ctx, Limited limited) {
    long retryMs = Math.max(1, limited.decision.retryAfterMs());
    ctx.response().putHeader("Retry-After", Long.toString((retryMs + 999) / 1000));
    JsonObject extra =
        new JsonObject()
            .put(A2aFields.STATUS, limited.code.wireCode())
            .put(A2aFields.RETRY_AFTER_MS, retryMs)
            .put(
                A2aFields.POLICY,
                new JsonObject()
                    .put("limit", limited.limit.capacity())
                    .put(A2aFields.WINDOW_MS, limited.limit.windowMs()));
    A2aErrors.write(ctx, limited.code, limited.getMessage(), null, extra);
  }
}
