package dev.asp.gateway.impl;

import dev.asp.gateway.limits.AuthThrottle;
import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP: status from the {@link ErrorCode}, body {@code
 * {"error":{"code","message"}}}. Unexpected failures are logged here and answered with a bare
 * {@code internal_error}: no stack trace, SQL or secret ever reaches the wire.
 */
public final class ErrorResponses {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

  private ErrorResponses() {}

  public static void send(RoutingContext ctx, Throwable failure) {
    AspException error = AspException.from(failure);
    AuthThrottle.Throttled throttled = AuthThrottle.Throttled.of(error);
    if (throttled != null) {
      write(ctx, error.code(), error.getMessage(), throttled.retryAfterSeconds());
      return;
    }
    if (error.code() == ErrorCode.INTERNAL) {
      LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
    }
    write(ctx, error.code(), error.getMessage());
  }

  public static void write(RoutingContext ctx, ErrorCode code, String message) {
    write(ctx, code, message, 1);
  }

  /** {@code retryAfterSeconds} goes into {@code Retry-After} of a 429 or 503. */
  private static void write(
      RoutingContext ctx, ErrorCode code, String message, long retryAfterSeconds) {
    HttpServerResponse response = ctx.response();
    if (response.ended()) {
      return;
    }
    response.setStatusCode(code.httpStatus()).putHeader(HttpHeaders.CONTENT_TYPE, Json.TYPE);
    if (code == ErrorCode.UNAUTHENTICATED) {
      response.putHeader("WWW-Authenticate", "Bearer");
    } else if (code == ErrorCode.UNAVAILABLE || code == ErrorCode.RATE_LIMITED) {
      response.putHeader("Retry-After", Long.toString(retryAfterSeconds));
    }
    JsonObject body =
        new JsonObject()
            .put(
                Fields.ERROR,
                new JsonObject().put(Fields.CODE, code.wireCode()).put(Fields.MESSAGE, message));
    response.end(body.encode());
  }

  /** Router failure handler: body-limit 413s, malformed requests and escaped exceptions. */
  public static void failure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure != null) {
      send(ctx, failure);
      return;
    }
    switch (ctx.statusCode()) {
      case 413 ->
          write(ctx, ErrorCode.PAYLOAD_TOO_LARGE, "request body exceeds the configured limit");
      case 400 -> write(ctx, ErrorCode.MALFORMED_REQUEST, "malformed request");
      case 404 -> notFound(ctx);
      case 405 -> write(ctx, ErrorCode.NOT_FOUND, "no such endpoint");
      default -> write(ctx, ErrorCode.INTERNAL, "internal error");
    }
  }

  /**
   * A request the HTTP decoder refused (before any route): 414 for a request line over its limit,
   * 431 for headers over theirs, 400 otherwise, each with the JSON error body, and the connection
   * closed, since what follows on it cannot be trusted to start a request.
   */
  public static void invalidRequest(io.vertx.core.http.HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status =
        cause instanceof io.netty.handler.codec.TooLongFrameException tooLong
            ? (tooLong instanceof io.netty.handler.codec.http.TooLongHttpHeaderException
                ? 431
                : tooLong instanceof io.netty.handler.codec.http.TooLongHttpLineException
                    ? 414
                    : 400)
            : 400;
    String message =
        switch (status) {
          case 414 -> "the request line is too long";
          case 431 -> "the request headers are too large";
          default -> "the request could not be decoded";
        };
    JsonObject body =
        new JsonObject()
            .put(
                Fields.ERROR,
                new JsonObject()
                    .put(Fields.CODE, ErrorCode.MALFORMED_REQUEST.wireCode())
                    .put(Fields.MESSAGE, message));
    request
        .response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, Json.TYPE)
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(body.encode())
        .onComplete(done -> request.connection().close());
  }

  public static void notFound(RoutingContext ctx) {
    write(ctx, ErrorCode.NOT_FOUND, "not found");
  }

  /** Content type constant, kept here so responses agree. */
  static final class Json {
    static final String TYPE = "application/json; charset=utf-8";

    private Json() {}
  }
}
