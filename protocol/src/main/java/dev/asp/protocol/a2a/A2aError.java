package dev.asp.protocol.a2a;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The closed set of error codes of the A2A surface ({@code /a2a/*}, hub spec §14). They are a
 * second vocabulary beside {@link ErrorCode}: each has its own wire name and HTTP status, and
 * travels on the event bus under its own failure code (6000 range, never colliding with the ASP
 * codes' 4000/5000 range). An A2A failure still has an ASP {@link #fallback() code}, so a caller
 * that only knows ASP errors (an ASP route reaching a shared command) classifies it correctly.
 */
public enum A2aError {
  VALIDATION_ERROR(400, "validation_error", 6400),
  CONTEXT_REQUIRED(400, "context_required", 6401),
  INVALID_DIALOG_TYPE(400, "invalid_dialog_type", 6402),
  UNSUPPORTED_MESSAGE_TYPE(400, "unsupported_message_type", 6403),
  NODE_SECRET_REQUIRED(401, "node_secret_required", 6410),
  NODE_SECRET_INVALID(403, "node_secret_invalid", 6430),
  NODE_ID_ALREADY_CLAIMED(403, "node_id_already_claimed", 6431),
  HUB_NODE_ID_RESERVED(403, "hub_node_id_reserved", 6432),
  ROTATION_NOT_ALLOWED(403, "rotation_not_allowed", 6433),
  SENDER_MISMATCH(403, "sender_mismatch", 6434),
  NOT_SESSION_PARTICIPANT(403, "not_session_participant", 6435),
  NOT_SESSION_ORCHESTRATOR(403, "not_session_orchestrator", 6436),
  NOT_TASK_ASSIGNEE(403, "not_task_assignee", 6437),
  NOT_STEP_ASSIGNEE(403, "not_step_assignee", 6438),
  NOT_DELIBERATION_PARTICIPANT(403, "not_deliberation_participant", 6439),
  INSUFFICIENT_CAPABILITY_LEVEL(403, "insufficient_capability_level", 6440),
  SESSION_NOT_FOUND(404, "session_not_found", 6450),
  TASK_NOT_FOUND(404, "task_not_found", 6451),
  NODE_NOT_FOUND(404, "node_not_found", 6452),
  DELIBERATION_NOT_FOUND(404, "deliberation_not_found", 6453),
  PIPELINE_NOT_FOUND(404, "pipeline_not_found", 6454),
  MESSAGE_NOT_FOUND(404, "message_not_found", 6455),
  ROUTE_NOT_FOUND(404, "route_not_found", 6456),
  SESSION_FULL(409, "session_full", 6490),
  SESSION_CLOSED(409, "session_closed", 6491),
  UNSUPPORTED_SESSION_KIND(409, "unsupported_session_kind", 6492),
  TASK_ALREADY_COMPLETED(409, "task_already_completed", 6493),
  TASK_BLOCKED(409, "task_blocked", 6494),
  INVALID_PHASE_FOR_DIALOG_TYPE(409, "invalid_phase_for_dialog_type", 6495),
  DELIBERATION_CLOSED(409, "deliberation_closed", 6496),
  PIPELINE_CLOSED(409, "pipeline_closed", 6497),
  SUBSCRIPTION_LIMIT_REACHED(409, "subscription_limit_reached", 6498),
  PAYLOAD_TOO_LARGE(413, "payload_too_large", 6413),
  RATE_LIMITED(429, "rate_limited", 6429),
  HELLO_RATE_LIMIT(429, "hello_rate_limit", 6428),
  INTERNAL_ERROR(500, "internal_error", 6500),
  SERVER_BUSY(503, "server_busy", 6503);

  private static final Map<Integer, A2aError> BY_BUS_CODE =
      Arrays.stream(values()).collect(Collectors.toMap(A2aError::busCode, Function.identity()));

  private final int httpStatus;
  private final String wireCode;
  private final int busCode;

  A2aError(int httpStatus, String wireCode, int busCode) {
    this.httpStatus = httpStatus;
    this.wireCode = wireCode;
    this.busCode = busCode;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public String wireCode() {
    return wireCode;
  }

  public int busCode() {
    return busCode;
  }

  /** The ASP code of the same meaning, for callers that only speak ASP errors. */
  public ErrorCode fallback() {
    return switch (httpStatus) {
      case 400 -> ErrorCode.INVALID_REQUEST;
      case 401 -> ErrorCode.UNAUTHENTICATED;
      case 403 -> ErrorCode.FORBIDDEN;
      case 404 -> ErrorCode.NOT_FOUND;
      case 409 -> ErrorCode.CONFLICT;
      case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
      case 429 -> ErrorCode.RATE_LIMITED;
      case 503 -> ErrorCode.UNAVAILABLE;
      default -> ErrorCode.INTERNAL;
    };
  }

  /**
   * The A2A code of any failure: its own, else the one of the same meaning for its ASP code (an ASP
   * {@code not_found} that reaches the A2A surface is {@code route_not_found}, a dependency down is
   * {@code server_busy}). The gateway answers with it, and the mailbox stores it in a rejection.
   */
  public static A2aError of(AspException error) {
    if (error.a2a() != null) {
      return error.a2a();
    }
    return switch (error.code()) {
      case MALFORMED_REQUEST, INVALID_REQUEST, INVALID_CONTENT, INVALID_HANDLE -> VALIDATION_ERROR;
      case UNAUTHENTICATED -> NODE_SECRET_INVALID;
      case FORBIDDEN -> NOT_SESSION_PARTICIPANT;
      case NOT_FOUND -> ROUTE_NOT_FOUND;
      case SESSION_ENDED, CONFLICT -> SESSION_CLOSED;
      case PAYLOAD_TOO_LARGE -> PAYLOAD_TOO_LARGE;
      case RATE_LIMITED -> RATE_LIMITED;
      case UNAVAILABLE -> SERVER_BUSY;
      case INTERNAL -> INTERNAL_ERROR;
    };
  }

  /** The code carried by an event-bus failure, or {@code null} if it is not an A2A one. */
  public static A2aError fromBusCode(int busCode) {
    return BY_BUS_CODE.get(busCode);
  }
}
