package dev.asp.gateway.impl;

import dev.asp.gateway.limits.AuthThrottle;
import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.TrustAction;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Supplier;

/**
 * Token → agent lookups of the node's gateway instances ({@link TokenEntries}, shared), so most
 * requests skip the round trip to the trust verticle and its database query. Bounded (least
 * recently used entries go first) and short-lived ({@code ASP_AUTH_CACHE_TTL_MS}; a lookup that
 * opened a {@code WS /connect} {@code ASP_AUTH_CACHE_CONNECT_TTL_MS}, both from its verification);
 * entries of an agent are dropped at once when the trust verticle announces that its credentials
 * changed, and a lookup under way meanwhile is not kept. Keys are SHA-256 digests: the cache never
 * holds a token itself.
 *
 * <p>Every credential check of the gateway goes through here, so that failed ones are counted per
 * client address ({@link AuthThrottle}, when configured): agent tokens and node secrets ({@link
 * #agent}), and the admin token and hello secrets ({@link #guard}). A token this node verified
 * within the cache's time-to-live is answered from the cache even for a throttled address: the
 * throttle stops guessing, not agents already known to be legitimate behind the same address.
 */
public final class TokenCache {
  private final BusClient bus;
  private final int maxSize;
  private final long ttlMs;
  private final long connectTtlMs;
  private final TokenEntries entries;
  private final AuthThrottle throttle;

  /**
   * @param entries the node's cached lookups ({@link TokenEntries#of})
   * @param throttle where failed checks are counted per client address, or null for no limit
   */
  TokenCache(
      BusClient bus,
      TokenEntries entries,
      int maxSize,
      long ttlMs,
      long connectTtlMs,
      AuthThrottle throttle) {
    this.bus = bus;
    this.entries = entries;
    this.maxSize = maxSize;
    this.ttlMs = ttlMs;
    this.connectTtlMs = connectTtlMs;
    this.throttle = throttle;
  }

  /** The cache of a gateway instance of {@code vertx}, over the lookups its node shares. */
  public static TokenCache of(
      Vertx vertx,
      BusClient bus,
      int maxSize,
      long ttlMs,
      long connectTtlMs,
      AuthThrottle throttle) {
    return new TokenCache(
        bus, TokenEntries.of(vertx, maxSize), maxSize, ttlMs, connectTtlMs, throttle);
  }

  /**
   * The agent a token presented by {@code peer} (its request headers: {@code headers}) belongs to;
   * a failed future with {@code unauthenticated}, or {@link AuthThrottle.Throttled} when the
   * client's address has spent its budget of failures.
   */
  public Future<String> agent(String token, MultiMap headers, SocketAddress peer) {
    return agent(token, headers, peer, false);
  }

  /**
   * {@link #agent} for a {@code WS /connect}: the lookup is then kept for the connect TTL after its
   * verification (never longer: a lost revocation announcement is bounded as with the TTL), so when
   * the connection drops and the agent comes back — with thousands of others, after a network cut
   * or a node restart — its token is answered here rather than by the trust verticle's database.
   * Revocation evicts it at once all the same ({@link #forget}).
   */
  public Future<String> connecting(String token, MultiMap headers, SocketAddress peer) {
    return agent(token, headers, peer, true);
  }

  private Future<String> agent(
      String token, MultiMap headers, SocketAddress peer, boolean connect) {
    if (maxSize == 0) {
      return guard(headers, peer, () -> lookup(token));
    }
    String key = digest(token);
    long now = System.currentTimeMillis();
    TokenEntries.Entry entry = entries.valid(key, now);
    if (entry != null) {
      if (connect) {
        entries.extend(key, entry.verifiedAt() + connectTtlMs);
      }
      return Future.succeededFuture(entry.handle());
    }
    long forgetsBefore = entries.forgets();
    return guard(headers, peer, () -> lookup(token))
        .onSuccess(
            handle -> {
              long verifiedAt = System.currentTimeMillis();
              long expiresAt = verifiedAt + (connect ? connectTtlMs : ttlMs);
              entries.putUnlessForgotten(
                  key, new TokenEntries.Entry(handle, verifiedAt, expiresAt), forgetsBefore);
            });
  }

  /**
   * Runs another credential check ({@code AUTHENTICATE_ADMIN}, a hello with a secret) for {@code
   * peer} under the same count of failures as {@link #agent}.
   */
  public <T> Future<T> guard(MultiMap headers, SocketAddress peer, Supplier<Future<T>> check) {
    return throttle == null ? check.get() : throttle.guard(throttle.address(headers, peer), check);
  }

  /** Credentials of the agent changed: forget every token of it. */
  public void forget(String handle) {
    entries.forget(handle);
  }

  private Future<String> lookup(String token) {
    return bus.trust(TrustAction.AUTHENTICATE, new JsonObject().put(BusFields.TOKEN, token))
        .map(reply -> reply.getString(Fields.HANDLE));
  }

  private static String digest(String token) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
