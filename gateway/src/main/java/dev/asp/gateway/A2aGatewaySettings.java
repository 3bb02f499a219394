package dev.asp.gateway;

import dev.asp.gateway.limits.Limit;
import dev.asp.gateway.limits.RateLimiter;

/**
 * What the gateway needs to serve {@code /a2a/*} (hub spec §15). A gateway without it answers every
 * {@code /a2a/*} path {@code route_not_found}.
 *
 * @param nodeOwner the reserved owner of hub nodes: {@code @a2a.node_x} is {@code node_x} on the
 *     wire
 * @param limiter where the hello, heartbeat and poll limits are counted (cluster-wide when
 *     clustered)
 * @param trustForwardedFor take the hello client address from {@code X-Forwarded-For}
 * @param sseMaxMs the longest SSE stream ({@code GET /a2a/events/stream}); a larger {@code
 *     duration_ms} is capped to it
 * @param sseKeepaliveMs how often an idle SSE stream gets a {@code : ping} comment, and the longest
 *     single wait of its pulls
 * @param mailboxMaxBytes the body limit of {@code POST /a2a/mailbox/outbound} (its own, §10)
 * @param deliberationMaxAgents the most participants a deliberation picks (§12)
 */
public record A2aGatewaySettings(
    String nodeOwner,
    RateLimiter limiter,
    Limit helloLimit,
    Limit heartbeatLimit,
    Limit pollLimit,
    boolean trustForwardedFor,
    long heartbeatIntervalMs,
    int heartbeatEvents,
    long pollMaxWaitMs,
    int pollBatch,
    int maxMessageChars,
    int maxParticipants,
    int maxTopicLength,
    int contextMax,
    long sseMaxMs,
    long sseKeepaliveMs,
    int mailboxMaxBytes,
    int deliberationMaxAgents) {

  /** Invitees one create request may name (§6.2). */
  public static final int MAX_INVITEES = 10;

  /** Longest session description (§6.2). */
  public static final int MAX_DESCRIPTION = 10_000;
}
