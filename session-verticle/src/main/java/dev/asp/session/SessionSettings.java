package dev.asp.session;

import dev.asp.protocol.MessageLimits;
import dev.asp.storage.DatabaseSettings;

/**
 * Configuration of the session verticle.
 *
 * @param db the PostgreSQL holding the session tables (already migrated with {@link
 *     SessionSchema#MODULE})
 * @param limits content and metadata limits, re-checked before anything is stored
 * @param maxInvitees the most distinct invitees one create request may name
 * @param busTimeoutMs how long to wait for the trust verticle before answering {@code unavailable}
 */
public record SessionSettings(
    DatabaseSettings db, MessageLimits limits, int maxInvitees, long busTimeoutMs) {

  public SessionSettings {
    if (db == null || limits == null) {
      throw new IllegalArgumentException("db and limits are required");
    }
    if (maxInvitees < 0 || busTimeoutMs <= 0) {
      throw new IllegalArgumentException("maxInvitees must be >= 0 and busTimeoutMs > 0");
    }
  }
}
