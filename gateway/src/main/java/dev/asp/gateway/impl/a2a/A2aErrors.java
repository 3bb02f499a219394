package dev.asp.gateway.impl.a2a;

import dev.asp.protocol.AspException;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.a2a.A2aFields;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures on {@code /a2a/*} become HTTP (hub spec §14): {@code {error,
 * message, correction:{problem, fix, example?}, details?}} with the code's status. ASP codes that
 * reach here (a dependency down, the pool shed, a bad token) are answered in A2A terms. Unexpected
 * failures are logged and sent as a bare {@code internal_error}: never a stack trace or SQL.
 */
public final class A2aErrors {
  private static final Logger LOG = LoggerFactory.getLogger(A2aErrors.class);
  static final String JSON = "application/json; charset=utf-8";

  private static final Map<A2aError, String> FIXES = new EnumMap<>(A2aError.class);

  static {
    FIXES.put(A2aError.VALIDATION_ERROR, "send a JSON object with the documented fields and types");
    FIXES.put(A2aError.NODE_SECRET_REQUIRED, "send Authorization: Bearer <node_secret>");
    FIXES.put(
        A2aError.NODE_SECRET_INVALID,
        "use the node_secret from POST /a2a/hello, or hello again without a Bearer to register");
    FIXES.put(
        A2aError.NODE_ID_ALREADY_CLAIMED,
        "send the node's secret as Bearer, or say hello without sender_id for a new node id");
    FIXES.put(A2aError.HUB_NODE_ID_RESERVED, "choose a node id of the form node_<8..48 a-z0-9>");
    FIXES.put(A2aError.ROTATION_NOT_ALLOWED, "rotate this agent's tokens through its owner");
    FIXES.put(A2aError.SENDER_MISMATCH, "name the node of the Bearer, or leave the field out");
    FIXES.put(A2aError.NOT_SESSION_PARTICIPANT, "join the session first: POST /a2a/session/join");
    FIXES.put(A2aError.SESSION_NOT_FOUND, "check the session id; private sessions need an invite");
    FIXES.put(A2aError.NODE_NOT_FOUND, "check the node id; it must exist and be reachable");
    FIXES.put(A2aError.ROUTE_NOT_FOUND, "see the list of /a2a routes in the operator's docs");
    FIXES.put(A2aError.SESSION_FULL, "ask the owner for a larger max_participants");
    FIXES.put(A2aError.SESSION_CLOSED, "create a new session");
    FIXES.put(A2aError.UNSUPPORTED_SESSION_KIND, "use the routes of this session's kind");
    FIXES.put(A2aError.PAYLOAD_TOO_LARGE, "send less: split the payload or shorten it");
    FIXES.put(A2aError.RATE_LIMITED, "wait retry_after_ms, then try again");
    FIXES.put(A2aError.HELLO_RATE_LIMIT, "wait retry_after_ms, then say hello again");
    FIXES.put(A2aError.SERVER_BUSY, "retry after Retry-After seconds: nothing was done");
    FIXES.put(A2aError.INTERNAL_ERROR, "retry later; the operator logged the failure");
    FIXES.put(
        A2aError.CONTEXT_REQUIRED, "name exactly one of session_id, deliberation_id, pipeline_id");
    FIXES.put(
        A2aError.INVALID_DIALOG_TYPE,
        "use one of challenge, respond, agree, disagree, build_on, synthesize, vote, amend,"
            + " second, task_update, orchestrate, direct_message");
    FIXES.put(A2aError.MESSAGE_NOT_FOUND, "check the message id; you must be able to see it");
    FIXES.put(A2aError.TASK_NOT_FOUND, "read the board: GET /a2a/session/board?session_id=…");
    FIXES.put(A2aError.TASK_ALREADY_COMPLETED, "nothing to do: the task is completed");
    FIXES.put(A2aError.TASK_BLOCKED, "submit its dependencies first");
    FIXES.put(A2aError.NOT_TASK_ASSIGNEE, "submit your own tasks, or ask the orchestrator");
    FIXES.put(
        A2aError.NOT_SESSION_ORCHESTRATOR, "ask the session's orchestrator (orchestrator_id)");
    FIXES.put(
        A2aError.PIPELINE_NOT_FOUND,
        "check the pipeline id; only its creator and assignees may see a running pipeline");
    FIXES.put(A2aError.PIPELINE_CLOSED, "nothing to do: the pipeline is completed or failed");
    FIXES.put(
        A2aError.NOT_STEP_ASSIGNEE,
        "only the current step's assignee advances: see current_step in GET /a2a/pipeline/:id");
  }

  private A2aErrors() {}

  /** The A2A code of any failure. */
  static A2aError codeOf(AspException error) {
    return A2aError.of(error);
  }

  static void send(RoutingContext ctx, Throwable failure) {
    dev.asp.gateway.limits.AuthThrottle.Throttled throttled =
        dev.asp.gateway.limits.AuthThrottle.Throttled.of(failure);
    if (throttled != null) {
      // too many failed authentications from this address: the §4 429 of every A2A limit
      A2aReplies.writeLimited(
          ctx,
          new A2aReplies.Limited(A2aError.RATE_LIMITED, throttled.limit(), throttled.decision()));
      return;
    }
    AspException error = AspException.from(failure);
    A2aError code = codeOf(error);
    if (code == A2aError.INTERNAL_ERROR) {
      LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
    }
    String message = code == A2aError.INTERNAL_ERROR ? "internal error" : error.getMessage();
    JsonArray details = null;
    if (error.path() != null && code == A2aError.VALIDATION_ERROR) {
      // decided where the state is (an unknown dependency): the path is known, the value was valid
      // in form, so it is reported as received
      details =
          new JsonArray()
              .add(
                  new JsonObject()
                      .put(A2aFields.PATH, error.path())
                      .put(A2aFields.EXPECTED, "a value that fits the session's state")
                      .put(A2aFields.RECEIVED, "string")
                      .put(A2aFields.MESSAGE, message));
    }
    write(ctx, code, message, details, null);
  }

  /** The error body of §14, with optional details (validation) and extra top-level fields. */
  static JsonObject body(A2aError code, String message, JsonArray details) {
    return body(code, message, details, null);
  }

  /** {@link #body(A2aError, String, JsonArray)} with {@code correction.example}, when not null. */
  static JsonObject body(A2aError code, String message, JsonArray details, Object example) {
    JsonObject correction =
        new JsonObject()
            .put(A2aFields.PROBLEM, message)
            .put(A2aFields.FIX, FIXES.getOrDefault(code, "see the operator's A2A documentation"));
    if (example != null) {
      correction.put(A2aFields.EXAMPLE, example);
    }
    JsonObject body =
        new JsonObject()
            .put(A2aFields.ERROR, code.wireCode())
            .put(A2aFields.MESSAGE, message)
            .put(A2aFields.CORRECTION, correction);
    if (details != null) {
      body.put(A2aFields.DETAILS, details);
    }
    return body;
  }

  static void write(
      RoutingContext ctx, A2aError code, String message, JsonArray details, JsonObject extra) {
    write(ctx, code, message, details, extra, null);
  }

  /** A request under {@code /a2a} refused before any route (an undecodable path): its 400. */
  public static void malformed(RoutingContext ctx, String message) {
    write(ctx, A2aError.VALIDATION_ERROR, message, null, null, null);
  }

  private static void write(
      RoutingContext ctx,
      A2aError code,
      String message,
      JsonArray details,
      JsonObject extra,
      Object example) {
    HttpServerResponse response = ctx.response();
    if (response.ended()) {
      return;
    }
    JsonObject body = body(code, message, details, example);
    if (extra != null) {
      extra.forEach(entry -> body.put(entry.getKey(), entry.getValue()));
    }
    response.setStatusCode(code.httpStatus()).putHeader(HttpHeaders.CONTENT_TYPE, JSON);
    if (code == A2aError.SERVER_BUSY) {
      response.putHeader("Retry-After", "1");
      body.put(A2aFields.RETRY_AFTER_MS, 1000);
    }
    response.end(body.encode());
  }

  /** A validation error naming the field, as {@code details} of §14. */
  static RuntimeException invalid(String path, String expected, Object received, String message) {
    return new Validation(path, expected, received, message, null);
  }

  /**
   * {@link #invalid(String, String, Object, String)} whose correction shows {@code example}: a
   * valid value of the field, or a body around it.
   */
  static RuntimeException invalid(
      String path, String expected, Object received, String message, Object example) {
    return new Validation(path, expected, received, message, example);
  }

  /** A validation failure that keeps its detail (and an example, or null) for the body. */
  static final class Validation extends RuntimeException {
    final JsonObject detail;
    final Object example;

    Validation(String path, String expected, Object received, String message, Object example) {
      super(message, null, false, false);
      this.example = example;
      this.detail =
          new JsonObject()
              .put(A2aFields.PATH, path)
              .put(A2aFields.EXPECTED, expected)
              .put(A2aFields.RECEIVED, describe(received))
              .put(A2aFields.MESSAGE, message);
    }
  }

  private static String describe(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String) {
      return "string";
    }
    if (value instanceof Number) {
      return "number";
    }
    if (value instanceof Boolean) {
      return "boolean";
    }
    if (value instanceof JsonArray) {
      return "array";
    }
    return value instanceof JsonObject ? "object" : value.getClass().getSimpleName();
  }

  /** Router failure handler for {@code /a2a/*}: body limits, validation and escaped failures. */
  static void failure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof A2aReplies.Limited limited) {
      A2aReplies.writeLimited(ctx, limited);
      return;
    }
    if (failure instanceof Validation validation) {
      write(
          ctx,
          A2aError.VALIDATION_ERROR,
          validation.getMessage(),
          new JsonArray().add(validation.detail),
          null,
          validation.example);
      return;
    }
    if (failure != null) {
      send(ctx, failure);
      return;
    }
    switch (ctx.statusCode()) {
      case 413 ->
          write(ctx, A2aError.PAYLOAD_TOO_LARGE, "request body exceeds the limit", null, null);
      case 400 -> write(ctx, A2aError.VALIDATION_ERROR, "malformed request", null, null);
      default -> write(ctx, A2aError.ROUTE_NOT_FOUND, "no such A2A route", null, null);
    }
  }
}
