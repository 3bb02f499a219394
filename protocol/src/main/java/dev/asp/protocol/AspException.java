package dev.asp.protocol;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.ConnectionPoolTooBusyException;

/**
 * A failure with one of the closed {@link ErrorCode}s and a message that is safe to show to the
 * caller (never SQL, a stack trace or a secret).
 */
public final class AspException extends RuntimeException {
  private final ErrorCode code;

  public AspException(ErrorCode code, String message) {
    this(code, message, null);
  }

  /** Keeps the original failure as the cause, for the log only. */
  public AspException(ErrorCode code, String message, Throwable cause) {
    super(message, cause, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
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
