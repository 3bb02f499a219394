package dev.asp.session;

import dev.asp.protocol.MessageLimits;
import dev.asp.storage.DatabaseSettings;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Configuration of the session verticle.
 *
 * @param db the PostgreSQL holding the session tables (already migrated with {@link
 *     SessionSchema#MODULE})
 * @param limits content and metadata limits, re-checked before anything is stored
 * @param maxInvitees the most distinct invitees one create request may name
 * @param busTimeoutMs how long to wait for the trust verticle before answering {@code unavailable}
 * @param graceMs how long an agent offline everywhere stays joined before it leaves its sessions
 *     with {@code grace_expired}; never 0 (spec §6)
 * @param sweepIntervalMs how often due grace deadlines are looked for; an expiry fires at most this
 *     long after its deadline (plus the time to process the ones before it)
 * @param meters where the verticle's meters ({@code asp.events.committed}, {@code
 *     asp.grace.expiries}) are registered, or null for none
 */
public record SessionSettings(
    DatabaseSettings db,
    MessageLimits limits,
    int maxInvitees,
    long busTimeoutMs,
    long graceMs,
    long sweepIntervalMs,
    MeterRegistry meters) {

  /** The spec's default grace window. */
  public static final long DEFAULT_GRACE_MS = 30_000;

  public static final long DEFAULT_SWEEP_INTERVAL_MS = 1_000;

  public SessionSettings {
    if (db == null || limits == null) {
      throw new IllegalArgumentException("db and limits are required");
    }
    if (maxInvitees < 0 || busTimeoutMs <= 0) {
      throw new IllegalArgumentException("maxInvitees must be >= 0 and busTimeoutMs > 0");
    }
    if (graceMs <= 0 || sweepIntervalMs <= 0) {
      throw new IllegalArgumentException("graceMs and sweepIntervalMs must be > 0");
    }
  }

  /** Without meters. */
  public SessionSettings(
      DatabaseSettings db,
      MessageLimits limits,
      int maxInvitees,
      long busTimeoutMs,
      long graceMs,
      long sweepIntervalMs) {
    this(db, limits, maxInvitees, busTimeoutMs, graceMs, sweepIntervalMs, null);
  }

  /** With the default grace window and sweep interval. */
  public SessionSettings(
      DatabaseSettings db, MessageLimits limits, int maxInvitees, long busTimeoutMs) {
    this(db, limits, maxInvitees, busTimeoutMs, DEFAULT_GRACE_MS, DEFAULT_SWEEP_INTERVAL_MS);
  }
}
