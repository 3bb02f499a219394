package dev.asp.gateway.limits;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.a2a.A2aError;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.net.SocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Failed authentications per client address (issue 14 item 13): every check of a bearer token, an
 * agent or node secret, or an admin token goes through {@link #guard}; each failure takes one token
 * of the address's bucket for {@link #limit()} in the node's {@link RateLimiter} (in Hazelcast when
 * clustered, so the budget holds across the cluster), and an address whose bucket is empty is
 * refused ({@code rate_limited}: {@code 429} and {@code Retry-After}) <b>before</b> its credential
 * is looked up: a throttled address can neither guess nor cost a database query. Successes take
 * nothing, so no volume of correct calls is ever slowed, and other addresses are never affected.
 *
 * <p>Which address is throttled is remembered on this node until its bucket refills, so the refusal
 * itself costs no round trip; another node learns it with the first failure it sees from that
 * address (the shared bucket refuses it). So at most one lookup per node and window gets past an
 * exhausted budget. Bounded: the most recently throttled {@code maxRemembered} addresses.
 *
 * <p>Thread-safe; one instance serves all of a node's gateway instances.
 */
public final class AuthThrottle {
  /**
   * What a refusal carries: the limit and how long until the address may try again. The refusal
   * itself is an {@link AspException} {@code rate_limited} with this as its cause (see {@link
   * #of}), so every path that maps failures by code answers 429 with it.
   */
  public static final class Throttled extends RuntimeException {
    private final transient Limit limit;
    private final transient Decision decision;

    Throttled(Limit limit, Decision decision) {
      super("too many failed authentications", null, false, false);
      this.limit = limit;
      this.decision = decision;
    }

    /** The details of a refusal by a throttle, or null when {@code failure} is not one. */
    public static Throttled of(Throwable failure) {
      return failure instanceof AspException error
              && error.code() == ErrorCode.RATE_LIMITED
              && error.getCause() instanceof Throttled throttled
          ? throttled
          : null;
    }

    public Limit limit() {
      return limit;
    }

    public Decision decision() {
      return decision;
    }

    /** {@code Retry-After} in whole seconds, rounded up (at least 1). */
    public long retryAfterSeconds() {
      return Math.max(1, (decision.retryAfterMs() + 999) / 1000);
    }
  }

  private final RateLimiter limiter;
  private final Limit limit;
  private final boolean trustForwardedFor;
  // address -> System.nanoTime() until which it is refused; access-ordered, guarded by itself
  private final LinkedHashMap<String, Long> throttled;

  /**
   * @param limiter where failures are counted (the node's, cluster-wide when clustered)
   * @param limit failures allowed per address and window
   * @param trustForwardedFor take the address from the first {@code X-Forwarded-For} hop (only
   *     behind a proxy that sets it)
   * @param maxRemembered throttled addresses remembered on this node, at least 1
   */
  public AuthThrottle(
      RateLimiter limiter, Limit limit, boolean trustForwardedFor, int maxRemembered) {
    if (maxRemembered < 1) {
      throw new IllegalArgumentException("maxRemembered must be at least 1");
    }
    this.limiter = limiter;
    this.limit = limit;
    this.trustForwardedFor = trustForwardedFor;
    this.throttled =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > maxRemembered;
          }
        };
  }

  public Limit limit() {
    return limit;
  }

  /**
   * The client address a request is counted against: the TCP peer, or with {@code
   * trustForwardedFor} the first {@code X-Forwarded-For} hop when there is a usable one.
   */
  public String address(MultiMap headers, SocketAddress peer) {
    if (trustForwardedFor) {
      String forwarded = headers.get("X-Forwarded-For");
      if (forwarded != null && !forwarded.isBlank()) {
        String first = forwarded.split(",", 2)[0].trim();
        if (!first.isEmpty() && first.length() <= 64) {
          return first;
        }
      }
    }
    return peer == null || peer.hostAddress() == null ? "unknown" : peer.hostAddress();
  }

  /**
   * Runs {@code check} (a credential lookup) for a request from {@code address}, unless the address
   * is throttled: then fails with a refusal ({@link Throttled#of}) without running it. A check that
   * fails as an authentication failure ({@code unauthenticated}, {@code node_secret_invalid}) is
   * counted; the one that finds the budget spent fails with a refusal instead of its own failure.
   */
  public <T> Future<T> guard(String address, Supplier<Future<T>> check) {
    Decision refused = refusedNow(address);
    if (refused != null) {
      return Future.failedFuture(refusal(refused));
    }
    return check
        .get()
        .recover(
            failure ->
                isAuthFailure(failure)
                    ? failed(address).compose(decision -> refusedOr(decision, failure))
                    : Future.failedFuture(failure));
  }

  /** Whether {@code address} is refused now (for a caller that can skip its own lookup). */
  public boolean throttled(String address) {
    return refusedNow(address) != null;
  }

  /** Whether a failure means the presented credential was wrong. */
  public static boolean isAuthFailure(Throwable failure) {
    AspException error = AspException.from(failure);
    return error.code() == ErrorCode.UNAUTHENTICATED || error.a2a() == A2aError.NODE_SECRET_INVALID;
  }

  private <T> Future<T> refusedOr(Decision decision, Throwable failure) {
    return Future.failedFuture(decision.allowed() ? failure : refusal(decision));
  }

  private AspException refusal(Decision decision) {
    return new AspException(
        ErrorCode.RATE_LIMITED,
        "too many failed authentications from this address; retry after the Retry-After delay",
        new Throttled(limit, decision));
  }

  /** Counts one failure; when the budget is spent, remembers the address until it refills. */
  private Future<Decision> failed(String address) {
    return limiter
        .tryConsume(limit, address)
        // limits unreachable (cluster trouble): answer the failure as it is, lock nobody out
        .otherwise(Decision.ALLOWED)
        .onSuccess(
            decision -> {
              if (!decision.allowed()) {
                synchronized (throttled) {
                  throttled.put(address, System.nanoTime() + decision.retryAfterMs() * 1_000_000);
                }
              }
            });
  }

  private Decision refusedNow(String address) {
    long now = System.nanoTime();
    synchronized (throttled) {
      Long until = throttled.get(address);
      if (until == null) {
        return null;
      }
      if (until - now <= 0) {
        throttled.remove(address);
        return null;
      }
      return Decision.refusedForNanos(until - now);
    }
  }
}
