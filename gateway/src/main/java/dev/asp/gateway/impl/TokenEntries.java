package dev.asp.gateway.impl;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * The verified token lookups of one node, shared by its gateway instances: a reconnect lands on
 * whichever instance accepts the connection, so a cache per instance would miss half the time with
 * two. Bounded (least recently used entries go first); the lock is held for a map operation only,
 * never across a lookup: microseconds, except {@link #forget}, which scans every entry once per
 * credential change (and per gateway instance that hears of it), a rare event during which the
 * other event loops may wait that long. Keys are SHA-256 digests of tokens.
 */
final class TokenEntries implements Shareable {
  private static final String MAP = "asp.gateway.tokens";
  private static final String KEY = "entries";

  /**
   * @param verifiedAt when trust answered for the token (a use never makes it younger)
   * @param expiresAt until when it is trusted
   */
  record Entry(String handle, long verifiedAt, long expiresAt) {}

  private final int maxSize;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

  /**
   * Counts {@link #forget} calls: a lookup answered while some credentials changed may predate the
   * change, so {@link #putUnlessForgotten} does not keep it. Without this an answer in flight could
   * put back an entry a revocation had just removed.
   */
  private long forgets;

  private TokenEntries(int maxSize) {
    this.maxSize = maxSize;
  }

  /** The node's entries: the first gateway instance to start creates them. */
  static TokenEntries of(Vertx vertx, int maxSize) {
    var map = vertx.sharedData().<String, TokenEntries>getLocalMap(MAP);
    TokenEntries fresh = new TokenEntries(maxSize);
    TokenEntries existing = map.putIfAbsent(KEY, fresh);
    return existing == null ? fresh : existing;
  }

  /** A still valid entry, or null. */
  synchronized Entry valid(String key, long now) {
    Entry entry = entries.get(key);
    return entry != null && entry.expiresAt() > now ? entry : null;
  }

  /** Keeps {@code entry} unless its agent's credentials may have changed since {@code forgets}. */
  synchronized void putUnlessForgotten(String key, Entry entry, long forgetsBefore) {
    if (forgets != forgetsBefore) {
      return;
    }
    put(key, entry);
  }

  /** Extends a valid entry to {@code expiresAt}, if that is later; a forgotten one stays gone. */
  synchronized void extend(String key, long expiresAt) {
    Entry entry = entries.get(key);
    if (entry != null && entry.expiresAt() < expiresAt) {
      put(key, new Entry(entry.handle(), entry.verifiedAt(), expiresAt));
    }
  }

  synchronized long forgets() {
    return forgets;
  }

  /** Credentials of the agent changed: forget every token of it. */
  synchronized void forget(String handle) {
    forgets++;
    entries.values().removeIf(entry -> entry.handle().equals(handle));
  }

  private void put(String key, Entry entry) {
    entries.put(key, entry);
    if (entries.size() > maxSize) {
      Iterator<String> oldest = entries.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
  }
}
