package dev.asp.trust.impl;

import dev.asp.protocol.Handle;
import dev.asp.protocol.InboundPolicy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reachability rules of spec §2 as pure functions, so they can be tested without a database.
 *
 * <p>Trust is symmetric: each side's inbound policy gates both directions, so two agents may
 * communicate only if each admits the other. {@code open} means "no gate of my own", never
 * "reachable by all". A block, in either direction, beats any policy.
 */
public final class TrustRules {
  private TrustRules() {}

  /** What reachability needs to know about an existing (not deleted) agent. */
  public record AgentTrust(String handle, InboundPolicy policy, List<String> allowlist) {
    public AgentTrust {
      allowlist = List.copyOf(allowlist);
    }
  }

  /** Whether {@code agent}'s own gate admits {@code other}. */
  public static boolean allows(AgentTrust agent, String other) {
    if (agent.policy() == InboundPolicy.OPEN) {
      return true;
    }
    for (String entry : agent.allowlist()) {
      if (Handle.entryMatches(entry, other)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The targets {@code from} may communicate with, in request order without duplicates.
   *
   * @param agents the existing agents among {@code from} and the targets, by handle; a handle
   *     missing here is unknown or deleted, hence unreachable (and a missing {@code from} reaches
   *     nobody)
   * @param blockedEitherWay handles that blocked {@code from} or that {@code from} blocked
   */
  public static List<String> reachable(
      String from,
      List<String> targets,
      Map<String, AgentTrust> agents,
      Set<String> blockedEitherWay) {
    AgentTrust source = agents.get(from);
    List<String> result = new ArrayList<>();
    if (source == null) {
      return result;
    }
    for (String target : new LinkedHashSet<>(targets)) {
      AgentTrust other = agents.get(target);
      if (other != null
          && !target.equals(from)
          && !blockedEitherWay.contains(target)
          && allows(source, target)
          && allows(other, from)) {
        result.add(target);
      }
    }
    return result;
  }
}
