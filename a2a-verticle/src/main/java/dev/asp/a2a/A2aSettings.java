package dev.asp.a2a;

import dev.asp.storage.DatabaseSettings;

/**
 * Configuration of the A2A verticle (hub spec §15).
 *
 * @param db the PostgreSQL holding the session and A2A tables (both migrated)
 * @param busTimeoutMs how long to wait for the trust verticle
 * @param nodeOwner the reserved owner of hub nodes ({@code a2a}): {@code @a2a.node_x} is {@code
 *     node_x} on the wire
 * @param defaultLevel the capability level of a node no admin changed (1..3)
 * @param offlineMs a node is alive while its last hello or heartbeat is this recent
 * @param pollMaxWaitMs the longest a long-poll waits
 * @param pollLingerMs how long after it arrives a pull that may wait (a long-poll, a stream's)
 *     first looks: while a stream is busy its events are answered in batches, not one poll each
 * @param maxParticipants default and cap of {@code max_participants}
 * @param sharedContextBytes the bound of {@code shared_context} as UTF-8 JSON
 * @param contextMax the largest {@code recent_messages} window
 * @param maxTopicLength the longest title
 * @param levelGating refuse calls above the node's level ({@code insufficient_capability_level})
 * @param meters where committed A2A events are counted ({@code asp_events_committed_total}, as the
 *     session verticle's), or null for none
 * @param mailboxTtlMs how long a mailbox message stays in the mailbox view unacknowledged, and how
 *     long an outbound message's stored result is kept (§10)
 * @param convergeWindowMs converging → completed after this long (0: at once)
 * @param sessionIdleMs an open session with no event for this long fails
 * @param sweepMs how often converge windows and idle limits are checked
 * @param maxSubscriptions topics per node
 */
public record A2aSettings(
    DatabaseSettings db,
    long busTimeoutMs,
    String nodeOwner,
    int defaultLevel,
    long offlineMs,
    long pollMaxWaitMs,
    long pollLingerMs,
    int maxParticipants,
    int sharedContextBytes,
    int contextMax,
    int maxTopicLength,
    boolean levelGating,
    long mailboxTtlMs,
    long convergeWindowMs,
    long sessionIdleMs,
    long sweepMs,
    int maxSubscriptions,
    io.micrometer.core.instrument.MeterRegistry meters) {

  public A2aSettings {
    if (db == null || nodeOwner == null) {
      throw new IllegalArgumentException("db and nodeOwner are required");
    }
    if (defaultLevel < 1 || defaultLevel > 3) {
      throw new IllegalArgumentException("defaultLevel must be 1..3");
    }
    if (mailboxTtlMs < 1 || sessionIdleMs < 1 || sweepMs < 1) {
      throw new IllegalArgumentException(
          "mailboxTtlMs, sessionIdleMs and sweepMs must be positive");
    }
    if (convergeWindowMs < 0 || maxSubscriptions < 1) {
      throw new IllegalArgumentException("convergeWindowMs >= 0, maxSubscriptions >= 1");
    }
  }

  /** The hub spec's defaults. */
  public static A2aSettings defaults(DatabaseSettings db, long busTimeoutMs) {
    return new A2aSettings(
        db,
        busTimeoutMs,
        "a2a",
        3,
        900_000,
        55_000,
        100,
        20,
        51_200,
        500,
        1000,
        false,
        604_800_000,
        60_000,
        172_800_000,
        1000,
        50,
        null);
  }
}
