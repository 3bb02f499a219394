package dev.asp.protocol.a2a;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Node ids on the A2A wire")
class NodeIdsTest {
  private static final String OWNER = "a2a";

  @Test
  @DisplayName("a hub node id is node_ followed by 8 to 48 lowercase alphanumerics")
  void nodeIdForm() {
    assertTrue(NodeIds.isNodeId("node_abcdef12"));
    assertTrue(NodeIds.isNodeId("node_" + "a".repeat(48)));
    assertTrue(NodeIds.isNodeId("node_0123456789ab"));
    for (String bad :
        new String[] {
          "node_abcdef1",
          "node_" + "a".repeat(49),
          "node_ABCDEF12",
          "node_abc-def12",
          "node_abc_def12",
          "node-abcdef12",
          "@a2a.node_abcdef12",
          " node_abcdef12",
          "",
        }) {
      assertFalse(NodeIds.isNodeId(bad), bad);
    }
    assertFalse(NodeIds.isNodeId(null));
    assertFalse(NodeIds.isNodeId("node_" + "a".repeat(1_000_000)));
  }

  @Test
  @DisplayName("a field naming a node accepts the bare node id or any handle, nothing else")
  void handleOf() {
    assertEquals("@a2a.node_abcdef12", NodeIds.handleOf("node_abcdef12", OWNER));
    assertEquals("@hub-nodes.node_abcdef12", NodeIds.handleOf("node_abcdef12", "hub-nodes"));
    assertEquals("@acme.support", NodeIds.handleOf("@acme.support", OWNER));
    assertEquals("@a2a.node_abcdef12", NodeIds.handleOf("@a2a.node_abcdef12", OWNER));
    for (String bad :
        new String[] {
          "node_short", "NODE_abcdef12", "acme.support", "@Acme.support", "", "hub_x"
        }) {
      assertNull(NodeIds.handleOf(bad, OWNER), bad);
    }
    assertNull(NodeIds.handleOf(null, OWNER));
  }

  @Test
  @DisplayName("output names hub nodes by their bare id and every other agent by its handle")
  void wireId() {
    assertEquals("node_abcdef12", NodeIds.wireId("@a2a.node_abcdef12", OWNER));
    assertEquals("@acme.support", NodeIds.wireId("@acme.support", OWNER));
    assertEquals("@acme.node_abcdef12", NodeIds.wireId("@acme.node_abcdef12", OWNER));
    assertEquals("@a2a.admin", NodeIds.wireId("@a2a.admin", OWNER));
    assertEquals("@a2abc.node_abcdef12", NodeIds.wireId("@a2abc.node_abcdef12", OWNER));
    assertNull(NodeIds.wireId(null, OWNER));
  }

  @Test
  @DisplayName("the two forms round-trip: handleOf(wireId(h)) is h for every handle")
  void roundTrip() {
    for (String handle :
        new String[] {
          "@a2a.node_abcdef12", "@acme.support", "@a2a.admin", "@acme.node_abcdef12", "@a-b.c_d"
        }) {
      assertEquals(handle, NodeIds.handleOf(NodeIds.wireId(handle, OWNER), OWNER), handle);
    }
    String id = NodeIds.newNodeId();
    assertEquals(id, NodeIds.wireId(NodeIds.handleOf(id, OWNER), OWNER));
  }

  @Test
  @DisplayName("an invalid hub-node owner is a configuration error")
  void badOwner() {
    assertThrows(IllegalArgumentException.class, () -> NodeIds.handleOf("node_abcdef12", "A2A"));
    assertThrows(IllegalArgumentException.class, () -> NodeIds.wireId("@a.b", null));
    assertThrows(IllegalArgumentException.class, () -> NodeIds.wireId("@a.b", "a.b"));
  }

  @Test
  @DisplayName("assigned node ids are node_ plus 24 lowercase hex, fresh every time")
  void newNodeIds() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = NodeIds.newNodeId();
      assertTrue(id.matches("^node_[0-9a-f]{24}$"), id);
      assertTrue(NodeIds.isNodeId(id), id);
      assertTrue(seen.add(id), id);
    }
  }

  @Test
  @DisplayName("hub ids are hub_ plus 32 lowercase hex, and never read as node ids")
  void hubIds() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = NodeIds.newHubId();
      assertTrue(id.matches("^hub_[0-9a-f]{32}$"), id);
      assertTrue(NodeIds.isHubId(id), id);
      assertFalse(NodeIds.isNodeId(id), id);
      assertNull(NodeIds.handleOf(id, OWNER), id);
      assertTrue(seen.add(id), id);
    }
    assertFalse(NodeIds.isHubId("hub_" + "A".repeat(32)));
    assertFalse(NodeIds.isHubId("hub_" + "a".repeat(31)));
    assertFalse(NodeIds.isHubId("hub_" + "a".repeat(33)));
    assertFalse(NodeIds.isHubId("node_" + "a".repeat(32)));
    assertFalse(NodeIds.isHubId(null));
  }

  @Test
  @DisplayName("every id starting with hub_ is reserved, whatever its form")
  void reservedPrefix() {
    assertTrue(NodeIds.isReservedForHub(NodeIds.newHubId()));
    assertTrue(NodeIds.isReservedForHub("hub_x"));
    assertTrue(NodeIds.isReservedForHub("hub_"));
    assertFalse(NodeIds.isReservedForHub("hubx"));
    assertFalse(NodeIds.isReservedForHub("node_abcdef12"));
    assertFalse(NodeIds.isReservedForHub(null));
  }
}
