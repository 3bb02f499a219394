package dev.asp.trust;

import static dev.asp.trust.Nodes.anonymous;
import static dev.asp.trust.Nodes.newNodeId;
import static dev.asp.trust.Nodes.secretOf;
import static dev.asp.trust.TrustFixture.admin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import dev.asp.protocol.InboundPolicy;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.NodeFields;
import dev.asp.protocol.bus.TrustAction;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Hub-node settings: owner, policy, hub id, reissue off")
class NodeSettingsTest {
  private static final String HUB_ID = "hub_0123456789abcdef0123456789abcdef";
  private static TrustFixture trust;

  @BeforeAll
  static void start() {
    trust = TrustFixture.start(s -> s.withHubNodes("hubs", InboundPolicy.ALLOWLIST, 0, HUB_ID));
  }

  @AfterAll
  static void stop() {
    trust.close();
  }

  private static JsonObject hello(JsonObject body) {
    return trust.call(TrustAction.NODE_HELLO, body);
  }

  @Test
  @DisplayName("nodes are registered under the configured owner with the configured policy")
  void ownerAndPolicy() {
    JsonObject node = hello(anonymous(null));
    String handle = node.getString(Fields.HANDLE);
    assertEquals("@hubs." + node.getString(NodeFields.NODE_ID), handle);
    JsonObject view = trust.onAgent(TrustAction.GET_AGENT, handle, new JsonObject());
    assertEquals("hubs", view.getString(BusFields.OWNER));
    assertEquals("allowlist", view.getString(BusFields.INBOUND_POLICY));
  }

  @Test
  @DisplayName("the configured hub id is reported, reserved, and not written to the database")
  void configuredHubId() {
    assertEquals(HUB_ID, hello(anonymous(null)).getString(NodeFields.HUB_NODE_ID));
    assertEquals(
        A2aError.HUB_NODE_ID_RESERVED,
        trust.error(TrustAction.NODE_HELLO, anonymous(HUB_ID)).a2a());
    assertEquals(0, trust.count("SELECT count(*) FROM hub_identity"));
  }

  @Test
  @DisplayName("the configured owner is the reserved one; a2a is an ordinary owner then")
  void reservedOwnerFollowsTheSetting() {
    assertEquals(
        ErrorCode.CONFLICT,
        trust.failure(
            TrustAction.CREATE_OWNER,
            new JsonObject().put(BusFields.PRINCIPAL, admin()).put(BusFields.OWNER, "hubs")));
    trust.call(
        TrustAction.CREATE_OWNER,
        new JsonObject().put(BusFields.PRINCIPAL, admin()).put(BusFields.OWNER, "a2a"));
  }

  @Test
  @DisplayName("with reissue off, a never-used secret is not reissued: the id is claimed")
  void reissueOff() {
    String nodeId = newNodeId();
    JsonObject first = hello(anonymous(nodeId));
    assertEquals(
        A2aError.NODE_ID_ALREADY_CLAIMED,
        trust.error(TrustAction.NODE_HELLO, anonymous(nodeId)).a2a());
    assertEquals(
        first.getString(Fields.HANDLE),
        trust.authenticate(secretOf(first)).getString(Fields.HANDLE));
  }

  @Test
  @DisplayName("of many concurrent adoptions of one id exactly one wins, the rest are claimed")
  void concurrentAdoptions() {
    String nodeId = newNodeId();
    List<Future<JsonObject>> attempts = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      attempts.add(trust.bus.trust(TrustAction.NODE_HELLO, anonymous(nodeId)));
    }
    List<AsyncResult<JsonObject>> results = NodeSecretTest.settle(attempts);

    List<JsonObject> won =
        results.stream().filter(AsyncResult::succeeded).map(AsyncResult::result).toList();
    assertEquals(1, won.size(), results::toString);
    assertTrue(won.get(0).getBoolean(NodeFields.REGISTERED));
    for (AsyncResult<JsonObject> result : results) {
      if (result.failed()) {
        assertEquals(A2aError.NODE_ID_ALREADY_CLAIMED, ((AspException) result.cause()).a2a());
      }
    }
    String handle = "@hubs." + nodeId;
    assertEquals(1, trust.count("SELECT count(*) FROM agent_tokens WHERE handle = $1", handle));
    assertEquals(1, trust.count("SELECT count(*) FROM hub_nodes WHERE node_id = $1", nodeId));
    assertEquals(handle, trust.authenticate(secretOf(won.get(0))).getString(Fields.HANDLE));
  }
}
