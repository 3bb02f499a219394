package dev.asp.trust;

import static dev.asp.trust.Nodes.anonymous;
import static dev.asp.trust.Nodes.newNodeId;
import static dev.asp.trust.Nodes.request;
import static dev.asp.trust.Nodes.secretOf;
import static dev.asp.trust.Nodes.unknownSecret;
import static dev.asp.trust.Nodes.withToken;
import static dev.asp.trust.TrustFixture.newOwner;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.AspException;
import dev.asp.protocol.Fields;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.NodeFields;
import dev.asp.protocol.bus.TrustAction;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Hello: the outcome table of hub spec §3 and the Bearer rules of §18.1")
class NodeHelloTest {
  private static TrustFixture trust;

  @BeforeAll
  static void start() {
    trust = TrustFixture.start();
  }

  @AfterAll
  static void stop() {
    trust.close();
  }

  private static JsonObject hello(JsonObject body) {
    return trust.call(TrustAction.NODE_HELLO, body);
  }

  private static A2aError refusal(JsonObject body) {
    AspException error = trust.error(TrustAction.NODE_HELLO, body);
    return error.a2a();
  }

  /** A registered hub node whose secret was presented once, so no hello can reissue it. */
  private static JsonObject usedNode() {
    JsonObject node = hello(anonymous(null));
    trust.authenticate(secretOf(node));
    return node;
  }

  private static long hubNodes() {
    return trust.count("SELECT count(*) FROM hub_nodes");
  }

  private static void assertReplyShape(JsonObject reply) {
    assertEquals(
        Set.of(
            NodeFields.NODE_ID,
            Fields.HANDLE,
            NodeFields.HUB_NODE,
            NodeFields.NODE_SECRET,
            NodeFields.NODE_SECRET_VERSION,
            NodeFields.HUB_NODE_ID,
            NodeFields.REGISTERED),
        reply.fieldNames());
    assertTrue(Nodes.HUB_ID.matcher(reply.getString(NodeFields.HUB_NODE_ID)).matches());
  }

  @Nested
  @DisplayName("without sender_id")
  class WithoutSenderId {
    @Test
    @DisplayName("no Bearer registers a new hub node with an assigned id and a 64-hex secret")
    void registersAssignedNode() {
      JsonObject reply = hello(anonymous(null));

      assertReplyShape(reply);
      String nodeId = reply.getString(NodeFields.NODE_ID);
      assertTrue(Nodes.ASSIGNED_ID.matcher(nodeId).matches(), nodeId);
      assertEquals("@a2a." + nodeId, reply.getString(Fields.HANDLE));
      assertTrue(reply.getBoolean(NodeFields.HUB_NODE));
      assertTrue(reply.getBoolean(NodeFields.REGISTERED));
      assertEquals(1, reply.getInteger(NodeFields.NODE_SECRET_VERSION));
      String secret = secretOf(reply);
      assertEquals(
          reply.getString(Fields.HANDLE), trust.authenticate(secret).getString(Fields.HANDLE));
    }

    @Test
    @DisplayName("an invalid Bearer is ignored: a new hub node is registered")
    void invalidBearerIsIgnored() {
      JsonObject reply = hello(withToken(unknownSecret(), null));
      assertTrue(reply.getBoolean(NodeFields.REGISTERED));
      assertTrue(Nodes.ASSIGNED_ID.matcher(reply.getString(NodeFields.NODE_ID)).matches());
      secretOf(reply);
    }

    @Test
    @DisplayName("an empty Bearer counts as none")
    void emptyBearerIsNone() {
      JsonObject reply = hello(withToken("", null));
      assertTrue(reply.getBoolean(NodeFields.REGISTERED));
    }

    @Test
    @DisplayName("a hub node's valid Bearer acknowledges it, with no new secret")
    void hubNodeBearerAcknowledged() {
      JsonObject node = hello(anonymous(null));
      JsonObject reply = hello(withToken(secretOf(node), null));

      assertReplyShape(reply);
      assertEquals(node.getString(NodeFields.NODE_ID), reply.getString(NodeFields.NODE_ID));
      assertEquals(node.getString(Fields.HANDLE), reply.getString(Fields.HANDLE));
      assertTrue(reply.getBoolean(NodeFields.HUB_NODE));
      assertFalse(reply.getBoolean(NodeFields.REGISTERED));
      assertNull(reply.getValue(NodeFields.NODE_SECRET));
      assertEquals(1, reply.getInteger(NodeFields.NODE_SECRET_VERSION));
      assertEquals(node.getString(NodeFields.HUB_NODE_ID), reply.getString(NodeFields.HUB_NODE_ID));
    }

