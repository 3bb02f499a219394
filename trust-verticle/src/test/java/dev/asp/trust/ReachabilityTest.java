package dev.asp.trust;

import static dev.asp.trust.TrustFixture.newOwner;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.TrustAction;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Reachability: symmetric allowlists, blocks either way, no enumeration")
class ReachabilityTest {
  private static TrustFixture trust;

  @BeforeAll
  static void start() {
    trust = TrustFixture.start();
  }

  @AfterAll
  static void stop() {
    trust.close();
  }

  private static String handle(String agent) {
    return "@" + newOwner() + "." + agent;
  }

  @Test
  @DisplayName("two allowlist agents reach each other only when each lists the other")
  void allowlistOnBothSides() {
    String a = handle("a");
    String b = handle("b");
    trust.createAgent(a, "allowlist", b);
    trust.createAgent(b, "allowlist");
    assertEquals(List.of(), trust.reachable(a, b));
    assertEquals(List.of(), trust.reachable(b, a));

    trust.onAgent(TrustAction.ADD_ALLOWLIST_ENTRY, b, new JsonObject().put(BusFields.ENTRY, a));
    assertEquals(List.of(b), trust.reachable(a, b));
    assertEquals(List.of(a), trust.reachable(b, a));
  }

  @Test
  @DisplayName("new agents are closed: an empty allowlist admits nobody")
  void newAgentsAreClosed() {
    String a = handle("a");
    String b = handle("b");
    trust.createAgent(a);
    trust.createAgent(b, "open");
    assertEquals(List.of(), trust.reachable(b, a));
  }

  @Test
  @DisplayName("in a mixed pair the allowlist side decides, in both directions")
  void mixedPair() {
    String open = handle("open");
    String listing = handle("listing");
    trust.createAgent(open, "open");
    trust.createAgent(listing, "allowlist");
    assertEquals(List.of(), trust.reachable(open, listing));
    assertEquals(List.of(), trust.reachable(listing, open));

    trust.onAgent(
        TrustAction.ADD_ALLOWLIST_ENTRY, listing, new JsonObject().put(BusFields.ENTRY, open));
    assertEquals(List.of(listing), trust.reachable(open, listing));
    assertEquals(List.of(open), trust.reachable(listing, open));
  }

  @Test
  @DisplayName("two open agents reach each other")
  void openPair() {
    String a = handle("a");
    String b = handle("b");
    trust.createAgent(a, "open");
    trust.createAgent(b, "open");
    assertEquals(List.of(b), trust.reachable(a, b));
    assertEquals(List.of(a), trust.reachable(b, a));
  }

  @Test
  @DisplayName("an owner glob admits every agent of that owner and no one else")
  void ownerGlob() {
    String acme = newOwner();
    String support = "@" + acme + ".support";
    String sales = "@" + acme + ".sales";
    String stranger = handle("stranger");
    String client = handle("client");
    trust.createAgent(client, "allowlist", "@" + acme + ".*");
    trust.createAgent(support, "open");
    trust.createAgent(sales, "open");
    trust.createAgent(stranger, "open");
    assertEquals(List.of(support, sales), trust.reachable(client, support, stranger, sales));
  }

  @Test
  @DisplayName("a block in either direction beats open policies")
  void blocksBeatPolicies() {
    String a = handle("a");
    String b = handle("b");
    String c = handle("c");
    trust.createAgent(a, "open");
    trust.createAgent(b, "open");
    trust.createAgent(c, "open");
    trust.onAgent(TrustAction.BLOCK, a, new JsonObject().put(BusFields.BLOCKED, b));

    assertEquals(List.of(c), trust.reachable(a, b, c));
    assertEquals(List.of(c), trust.reachable(b, a, c));
  }

  @Test
  @DisplayName("removing an allowlist entry refuses further contact")
  void removingAnEntry() {
    String a = handle("a");
    String b = handle("b");
    trust.createAgent(a, "allowlist", b);
    trust.createAgent(b, "open");
    assertEquals(List.of(b), trust.reachable(a, b));

    JsonObject view =
        trust.onAgent(
            TrustAction.REMOVE_ALLOWLIST_ENTRY, a, new JsonObject().put(BusFields.ENTRY, b));
    assertEquals(new JsonArray(), view.getJsonArray(BusFields.ALLOWLIST));
    assertEquals(List.of(), trust.reachable(a, b));
    assertEquals(List.of(), trust.reachable(b, a));
  }

  @Test
  @DisplayName("unknown and deleted targets, invalid handles and oneself are never reachable")
  void unknownDeletedAndSelf() {
    String a = handle("a");
    String gone = handle("gone");
    String b = handle("b");
    trust.createAgent(a, "open");
    trust.createAgent(gone, "open");
    trust.createAgent(b, "open");
    trust.onAgent(TrustAction.DELETE_AGENT, gone, new JsonObject());
    assertEquals(List.of(b), trust.reachable(a, handle("ghost"), gone, a, "not a handle", b, b));
  }

  @Test
  @DisplayName("an unknown or deleted source reaches nobody")
  void unknownSource() {
    String a = handle("a");
    String gone = handle("gone");
    trust.createAgent(a, "open");
    trust.createAgent(gone, "open");
    assertEquals(List.of(), trust.reachable(handle("ghost"), a));
    trust.onAgent(TrustAction.DELETE_AGENT, gone, new JsonObject());
    assertEquals(List.of(), trust.reachable(gone, a));
  }

  @Test
  @DisplayName("an invalid source handle is invalid_handle, a missing target list invalid_request")
  void invalidRequests() {
    assertEquals(
        ErrorCode.INVALID_HANDLE,
        trust.failure(
            TrustAction.REACHABLE,
            new JsonObject().put(BusFields.FROM, "alice").put(BusFields.TO, new JsonArray())));
    assertEquals(
        ErrorCode.INVALID_REQUEST,
        trust.failure(TrustAction.REACHABLE, new JsonObject().put(BusFields.FROM, handle("a"))));
  }

  @Test
  @DisplayName("a target blocked with anyone it would share the session with is unreachable")
  void blockedWithGroup() {
    String inviter = handle("inviter");
    String blocker = handle("blocker");
    String blocked = handle("blocked");
    String other = handle("other");
    for (String agent : List.of(inviter, blocker, blocked, other)) {
      trust.createAgent(agent, "open");
    }
    trust.onAgent(TrustAction.BLOCK, blocker, new JsonObject().put(BusFields.BLOCKED, blocked));
    JsonObject request =
        new JsonObject()
            .put(BusFields.FROM, inviter)
            .put(BusFields.TO, new JsonArray().add(blocked).add(other).add(blocker))
            .put(BusFields.WITH, new JsonArray().add(blocker));
    assertEquals(
        List.of(other, blocker),
        trust.call(TrustAction.REACHABLE, request).getJsonArray(BusFields.REACHABLE).getList(),
        "the blocked agent cannot be brought to its blocker; the blocker itself is not excluded");
    request.put(BusFields.WITH, new JsonArray().add(blocked));
    assertEquals(
        List.of(blocked, other),
        trust.call(TrustAction.REACHABLE, request).getJsonArray(BusFields.REACHABLE).getList(),
        "either direction of the block counts: the blocker cannot be brought to the blocked");
    assertEquals(
        List.of(blocked, other, blocker), trust.reachable(inviter, blocked, other, blocker));
  }
}
