package dev.asp.storage;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;

/**
 * Maps database failures to the closed error set: an unreachable or overloaded database is {@code
 * unavailable} (503, retryable); anything else unexpected is {@code internal_error}. The original
 * failure is kept as the cause for the log, never put on the wire.
 */
public final class DbFailures {
  private DbFailures() {}

  public static boolean isUniqueViolation(Throwable failure) {
    return failure instanceof PgException pg && SqlStates.UNIQUE_VIOLATION.equals(pg.getSqlState());
  }

  public static boolean isRetryableConflict(Throwable failure) {
    return failure instanceof PgException pg
        && (SqlStates.SERIALIZATION_FAILURE.equals(pg.getSqlState())
            || SqlStates.DEADLOCK_DETECTED.equals(pg.getSqlState()));
  }

  /** Use as {@code .recover(DbFailures::recover)} at the end of a verticle operation. */
  public static <T> Future<T> recover(Throwable failure) {
    return Future.failedFuture(map(failure));
  }

  public static Throwable map(Throwable failure) {
    if (failure instanceof AspException || AspException.overloaded(failure)) {
      return AspException.from(failure);
    }
    if (isUnavailable(failure)) {
      return new AspException(ErrorCode.UNAVAILABLE, "database unavailable", failure);
    }
    return new AspException(ErrorCode.INTERNAL, "internal error", failure);
  }

  private static boolean isUnavailable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof PgException pg && pg.getSqlState() != null) {
        String state = pg.getSqlState();
        return state.startsWith(SqlStates.CONNECTION_CLASS)
            || state.startsWith(SqlStates.RESOURCES_CLASS)
            || state.startsWith(SqlStates.OPERATOR_INTERVENTION_CLASS);
      }
      if (t instanceof ClosedConnectionException
          || t instanceof IOException
          || t.getClass().getName().startsWith("io.netty.channel")
          || t instanceof io.vertx.core.VertxException && isClosedConnection(t)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isClosedConnection(Throwable t) {
    String message = t.getMessage();
    return message != null
        && (message.contains("closed")
            || message.contains("Timeout")
            || message.contains("timeout"));
  }
}