    @Test
    @DisplayName("an ASP agent's valid Bearer acknowledges it under its handle, with no version")
    void aspAgentBearerAcknowledged() {
      String handle = "@" + newOwner() + ".bot";
      String token = trust.createAgent(handle).getString(BusFields.TOKEN);
      JsonObject reply = hello(withToken(token, null));

      assertReplyShape(reply);
      assertEquals(handle, reply.getString(NodeFields.NODE_ID));
      assertEquals(handle, reply.getString(Fields.HANDLE));
      assertFalse(reply.getBoolean(NodeFields.HUB_NODE));
      assertFalse(reply.getBoolean(NodeFields.REGISTERED));
      assertNull(reply.getValue(NodeFields.NODE_SECRET));
      assertNull(reply.getValue(NodeFields.NODE_SECRET_VERSION));
    }

    @Test
    @DisplayName("every hello reports the same stored hub id")
    void hubIdIsStable() {
      String first = hello(anonymous(null)).getString(NodeFields.HUB_NODE_ID);
      String second = hello(anonymous(null)).getString(NodeFields.HUB_NODE_ID);
      assertEquals(first, second);
      assertEquals(
          1,
          trust.count(
              "SELECT count(*) FROM hub_identity WHERE id = 1 AND hub_node_id = $1", first));
    }
  }

  @Nested
  @DisplayName("with an unknown sender_id")
  class UnknownSender {
    @Test
    @DisplayName("a node id of the official form is adopted exactly, without a Bearer")
    void adoptsNodeId() {
      String nodeId = newNodeId();
      JsonObject reply = hello(anonymous(nodeId));

      assertReplyShape(reply);
      assertEquals(nodeId, reply.getString(NodeFields.NODE_ID));
      assertEquals("@a2a." + nodeId, reply.getString(Fields.HANDLE));
      assertTrue(reply.getBoolean(NodeFields.REGISTERED));
      assertEquals(1, reply.getInteger(NodeFields.NODE_SECRET_VERSION));
      assertEquals("@a2a." + nodeId, trust.authenticate(secretOf(reply)).getString(Fields.HANDLE));
    }

    @Test
    @DisplayName("a node id is adopted even with an invalid Bearer, which is ignored")
    void adoptsWithInvalidBearer() {
      String nodeId = newNodeId();
      JsonObject reply = hello(withToken(unknownSecret(), nodeId));
      assertEquals(nodeId, reply.getString(NodeFields.NODE_ID));
      assertTrue(reply.getBoolean(NodeFields.REGISTERED));
    }

    @Test
    @DisplayName("node ids of 8 and of 48 characters after node_ are adopted")
    void adoptsBounds() {
      String shortest = "node_" + "a1b2c3d4";
      String longest = "node_" + "z".repeat(48);
      assertEquals(shortest, hello(anonymous(shortest)).getString(NodeFields.NODE_ID));
      assertEquals(longest, hello(anonymous(longest)).getString(NodeFields.NODE_ID));
    }

    @Test
    @DisplayName("a handle is node_not_found")
    void unknownHandle() {
      long before = hubNodes();
      assertEquals(A2aError.NODE_NOT_FOUND, refusal(anonymous("@" + newOwner() + ".ghost")));
      assertEquals(A2aError.NODE_NOT_FOUND, refusal(anonymous("@a2a." + newNodeId())));
      assertEquals(before, hubNodes());
    }

    @Test
    @DisplayName("any other form is validation_error, whose message shows the pattern")
    void otherForms() {
      long before = hubNodes();
      for (String form :
          new String[] {
            "node_short",
            "node_" + "a".repeat(49),
            "node_ABCDEF123",
            "node-abcdef123",
            "abcdef123",
            "@not-a-handle",
            "@Acme.bot",
            " node_abcdef123"
          }) {
        AspException error = trust.error(TrustAction.NODE_HELLO, anonymous(form));
        assertEquals(A2aError.VALIDATION_ERROR, error.a2a(), form);
        assertTrue(error.getMessage().contains("^node_[a-z0-9]{8,48}$"), error.getMessage());
      }
      assertEquals(before, hubNodes());
    }
  }

  @Nested
  @DisplayName("with a reserved sender_id")
  class ReservedSender {
    @Test
    @DisplayName("the hub's own id, or any id starting with hub_, is hub_node_id_reserved")
    void hubIdsAreReserved() {
      String hubId = hello(anonymous(null)).getString(NodeFields.HUB_NODE_ID);
      long before = hubNodes();
      assertEquals(A2aError.HUB_NODE_ID_RESERVED, refusal(anonymous(hubId)));
      assertEquals(A2aError.HUB_NODE_ID_RESERVED, refusal(anonymous("hub_" + "0".repeat(32))));
      assertEquals(A2aError.HUB_NODE_ID_RESERVED, refusal(anonymous("hub_anything")));
      assertEquals(A2aError.HUB_NODE_ID_RESERVED, refusal(anonymous("hub_")));
      assertEquals(before, hubNodes());
    }

