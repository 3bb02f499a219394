package dev.asp.trust.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.InboundPolicy;
import dev.asp.trust.impl.TrustRules.AgentTrust;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Trust rules (spec §2), without a database")
class TrustRulesTest {

  private static AgentTrust open(String handle) {
    return new AgentTrust(handle, InboundPolicy.OPEN, List.of());
  }

  private static AgentTrust allowlist(String handle, String... entries) {
    return new AgentTrust(handle, InboundPolicy.ALLOWLIST, List.of(entries));
  }

  private static Map<String, AgentTrust> agents(AgentTrust... agents) {
    Map<String, AgentTrust> byHandle = new HashMap<>();
    for (AgentTrust agent : agents) {
      byHandle.put(agent.handle(), agent);
    }
    return byHandle;
  }

  private static List<String> reachable(
      Map<String, AgentTrust> agents, Set<String> blocked, String from, String... to) {
    return TrustRules.reachable(from, List.of(to), agents, blocked);
  }

  @Test
  @DisplayName("an open agent admits anyone at its own gate")
  void openAdmitsAnyone() {
    assertTrue(TrustRules.allows(open("@a.x"), "@z.anyone"));
  }

  @Test
  @DisplayName("an empty allowlist is closed")
  void emptyAllowlistIsClosed() {
    assertFalse(TrustRules.allows(allowlist("@a.x"), "@b.y"));
  }

  @Test
  @DisplayName("an allowlist admits exact handles and owner globs, nothing else")
  void allowlistEntries() {
    AgentTrust agent = allowlist("@a.x", "@b.y", "@acme.*");
    assertTrue(TrustRules.allows(agent, "@b.y"));
    assertTrue(TrustRules.allows(agent, "@acme.support"));
    assertFalse(TrustRules.allows(agent, "@b.z"));
    assertFalse(TrustRules.allows(agent, "@acmex.support"));
  }

  @Test
  @DisplayName("two allowlist agents communicate only if each lists the other")
  void allowlistsAreSymmetric() {
    Map<String, AgentTrust> oneSided = agents(allowlist("@a.x", "@b.y"), allowlist("@b.y"));
    assertEquals(List.of(), reachable(oneSided, Set.of(), "@a.x", "@b.y"));
    assertEquals(List.of(), reachable(oneSided, Set.of(), "@b.y", "@a.x"));

    Map<String, AgentTrust> mutual = agents(allowlist("@a.x", "@b.y"), allowlist("@b.y", "@a.x"));
    assertEquals(List.of("@b.y"), reachable(mutual, Set.of(), "@a.x", "@b.y"));
    assertEquals(List.of("@a.x"), reachable(mutual, Set.of(), "@b.y", "@a.x"));
  }

  @Test
  @DisplayName("in a mixed pair the allowlist side decides, in both directions")
  void mixedPairAllowlistDecides() {
    Map<String, AgentTrust> closed = agents(open("@a.x"), allowlist("@b.y"));
    assertEquals(List.of(), reachable(closed, Set.of(), "@a.x", "@b.y"));
    assertEquals(List.of(), reachable(closed, Set.of(), "@b.y", "@a.x"));

    Map<String, AgentTrust> listed = agents(open("@a.x"), allowlist("@b.y", "@a.*"));
    assertEquals(List.of("@b.y"), reachable(listed, Set.of(), "@a.x", "@b.y"));
    assertEquals(List.of("@a.x"), reachable(listed, Set.of(), "@b.y", "@a.x"));
  }

  @Test
  @DisplayName("two open agents reach each other unless a block stands between them")
  void openPairAndBlocks() {
    Map<String, AgentTrust> both = agents(open("@a.x"), open("@b.y"));
    assertEquals(List.of("@b.y"), reachable(both, Set.of(), "@a.x", "@b.y"));
    assertEquals(List.of(), reachable(both, Set.of("@b.y"), "@a.x", "@b.y"));
  }

  @Test
  @DisplayName("unknown targets, self and an unknown source reach nobody")
  void unknownAndSelf() {
    Map<String, AgentTrust> known = agents(open("@a.x"), open("@b.y"));
    assertEquals(List.of(), reachable(known, Set.of(), "@a.x", "@a.x", "@c.ghost"));
    assertEquals(List.of(), reachable(known, Set.of(), "@c.ghost", "@a.x", "@b.y"));
  }

  @Test
  @DisplayName("the answer keeps request order and drops duplicates")
  void orderAndDuplicates() {
    Map<String, AgentTrust> all = agents(open("@a.x"), open("@b.y"), open("@c.z"));
    assertEquals(List.of("@c.z", "@b.y"), reachable(all, Set.of(), "@a.x", "@c.z", "@b.y", "@c.z"));
  }
}
