package dev.asp.gateway.impl;

import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.TrustAction;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * Token → agent lookups of one gateway instance, so most requests skip the round trip to the trust
 * verticle and its database query. Bounded (least recently used entries go first) and short-lived;
 * entries of an agent are dropped at once when the trust verticle announces that its credentials
 * changed. Keys are SHA-256 digests: the cache never holds a token itself. Used from the instance's
 * event loop only.
 */
public final class TokenCache {
  private record Entry(String handle, long expiresAt) {}

  private final BusClient bus;
  private final int maxSize;
  private final long ttlMs;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

  public TokenCache(BusClient bus, int maxSize, long ttlMs) {
    this.bus = bus;
    this.maxSize = maxSize;
    this.ttlMs = ttlMs;
  }

  /** The agent a token belongs to, or a failed future with {@code unauthenticated}. */
  public Future<String> agent(String token) {
    if (maxSize == 0) {
      return lookup(token);
    }
    String key = digest(token);
    Entry entry = entries.get(key);
    long now = System.currentTimeMillis();
    if (entry != null && entry.expiresAt() > now) {
      return Future.succeededFuture(entry.handle());
    }
    return lookup(token)
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