    @Test
    @DisplayName("the reservation is checked first, also with a valid Bearer")
    void reservedBeforeMismatch() {
      JsonObject node = hello(anonymous(null));
      assertEquals(
          A2aError.HUB_NODE_ID_RESERVED,
          refusal(request(secretOf(node), "hub_" + "a".repeat(32), true)));
    }
  }

  @Nested
  @DisplayName("with a known sender_id")
  class KnownSender {
    @Test
    @DisplayName("its current secret as Bearer acknowledges it, in node-id and in handle form")
    void currentSecretAcknowledged() {
      JsonObject node = hello(anonymous(null));
      String secret = secretOf(node);
      String nodeId = node.getString(NodeFields.NODE_ID);

      JsonObject byId = hello(withToken(secret, nodeId));
      assertEquals(nodeId, byId.getString(NodeFields.NODE_ID));
      assertFalse(byId.getBoolean(NodeFields.REGISTERED));
      assertNull(byId.getValue(NodeFields.NODE_SECRET));
      assertEquals(1, byId.getInteger(NodeFields.NODE_SECRET_VERSION));

      JsonObject byHandle = hello(withToken(secret, node.getString(Fields.HANDLE)));
      assertEquals(nodeId, byHandle.getString(NodeFields.NODE_ID));
      assertNull(byHandle.getValue(NodeFields.NODE_SECRET));
    }

    @Test
    @DisplayName("an ASP agent naming itself by its handle is acknowledged")
    void aspAgentNamesItself() {
      String handle = "@" + newOwner() + ".bot";
      String token = trust.createAgent(handle).getString(BusFields.TOKEN);
      JsonObject reply = hello(withToken(token, handle));
      assertEquals(handle, reply.getString(NodeFields.NODE_ID));
      assertFalse(reply.getBoolean(NodeFields.HUB_NODE));
    }

    @Test
    @DisplayName("no Bearer is node_id_already_claimed, for a hub node and for an ASP agent")
    void noBearerIsClaimed() {
      JsonObject node = usedNode();
      assertEquals(
          A2aError.NODE_ID_ALREADY_CLAIMED, refusal(anonymous(node.getString(NodeFields.NODE_ID))));
      assertEquals(
          A2aError.NODE_ID_ALREADY_CLAIMED, refusal(anonymous(node.getString(Fields.HANDLE))));

      String handle = "@" + newOwner() + ".bot";
      trust.createAgent(handle);
      assertEquals(A2aError.NODE_ID_ALREADY_CLAIMED, refusal(anonymous(handle)));
    }

    @Test
    @DisplayName("a wrong Bearer is node_secret_invalid, for a hub node and for an ASP agent")
    void wrongBearerIsInvalid() {
      JsonObject node = hello(anonymous(null));
      assertEquals(
          A2aError.NODE_SECRET_INVALID,
          refusal(withToken(unknownSecret(), node.getString(NodeFields.NODE_ID))));
      // A wrong Bearer never reissues, even while the real secret is still unused.
      assertEquals(
          1,
          trust.count(
              "SELECT count(*) FROM agent_tokens WHERE handle = $1 AND revoked_at IS NULL",
              node.getString(Fields.HANDLE)));

      String handle = "@" + newOwner() + ".bot";
      trust.createAgent(handle);
      assertEquals(A2aError.NODE_SECRET_INVALID, refusal(withToken("tok_wrong", handle)));
    }

    @Test
    @DisplayName("a Bearer too long to be a secret is simply a wrong one")
    void overlongBearerIsWrong() {
      JsonObject node = usedNode();
      assertEquals(
          A2aError.NODE_SECRET_INVALID,
          refusal(withToken("a".repeat(10_000), node.getString(NodeFields.NODE_ID))));
    }

    @Test
    @DisplayName("a deleted hub node's id stays claimed, while its handle names nobody")
    void deletedNode() {
      JsonObject node = hello(anonymous(null));
      String handle = node.getString(Fields.HANDLE);
      trust.onAgent(TrustAction.DELETE_AGENT, handle, new JsonObject());

      assertEquals(
          A2aError.NODE_ID_ALREADY_CLAIMED, refusal(anonymous(node.getString(NodeFields.NODE_ID))));
      assertEquals(
          A2aError.NODE_SECRET_INVALID,
          refusal(withToken(secretOf(node), node.getString(NodeFields.NODE_ID))));
      assertEquals(A2aError.NODE_NOT_FOUND, refusal(anonymous(handle)));
    }
  }

