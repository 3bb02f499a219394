package dev.asp.gateway;

import dev.asp.gateway.limits.AuthThrottle;
import dev.asp.protocol.MessageLimits;

/** The gateway settings the gateway's own tests run with: small limits, a port of the system's. */
final class TestGatewaySettings {
  private TestGatewaySettings() {}

  /**
   * @param authCacheTtlMs how long a verified token is cached
   * @param a2a the A2A surface, or null without it
   * @param throttle failed-authentication throttling, or null for none
   */
  static GatewaySettings of(long authCacheTtlMs, A2aGatewaySettings a2a, AuthThrottle throttle) {
    return new GatewaySettings(
        "127.0.0.1",
        0,
        4096,
        new MessageLimits(512, 3, 128),
        5,
        50,
        1_000,
        2,
        100,
        authCacheTtlMs,
        authCacheTtlMs,
        true,
        true,
        1000,
        a2a,
        HttpLimits.defaults(),
        throttle);
  }
}
