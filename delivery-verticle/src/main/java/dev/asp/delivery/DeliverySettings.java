package dev.asp.delivery;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * How the node's delivery side behaves.
 *
 * @param nodeId this node's identity in the presence records (unique per process start)
 * @param writeQueueMaxBytes bytes a connection may have queued in its socket; beyond them delivery
 *     to the agent waits for the socket to drain (nothing more is read or buffered meanwhile)
 * @param slowConsumerMs a connection whose queue has not drained for this long is closed as a slow
 *     consumer (it replays when it returns); also how often that is checked, at most
 * @param pingIntervalMs how often every connection is pinged (and slow consumers looked for)
 * @param idleTimeoutMs a connection silent (no pong, no frame) for this long is closed
 * @param cursorFlushMs how often advanced delivery cursors are persisted
 * @param replayBatch events fetched from the log per request when filling a gap or replaying
 * @param busTimeoutMs timeout of requests to the session verticle
 * @param reorderHoldMs how long a live event that arrives ahead of its turn waits for the ones
 *     before it before the log is read (0: read at once)
 * @param sessionRequests requests to the session service kept in flight at once; the others wait
 *     their turn, so thousands of agents connecting or leaving at once are paced here rather than
 *     shed by the session service's bounded queues
 * @param meters where delivery's meters ({@code asp.agents.connected}, {@code asp.websockets.open},
 *     {@code asp.events.delivered}, {@code asp.delivery.lag}, {@code asp.replay.events}) are
 *     registered, or null for none
 */
public record DeliverySettings(
    String nodeId,
    int writeQueueMaxBytes,
    long slowConsumerMs,
    long pingIntervalMs,
    long idleTimeoutMs,
    long cursorFlushMs,
    int replayBatch,
    long busTimeoutMs,
    long reorderHoldMs,
    int sessionRequests,
    MeterRegistry meters) {}