  @Nested
  @DisplayName("a valid Bearer always identifies the caller (§18.1)")
  class BearerIdentifies {
    @Test
    @DisplayName("a sender_id naming another known node is sender_mismatch")
    void otherKnownNode() {
      JsonObject caller = hello(anonymous(null));
      JsonObject other = hello(anonymous(null));
      String secret = secretOf(caller);
      assertEquals(
          A2aError.SENDER_MISMATCH,
          refusal(withToken(secret, other.getString(NodeFields.NODE_ID))));
      assertEquals(
          A2aError.SENDER_MISMATCH, refusal(withToken(secret, other.getString(Fields.HANDLE))));

      String handle = "@" + newOwner() + ".bot";
      trust.createAgent(handle);
      assertEquals(A2aError.SENDER_MISMATCH, refusal(withToken(secret, handle)));
    }

    @Test
    @DisplayName("a sender_id naming an unknown node is sender_mismatch, never an adoption")
    void unknownNodeIsNotAdopted() {
      JsonObject caller = hello(anonymous(null));
      String nodeId = newNodeId();
      long before = hubNodes();
      assertEquals(A2aError.SENDER_MISMATCH, refusal(withToken(secretOf(caller), nodeId)));
      assertEquals(
          A2aError.SENDER_MISMATCH,
          refusal(withToken(secretOf(caller), "@" + newOwner() + ".ghost")));
      assertEquals(before, hubNodes());
      assertEquals(0, trust.count("SELECT count(*) FROM hub_nodes WHERE node_id = $1", nodeId));
    }

    @Test
    @DisplayName("an ASP agent naming a node id, even its own agent name, is sender_mismatch")
    void aspAgentNamingANodeId() {
      String handle = "@" + newOwner() + ".node_abcdef123";
      String token = trust.createAgent(handle).getString(BusFields.TOKEN);
      assertEquals(A2aError.SENDER_MISMATCH, refusal(withToken(token, "node_abcdef123")));
    }
  }

  @Nested
  @DisplayName("input is validated before any query")
  class Validation {
    @Test
    @DisplayName("wrong types, an over-long sender_id, a NUL or a lone surrogate are refused")
    void badInput() {
      long before = hubNodes();
      JsonObject[] bodies = {
        new JsonObject().put(NodeFields.SENDER_ID, 42),
        new JsonObject().put(NodeFields.SENDER_ID, new JsonObject()),
        new JsonObject().put(NodeFields.SENDER_ID, "node_" + "a".repeat(196)),
        new JsonObject().put(NodeFields.SENDER_ID, "node_abc\u0000defgh"),
        new JsonObject().put(NodeFields.SENDER_ID, "\u0000"),
        new JsonObject().put(NodeFields.SENDER_ID, "node_abcdefgh\uD800"),
        new JsonObject().put(NodeFields.SENDER_ID, "\uDC00node_abcdefgh"),
        new JsonObject().put(NodeFields.SENDER_ID, "@acme.b\uD83Dot"),
        new JsonObject().put(NodeFields.ROTATE_SECRET, "yes"),
        new JsonObject().put(NodeFields.ROTATE_SECRET, 1),
        new JsonObject().put(BusFields.TOKEN, 7),
      };
      for (JsonObject body : bodies) {
        assertEquals(A2aError.VALIDATION_ERROR, refusal(body), body::encode);
      }
      assertEquals(before, hubNodes());
    }

    @Test
    @DisplayName(
        "a sender_id is judged by its form: the longest handle (64 characters a part) is an"
            + " unknown node; longer parts, and anything over 200 characters, are invalid")
    void sizeBound() {
      String longest = "@" + "a".repeat(64) + "." + "b".repeat(64);
      assertEquals(A2aError.NODE_NOT_FOUND, refusal(anonymous(longest)));
      assertEquals(A2aError.VALIDATION_ERROR, refusal(anonymous(longest + "c")));
      String handle = "@" + "a".repeat(100) + "." + "b".repeat(98);
      assertEquals(200, handle.length());
      assertEquals(A2aError.VALIDATION_ERROR, refusal(anonymous(handle)));
      assertEquals(A2aError.VALIDATION_ERROR, refusal(anonymous(handle + "c")));
    }

    @Test
    @DisplayName("an empty sender_id counts as absent; a paired surrogate is judged by its form")
    void lenientForms() {
      assertTrue(hello(anonymous("")).getBoolean(NodeFields.REGISTERED));
      AspException error =
          trust.error(TrustAction.NODE_HELLO, anonymous("node_abc\uD83D\uDE00defgh"));
      assertEquals(A2aError.VALIDATION_ERROR, error.a2a());
      assertTrue(error.getMessage().contains("^node_[a-z0-9]{8,48}$"), error.getMessage());
    }
  }
}
