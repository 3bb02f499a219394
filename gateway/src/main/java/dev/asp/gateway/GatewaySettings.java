package dev.asp.gateway;

import dev.asp.gateway.limits.AuthThrottle;
import dev.asp.protocol.MessageLimits;

/**
 * How the gateway listens and what it accepts.
 *
 * @param host interface to bind
 * @param port TCP port; 0 picks a free one (read it back from {@link GatewayVerticle#port()})
 * @param maxBodyBytes the largest HTTP request body; beyond it 413 before anything is parsed
 * @param limits content, parts and metadata limits of a message
 * @param maxInvitees the most handles in one invite list
 * @param maxTopicLength the longest session topic, in characters
 * @param busTimeoutMs how long a call to another verticle may take before 503
 * @param wsClosingTimeoutSeconds how long a WebSocket peer has to answer a close frame
 * @param authCacheSize token lookups cached per node, shared by its instances (0 disables the
 *     cache)
 * @param authCacheTtlMs how long a cached lookup is trusted (revocations evict at once anyway)
 * @param authCacheConnectTtlMs how long a lookup that opened a {@code WS /connect} is trusted after
 *     that connect, so a reconnect storm is answered from the cache (revocations evict at once)
 * @param serveApi serve the REST API (the node runs the gateway role)
 * @param serveStream serve {@code WS /connect} (the node runs delivery, which takes the sockets)
 * @param adminPageLimit the largest page of {@code GET /admin/agents} ({@code limit} 1..this; the
 *     default page is 100 or this, whichever is smaller)
 * @param a2a what {@code /a2a/*} needs, or null when the A2A surface is disabled (every {@code
 *     /a2a/*} path then answers {@code route_not_found})
 * @param http idle and header timeouts and the connection cap, shared by the node's instances
 * @param authThrottle failed authentications per client address (shared by the node's instances,
 *     counted cluster-wide when clustered), or null for no limit
 */
public record GatewaySettings(
    String host,
    int port,
    int maxBodyBytes,
    MessageLimits limits,
    int maxInvitees,
    int maxTopicLength,
    long busTimeoutMs,
    int wsClosingTimeoutSeconds,
    int authCacheSize,
    long authCacheTtlMs,
    long authCacheConnectTtlMs,
    boolean serveApi,
    boolean serveStream,
    int adminPageLimit,
    A2aGatewaySettings a2a,
    HttpLimits http,
    AuthThrottle authThrottle) {}
