package dev.asp.protocol.bus;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving side of a contract: routes a request to the handler of its action and replies with
 * its result, or fails the message with the error's bus code and caller-safe message. Unexpected
 * exceptions are logged here and reach the caller only as {@code internal_error}.
 */
public final class ActionDispatcher<A extends Enum<A>> {
  private static final Logger LOG = LoggerFactory.getLogger(ActionDispatcher.class);

  private final Class<A> actions;
  private final Map<A, Function<JsonObject, Future<JsonObject>>> handlers;
  private final EnumSet<A> handedOver;
  private final Function<Throwable, Throwable> failureMapper;
  // confined to the consumer's context
  private int inFlight;
  private Promise<Void> idle;
  private final ShedLog shed = new ShedLog(LOG);

  /**
   * @param failureMapper turns module-specific failures (e.g. database errors) into {@link
   *     AspException}s before they are classified
   */
  public ActionDispatcher(Class<A> actions, Function<Throwable, Throwable> failureMapper) {
    this.actions = actions;
    this.handlers = new EnumMap<>(actions);
    this.handedOver = EnumSet.noneOf(actions);
    this.failureMapper = failureMapper;
  }

  public ActionDispatcher<A> on(A action, Function<JsonObject, Future<JsonObject>> handler) {
    handlers.put(action, handler);
    return this;
  }

  /**
   * Like {@link #on}, for a handler whose reply is built for the one request and never touched
   * again: it is handed over to a receiver in this JVM as it is, without the event bus's deep copy
   * ({@link HandedOver}, which the verticle must have registered).
   */
  public ActionDispatcher<A> onHandedOver(
      A action, Function<JsonObject, Future<JsonObject>> handler) {
    handedOver.add(action);
    return on(action, handler);
  }

  public void handle(Message<JsonObject> message) {
    Function<JsonObject, Future<JsonObject>> handler = handlerFor(message);
    if (handler == null) {
      fail(message, new AspException(ErrorCode.INVALID_REQUEST, "unknown action"));
      return;
    }
    Future<JsonObject> result;
    try {
      JsonObject body = message.body() == null ? new JsonObject() : message.body();
      result = handler.apply(body);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    inFlight++;
    boolean handOver = handedOver.contains(actionOf(message));
    result
        .onSuccess(
            reply -> {
              if (handOver) {
                message.reply(reply, HandedOver.OPTIONS);
              } else {
                message.reply(reply);
              }
            })
        .onFailure(failure -> fail(message, failure))
        .onComplete(done -> finished());
  }

  private void finished() {
    if (--inFlight == 0 && idle != null) {
      idle.tryComplete();
      idle = null;
    }
  }

  /**
   * Completes once no request is being handled: a stopping verticle unregisters its consumer, waits
   * for this, and only then closes what the handlers use (its pool), so requests it accepted are
   * answered rather than failed. Call on the consumer's context.
   */
  public Future<Void> idle() {
    if (inFlight == 0) {
      return Future.succeededFuture();
    }
    if (idle == null) {
      idle = Promise.promise();
    }
    return idle.future();
  }

  private Function<JsonObject, Future<JsonObject>> handlerFor(Message<JsonObject> message) {
    A action = actionOf(message);
    return action == null ? null : handlers.get(action);
  }

  private A actionOf(Message<JsonObject> message) {
    String name = message.headers().get(Addresses.ACTION_HEADER);
    if (name == null) {
      return null;
    }
    try {
      return Enum.valueOf(actions, name);
    } catch (IllegalArgumentException unknown) {
      return null;
    }
  }

  private void fail(Message<JsonObject> message, Throwable failure) {
    AspException error = AspException.from(failureMapper.apply(failure));
    if (AspException.overloaded(error)) {
      shed.count(message.address());
    } else if (error.code() == ErrorCode.INTERNAL || error.code() == ErrorCode.UNAVAILABLE) {
      LOG.error(
          "{} {} failed",
          message.address(),
          message.headers().get(Addresses.ACTION_HEADER),
          failure);
    }
    message.fail(error.busCode(), error.busMessage());
  }
}
