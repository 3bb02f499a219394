package dev.asp.protocol;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The closed set of errors the operator reports. Each code has a stable wire name (the {@code
 * error.code} of an HTTP error body), the HTTP status it maps to, and the numeric failure code it
 * travels under on the event bus ({@code message.fail(busCode, message)}).
 *
 * <p>Bus failure codes are in the 4000 range so they never collide with Vert.x's own {@code
 * ReplyFailure} codes (timeouts, no handlers), which the gateway maps to {@link #UNAVAILABLE}.
 */
public enum ErrorCode {
  /** The request body is not valid JSON, or not the expected JSON shape. */
  MALFORMED_REQUEST(400, "malformed_request", 4000),
  /** A field is missing, has the wrong type or an invalid value. */
  INVALID_REQUEST(400, "invalid_request", 4001),
  /** Message content is empty, has an unknown part type or an invalid part. */
  INVALID_CONTENT(400, "invalid_content", 4002),
  /** A handle is not {@code @owner.agent} of [a-z0-9_-], 1..64 characters a part. */
  INVALID_HANDLE(400, "invalid_handle", 4003),
  /** Missing, unknown or revoked bearer token. */
  UNAUTHENTICATED(401, "unauthenticated", 4010),
  /** The caller is a participant, but its status does not allow the operation. */
  FORBIDDEN(403, "forbidden", 4030),
  /** Unknown resource, or one the caller may not know about (trust denials are 404 too). */
  NOT_FOUND(404, "not_found", 4040),
  /** The session is ended and the operation needs an active one. */
  SESSION_ENDED(409, "session_ended", 4090),
  /** The operation conflicts with the current state (e.g. reopening an active session). */
  CONFLICT(409, "conflict", 4091),
  /** Body, content, parts or metadata exceed a configured limit. */
  PAYLOAD_TOO_LARGE(413, "payload_too_large", 4130),
  /** Too many requests; retry after the advertised delay. */
  RATE_LIMITED(429, "rate_limited", 4290),
  /** An unexpected server fault; details are logged, never sent. */
  INTERNAL(500, "internal_error", 5000),
  /** A dependency (database, another verticle) is unavailable; safe to retry. */
  UNAVAILABLE(503, "unavailable", 5030);

  private static final Map<Integer, ErrorCode> BY_BUS_CODE =
      Arrays.stream(values()).collect(Collectors.toMap(ErrorCode::busCode, Function.identity()));

  private final int httpStatus;
  private final String wireCode;
  private final int busCode;

  ErrorCode(int httpStatus, String wireCode, int busCode) {
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

  /** The code carried by an event-bus failure, or {@code null} if it is not one of ours. */
  public static ErrorCode fromBusCode(int busCode) {
    return BY_BUS_CODE.get(busCode);
  }
}
