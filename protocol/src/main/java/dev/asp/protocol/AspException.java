package dev.asp.protocol;

import dev.asp.protocol.a2a.A2aError;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.ConnectionPoolTooBusyException;

/**
 * A failure with one of the closed {@link ErrorCode}s and a message that is safe to show to the
 * caller (never SQL, a stack trace or a secret).
 */
public final class AspException extends RuntimeException {
  /**
   * Separates a validation failure's field path from its message on the event bus (a character no
   * path or message of ours contains), so the path reaches the gateway's {@code details}.
   */
  private static final char PATH_MARK = '\u0001';

  private final ErrorCode code;
  private final A2aError a2a;
  private final String path;

  public AspException(ErrorCode code, String message) {
    this(code, message, null);
  }

  /** Keeps the original failure as the cause, for the log only. */
  public AspException(ErrorCode code, String message, Throwable cause) {
    super(message, cause, false, false);
    this.code = code;
    this.a2a = null;
    this.path = null;
  }

  /**
   * A failure of the A2A surface: it carries its own {@link A2aError} (what {@code /a2a/*} answers)
   * and that code's ASP {@linkplain A2aError#fallback() fallback} (what everything else sees).
   */
  public AspException(A2aError a2a, String message) {
    this(a2a, null, message);
  }

  /**
   * An A2A failure about one field of the request, named by its path ({@code
   * add_tasks[1].depends_on[0]}): the A2A surface reports it in {@code details} (§14).
   */
  public AspException(A2aError a2a, String path, String message) {
    super(message, null, false, false);
    this.code = a2a.fallback();
    this.a2a = a2a;
    this.path = path;
  }

  /** The request field this failure is about, or null. */
  public String path() {
    return path;
  }

  /** The message this error travels with on the event bus (the path, when any, in front). */
  public String busMessage() {
    return path == null ? getMessage() : PATH_MARK + path + PATH_MARK + getMessage();
  }

  public ErrorCode code() {
    return code;
  }

  /** The A2A code, or {@code null} for a failure raised in ASP terms. */
  public A2aError a2a() {
    return a2a;
  }

  /** The failure code this error travels under on the event bus. */
  public int busCode() {
    return a2a != null ? a2a.busCode() : code.busCode();
  }

  /** Shorthand for a 404 that reveals nothing beyond "not found". */
  public static AspException notFound() {
    return new AspException(ErrorCode.NOT_FOUND, "not found");
  }

  /**
   * Converts any failure seen on a future into an {@link AspException}: ours pass through, an
   * event-bus failure carrying one of our codes is rebuilt, a timeout or missing handler becomes
   * {@link ErrorCode#UNAVAILABLE}, and so does an {@linkplain #overloaded overload}; anything else
   * {@link ErrorCode#INTERNAL}.
   */
  public static AspException from(Throwable failure) {
    if (failure instanceof AspException aspException) {
      return aspException;
    }
    if (overloaded(failure)) {
      return new AspException(ErrorCode.UNAVAILABLE, "server busy, try again", failure);
    }
    if (failure instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
        ErrorCode code = ErrorCode.fromBusCode(reply.failureCode());
        if (code != null) {
          return new AspException(code, reply.getMessage());
        }
        A2aError a2a = A2aError.fromBusCode(reply.failureCode());
        if (a2a != null) {
          String message = reply.getMessage();
          int end = message == null ? -1 : message.indexOf(PATH_MARK, 1);
          if (end > 0 && message.charAt(0) == PATH_MARK) {
            return new AspException(a2a, message.substring(1, end), message.substring(end + 1));
          }
          return new AspException(a2a, message);
        }
        return new AspException(ErrorCode.INTERNAL, "internal error", failure);
      }
      return new AspException(ErrorCode.UNAVAILABLE, "service temporarily unavailable", failure);
    }
    return new AspException(ErrorCode.INTERNAL, "internal error", failure);
  }

  /**
   * A request shed because a bounded queue was full (the database pool's wait queue): the request
   * did nothing, the server is fine, and a retry after a moment succeeds. Such failures are
   * answered 503 and counted rather than logged one by one.
   */
  public static boolean overloaded(Throwable failure) {
    return failure instanceof ConnectionPoolTooBusyException
        || (failure instanceof AspException e && overloaded(e.getCause()));
  }
}
