package dev.asp.operator;

import dev.asp.protocol.InboundPolicy;

/**
 * The A2A hub surface's settings ({@code ASP_A2A_*}, hub spec §15), read and checked by {@link
 * ConfigLoader} with every other key.
 */
public record A2aConfig(
    boolean enabled,
    String nodeOwner,
    InboundPolicy nodePolicy,
    String hubNodeId,
    int defaultLevel,
    boolean levelGating,
    int helloLimit,
    long helloWindowMs,
    boolean trustForwardedFor,
    long unclaimedReissueMs,
    long heartbeatIntervalMs,
    long offlineMs,
    int heartbeatLimit,
    long heartbeatWindowMs,
    int heartbeatEvents,
    long pollMaxWaitMs,
    long pollLingerMs,
    int pollBatch,
    int pollLimit,
    long pollWindowMs,
    long sseMaxMs,
    long sseKeepaliveMs,
    int maxMessageChars,
    int maxParticipants,
    int sharedContextBytes,
    int contextMax,
    int mailboxMaxBytes,
    long mailboxTtlMs,
    long sessionIdleMs,
    long convergeWindowMs,
    int maxSubscriptions,
    long sweepMs,
    int deliberationMaxAgents) {}
