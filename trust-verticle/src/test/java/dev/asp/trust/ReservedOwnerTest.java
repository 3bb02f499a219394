package dev.asp.trust;

import static dev.asp.trust.Nodes.anonymous;
import static dev.asp.trust.Nodes.secretOf;
import static dev.asp.trust.TrustFixture.admin;
import static dev.asp.trust.TrustFixture.newOwner;
import static dev.asp.trust.TrustFixture.ownerPrincipal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.NodeFields;
import dev.asp.protocol.bus.TrustAction;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The owner of hub nodes is reserved (hub spec §2.1); NODE_INFO tells nodes apart")
class ReservedOwnerTest {
  private static TrustFixture trust;

  @BeforeAll
  static void start() {
    trust = TrustFixture.start();
  }

  @AfterAll
  static void stop() {
    trust.close();
  }

  private static JsonObject node() {
    return trust.call(TrustAction.NODE_HELLO, anonymous(null));
  }

  private static JsonObject info(String handle) {
    return trust.call(TrustAction.NODE_INFO, new JsonObject().put(Fields.HANDLE, handle));
  }

  private static ErrorCode infoFailure(String handle) {
    return trust.failure(TrustAction.NODE_INFO, new JsonObject().put(Fields.HANDLE, handle));
  }

  @Test
  @DisplayName("the admin cannot create the owner a2a, nor give it credentials")
  void ownerIsReserved() {
    node();
    assertEquals(
        ErrorCode.CONFLICT,
        trust.failure(
            TrustAction.CREATE_OWNER,
            new JsonObject().put(BusFields.PRINCIPAL, admin()).put(BusFields.OWNER, "a2a")));
    assertEquals(
        ErrorCode.CONFLICT,
        trust.failure(
            TrustAction.ROTATE_OWNER_TOKEN,
            new JsonObject().put(BusFields.PRINCIPAL, admin()).put(BusFields.OWNER, "a2a")));
    assertEquals(0, trust.count("SELECT count(*) FROM owner_tokens WHERE owner = 'a2a'"));
  }

  @Test
  @DisplayName("no agent can be created under a2a, by the admin or by an owner")
  void agentsAreReserved() {
    String handle = "@a2a.node_abcdef123456";
    assertEquals(
        ErrorCode.CONFLICT,
        trust.failure(
            TrustAction.CREATE_AGENT,
            new JsonObject().put(BusFields.PRINCIPAL, admin()).put(Fields.HANDLE, handle)));
    assertEquals(
        ErrorCode.FORBIDDEN,
        trust.failure(
            TrustAction.CREATE_AGENT,
            new JsonObject()
                .put(BusFields.PRINCIPAL, ownerPrincipal(newOwner()))
                .put(Fields.HANDLE, handle)));
    assertEquals(0, trust.count("SELECT count(*) FROM agents WHERE handle = $1", handle));
  }

  @Test
  @DisplayName("a seed naming an agent under a2a is refused as a whole")
  void seedIsRefused() {
    String owner = newOwner();
    JsonObject agents =
        new JsonObject().put("@" + owner + ".alice", "tok_alice_" + owner).put("@a2a.bob", "tok_b");
    assertEquals(
        ErrorCode.CONFLICT,
        trust.failure(TrustAction.SEED, new JsonObject().put(BusFields.AGENTS, agents)));
    assertEquals(0, trust.count("SELECT count(*) FROM agents WHERE owner = $1", owner));
    assertEquals(0, trust.count("SELECT count(*) FROM agents WHERE handle = '@a2a.bob'"));
  }

