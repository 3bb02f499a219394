package dev.asp.gateway.impl;

import dev.asp.gateway.limits.AuthThrottle;
import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.TrustAction;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.Supplier;

/**
 * Token → agent lookups of one gateway instance, so most requests skip the round trip to the trust
 * verticle and its database query. Bounded (least recently used entries go first) and short-lived;
 * entries of an agent are dropped at once when the trust verticle announces that its credentials
 * changed. Keys are SHA-256 digests: the cache never holds a token itself. Used from the instance's
 * event loop only.
 *
 * <p>Every credential check of the gateway goes through here, so that failed ones are counted per
 * client address ({@link AuthThrottle}, when configured): agent tokens and node secrets ({@link
 * #agent}), and the admin token and hello secrets ({@link #guard}). A token this instance verified
 * within the cache's time-to-live is answered from the cache even for a throttled address: the
 * throttle stops guessing, not agents already known to be legitimate behind the same address.
 */
public final class TokenCache {
  private record Entry(String handle, long expiresAt) {}

  private final BusClient bus;
  private final int maxSize;
  private final long ttlMs;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private final AuthThrottle throttle;

  /**
   * @param throttle where failed checks are counted per client address, or null for no limit
   */
  public TokenCache(BusClient bus, int maxSize, long ttlMs, AuthThrottle throttle) {
    this.bus = bus;
    this.maxSize = maxSize;
    this.ttlMs = ttlMs;
    this.throttle = throttle;
  }

  /** Without a limit on failed checks. */
  public TokenCache(BusClient bus, int maxSize, long ttlMs) {
    this(bus, maxSize, ttlMs, null);
  }

  /**
   * The agent a token presented by {@code peer} (its request headers: {@code headers}) belongs to;
   * a failed future with {@code unauthenticated}, or {@link AuthThrottle.Throttled} when the
   * client's address has spent its budget of failures.
   */
  public Future<String> agent(String token, MultiMap headers, SocketAddress peer) {
    if (maxSize == 0) {
      return guard(headers, peer, () -> lookup(token));
    }
    String key = digest(token);
    Entry entry = entries.get(key);
    long now = System.currentTimeMillis();
    if (entry != null && entry.expiresAt() > now) {
      return Future.succeededFuture(entry.handle());
    }
    return guard(headers, peer, () -> lookup(token))
        .onSuccess(
            handle -> {
              entries.put(key, new Entry(handle, now + ttlMs));
              if (entries.size() > maxSize) {
                Iterator<String> oldest = entries.keySet().iterator();
                oldest.next();
                oldest.remove();
              }
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
    entries.values().removeIf(entry -> entry.handle().equals(handle));
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