  @Test
  @DisplayName("list, get, policy, allowlist, blocks and delete work on hub nodes")
  void adminStillManagesNodes() {
    JsonObject node = node();
    String handle = node.getString(Fields.HANDLE);

    JsonObject view = trust.onAgent(TrustAction.GET_AGENT, handle, new JsonObject());
    assertEquals("a2a", view.getString(BusFields.OWNER));
    assertEquals("open", view.getString(BusFields.INBOUND_POLICY));
    assertEquals(1, view.getJsonArray(BusFields.TOKENS).size());
    JsonArray all =
        trust
            .call(TrustAction.LIST_AGENTS, new JsonObject().put(BusFields.PRINCIPAL, admin()))
            .getJsonArray(BusFields.AGENTS);
    assertTrue(
        all.stream().anyMatch(v -> handle.equals(((JsonObject) v).getString(Fields.HANDLE))));

    view =
        trust.onAgent(
            TrustAction.SET_POLICY,
            handle,
            new JsonObject().put(BusFields.INBOUND_POLICY, "allowlist"));
    assertEquals("allowlist", view.getString(BusFields.INBOUND_POLICY));
    view =
        trust.onAgent(
            TrustAction.ADD_ALLOWLIST_ENTRY,
            handle,
            new JsonObject().put(BusFields.ENTRY, "@a2a.*"));
    assertEquals(new JsonArray().add("@a2a.*"), view.getJsonArray(BusFields.ALLOWLIST));
    view =
        trust.onAgent(
            TrustAction.REMOVE_ALLOWLIST_ENTRY,
            handle,
            new JsonObject().put(BusFields.ENTRY, "@a2a.*"));
    assertEquals(new JsonArray(), view.getJsonArray(BusFields.ALLOWLIST));

    String spammer = "@" + newOwner() + ".spam";
    trust.onAgent(TrustAction.BLOCK, handle, new JsonObject().put(BusFields.BLOCKED, spammer));
    assertEquals(
        new JsonArray().add(spammer),
        trust
            .onAgent(TrustAction.GET_AGENT, handle, new JsonObject())
            .getJsonArray(BusFields.BLOCKS));
    trust.onAgent(TrustAction.UNBLOCK, handle, new JsonObject().put(BusFields.BLOCKED, spammer));

    trust.onAgent(TrustAction.DELETE_AGENT, handle, new JsonObject());
    assertEquals(
        ErrorCode.UNAUTHENTICATED,
        trust.failure(
            TrustAction.AUTHENTICATE, new JsonObject().put(BusFields.TOKEN, secretOf(node))));
  }

  @Test
  @DisplayName("NODE_INFO: a hub node by its node id and secret version")
  void infoOfHubNode() {
    JsonObject node = node();
    String handle = node.getString(Fields.HANDLE);
    assertEquals(
        new JsonObject()
            .put(Fields.HANDLE, handle)
            .put(NodeFields.NODE_ID, node.getString(NodeFields.NODE_ID))
            .put(NodeFields.HUB_NODE, true)
            .put(NodeFields.NODE_SECRET_VERSION, 1),
        info(handle));
  }

  @Test
  @DisplayName("NODE_INFO: an ASP agent by its handle, with no version")
  void infoOfAspAgent() {
    String handle = "@" + newOwner() + ".bot";
    trust.createAgent(handle);
    JsonObject info = info(handle);
    assertEquals(
        new JsonObject()
            .put(Fields.HANDLE, handle)
            .put(NodeFields.NODE_ID, handle)
            .put(NodeFields.HUB_NODE, false)
            .putNull(NodeFields.NODE_SECRET_VERSION),
        info);
    assertTrue(info.containsKey(NodeFields.NODE_SECRET_VERSION));
  }

  @Test
  @DisplayName("NODE_INFO: unknown and deleted agents are not found, a bad handle is invalid")
  void infoFailures() {
    assertEquals(ErrorCode.NOT_FOUND, infoFailure("@" + newOwner() + ".ghost"));
    JsonObject node = node();
    trust.onAgent(TrustAction.DELETE_AGENT, node.getString(Fields.HANDLE), new JsonObject());
    assertEquals(ErrorCode.NOT_FOUND, infoFailure(node.getString(Fields.HANDLE)));
    assertEquals(ErrorCode.INVALID_HANDLE, infoFailure(node.getString(NodeFields.NODE_ID)));
    assertEquals(ErrorCode.INVALID_HANDLE, trust.failure(TrustAction.NODE_INFO, new JsonObject()));
  }
}
