package dev.asp.trust;

import static dev.asp.trust.Nodes.anonymous;
import static dev.asp.trust.Nodes.newNodeId;
import static dev.asp.trust.Nodes.request;
import static dev.asp.trust.Nodes.rotation;
import static dev.asp.trust.Nodes.secretOf;
import static dev.asp.trust.Nodes.withToken;
import static dev.asp.trust.TrustFixture.newOwner;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.NodeFields;
import dev.asp.protocol.bus.TrustAction;
import dev.asp.trust.impl.Tokens;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Node secrets: reissue of a lost first secret, rotation, admin tokens, the race")
class NodeSecretTest {
  private static final long WINDOW_MS = TrustSettings.DEFAULT_UNCLAIMED_REISSUE_MS;
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
    return trust.error(TrustAction.NODE_HELLO, body).a2a();
  }

  private static JsonObject info(String handle) {
    return trust.call(TrustAction.NODE_INFO, new JsonObject().put(Fields.HANDLE, handle));
  }

  private static int version(String handle) {
    return info(handle).getInteger(NodeFields.NODE_SECRET_VERSION);
  }

  private static void assertRefused(String token) {
    assertEquals(
        ErrorCode.UNAUTHENTICATED,
        trust.failure(TrustAction.AUTHENTICATE, new JsonObject().put(BusFields.TOKEN, token)));
  }

  private static void assertAuthenticates(String token, String handle) {
    assertEquals(handle, trust.authenticate(token).getString(Fields.HANDLE));
  }

  private static long activeTokens(String handle) {
    return trust.count(
        "SELECT count(*) FROM agent_tokens WHERE handle = $1 AND revoked_at IS NULL", handle);
  }

  private static boolean secretUsed(String handle) {
    return trust
        .sql
        .preparedQuery("SELECT secret_used FROM hub_nodes WHERE handle = $1")
        .execute(Tuple.of(handle))
        .await()
        .iterator()
        .next()
        .getBoolean(0);
  }

  /** Waits (bounded) until {@code handle}'s credentials change is announced. */
  private static void awaitAnnounced(String handle) {
    while (!handle.equals(trust.nextCredentialsChange())) {
      // an announcement of an earlier test: keep looking
    }
  }

  @Nested
  @DisplayName("a lost first response (reissue)")
  class Reissue {
    @Test
    @DisplayName("a hello without Bearer inside the window reissues: version 2, old secret revoked")
    void insideWindow() {
      String nodeId = newNodeId();
      JsonObject first = hello(anonymous(nodeId));
      String handle = first.getString(Fields.HANDLE);
      String lost = secretOf(first);

      JsonObject again = hello(anonymous(nodeId));
      String fresh = secretOf(again);
      assertNotEquals(lost, fresh);
      assertEquals(nodeId, again.getString(NodeFields.NODE_ID));
      assertFalse(again.getBoolean(NodeFields.REGISTERED));
      assertEquals(2, again.getInteger(NodeFields.NODE_SECRET_VERSION));
      awaitAnnounced(handle);

      assertRefused(lost);
      assertAuthenticates(fresh, handle);
      assertEquals(1, activeTokens(handle));
      assertEquals(2, version(handle));
    }

    @Test
    @DisplayName("an assigned id is reissued too, and each reissue restarts the window")
    void assignedIdAgain() {
      JsonObject first = hello(anonymous(null));
      String nodeId = first.getString(NodeFields.NODE_ID);
      String handle = first.getString(Fields.HANDLE);
      trust
          .sql
          .preparedQuery(
              "UPDATE hub_nodes SET secret_issued_at = secret_issued_at - $2 WHERE handle = $1")
          .execute(Tuple.of(handle, WINDOW_MS - 60_000))
          .await();

      JsonObject second = hello(anonymous(nodeId));
      assertEquals(2, second.getInteger(NodeFields.NODE_SECRET_VERSION));
      // Issued now, so the window counts from here, not from the registration.
      JsonObject third = hello(anonymous(nodeId));
      assertEquals(3, third.getInteger(NodeFields.NODE_SECRET_VERSION));
      assertRefused(secretOf(second));
      assertAuthenticates(secretOf(third), handle);
    }

    @Test
    @DisplayName("outside the window the id is claimed and the secret stays as it was")
    void outsideWindow() {
      String nodeId = newNodeId();
      JsonObject first = hello(anonymous(nodeId));
      String handle = first.getString(Fields.HANDLE);
      trust
          .sql
          .preparedQuery(
              "UPDATE hub_nodes SET secret_issued_at = secret_issued_at - $2 WHERE handle = $1")
          .execute(Tuple.of(handle, WINDOW_MS + 1_000))
          .await();

      assertEquals(A2aError.NODE_ID_ALREADY_CLAIMED, refusal(anonymous(nodeId)));
      assertEquals(1, version(handle));
      assertAuthenticates(secretOf(first), handle);
    }

    @Test
    @DisplayName("once the secret was presented to AUTHENTICATE, the id is claimed")
    void usedByAuthenticate() {
      String nodeId = newNodeId();
      JsonObject first = hello(anonymous(nodeId));
      String handle = first.getString(Fields.HANDLE);
      assertFalse(secretUsed(handle));
      assertAuthenticates(secretOf(first), handle);
      assertTrue(secretUsed(handle));

      assertEquals(A2aError.NODE_ID_ALREADY_CLAIMED, refusal(anonymous(nodeId)));
      assertEquals(A2aError.NODE_ID_ALREADY_CLAIMED, refusal(anonymous(handle)));
      assertEquals(1, version(handle));
      assertAuthenticates(secretOf(first), handle);
    }

    @Test
    @DisplayName("once the secret was presented as Bearer of a hello, the id is claimed")
    void usedByHello() {
      String nodeId = newNodeId();
      JsonObject first = hello(anonymous(nodeId));
      String handle = first.getString(Fields.HANDLE);
      hello(withToken(secretOf(first), null));
      assertTrue(secretUsed(handle));

      assertEquals(A2aError.NODE_ID_ALREADY_CLAIMED, refusal(anonymous(nodeId)));
    }

    @Test
    @DisplayName("a reissued secret that was then used ends the reissue too")
    void reissuedThenUsed() {
      String nodeId = newNodeId();
      hello(anonymous(nodeId));
      JsonObject again = hello(anonymous(nodeId));
      assertAuthenticates(secretOf(again), again.getString(Fields.HANDLE));
      assertEquals(A2aError.NODE_ID_ALREADY_CLAIMED, refusal(anonymous(nodeId)));
    }

    @Test
    @DisplayName("a deleted node is never reissued")
    void deletedNotReissued() {
      String nodeId = newNodeId();
      JsonObject first = hello(anonymous(nodeId));
      trust.onAgent(TrustAction.DELETE_AGENT, first.getString(Fields.HANDLE), new JsonObject());
      assertEquals(A2aError.NODE_ID_ALREADY_CLAIMED, refusal(anonymous(nodeId)));
    }
  }

  @Nested
  @DisplayName("rotate_secret with the current secret")
  class Rotation {
    @Test
    @DisplayName("a hub node gets one new secret, version + 1; the old one is refused everywhere")
    void rotates() {
      JsonObject node = hello(anonymous(null));
      String handle = node.getString(Fields.HANDLE);
      String nodeId = node.getString(NodeFields.NODE_ID);
      String old = secretOf(node);

      JsonObject rotated = hello(rotation(old));
      String fresh = secretOf(rotated);
      assertNotEquals(old, fresh);
      assertEquals(nodeId, rotated.getString(NodeFields.NODE_ID));
      assertEquals(handle, rotated.getString(Fields.HANDLE));
      assertFalse(rotated.getBoolean(NodeFields.REGISTERED));
      assertEquals(2, rotated.getInteger(NodeFields.NODE_SECRET_VERSION));
      awaitAnnounced(handle);

      assertRefused(old);
      assertEquals(A2aError.NODE_SECRET_INVALID, refusal(withToken(old, nodeId)));
      assertAuthenticates(fresh, handle);
      assertEquals(1, activeTokens(handle));

      JsonObject again = hello(request(fresh, nodeId, true));
      assertEquals(3, again.getInteger(NodeFields.NODE_SECRET_VERSION));
      assertRefused(fresh);
      assertAuthenticates(secretOf(again), handle);
      assertEquals(3, version(handle));
    }

    @Test
    @DisplayName("rotation revokes every token of the node, also admin-issued ones")
    void revokesAll() {
      JsonObject node = hello(anonymous(null));
      String handle = node.getString(Fields.HANDLE);
      String extra =
          trust
              .onAgent(TrustAction.ISSUE_TOKEN, handle, new JsonObject())
              .getString(BusFields.TOKEN);
      JsonObject rotated = hello(rotation(secretOf(node)));
      assertRefused(extra);
      assertAuthenticates(secretOf(rotated), handle);
      assertEquals(1, activeTokens(handle));
    }

    @Test
    @DisplayName("rotate_secret false is a plain acknowledgement")
    void notAsked() {
      JsonObject node = hello(anonymous(null));
      JsonObject reply = hello(request(secretOf(node), null, false));
      assertNull(reply.getValue(NodeFields.NODE_SECRET));
      assertEquals(1, reply.getInteger(NodeFields.NODE_SECRET_VERSION));
    }

    @Test
    @DisplayName("an ASP agent is rotation_not_allowed and keeps its token")
    void aspAgentMayNotRotate() {
      String handle = "@" + newOwner() + ".bot";
      String token = trust.createAgent(handle).getString(BusFields.TOKEN);
      assertEquals(A2aError.ROTATION_NOT_ALLOWED, refusal(rotation(token)));
      assertAuthenticates(token, handle);
      assertEquals(1, activeTokens(handle));
    }

    @Test
    @DisplayName("two rotations with one secret at once: one succeeds, the other is invalid")
    void concurrentRotations() {
      JsonObject node = hello(anonymous(null));
      String secret = secretOf(node);
      String nodeId = node.getString(NodeFields.NODE_ID);
      List<AsyncResult<JsonObject>> results =
          settle(
              List.of(
                  trust.bus.trust(TrustAction.NODE_HELLO, request(secret, nodeId, true)),
                  trust.bus.trust(TrustAction.NODE_HELLO, request(secret, nodeId, true))));
      List<AsyncResult<JsonObject>> won = results.stream().filter(AsyncResult::succeeded).toList();
      assertEquals(1, won.size(), results::toString);
      AsyncResult<JsonObject> lost = results.stream().filter(AsyncResult::failed).findFirst().get();
      assertEquals(A2aError.NODE_SECRET_INVALID, ((AspException) lost.cause()).a2a());
      assertEquals(2, version(node.getString(Fields.HANDLE)));
      assertAuthenticates(secretOf(won.get(0).result()), node.getString(Fields.HANDLE));
    }
  }

  @Nested
  @DisplayName("admin tokens of a hub node")
  class AdminTokens {
    @Test
    @DisplayName("ISSUE_TOKEN gives a 64-hex token and keeps the version")
    void issue() {
      JsonObject node = hello(anonymous(null));
      String handle = node.getString(Fields.HANDLE);
      JsonObject issued = trust.onAgent(TrustAction.ISSUE_TOKEN, handle, new JsonObject());
      String token = issued.getString(BusFields.TOKEN);
      assertTrue(Nodes.SECRET.matcher(token).matches());
      assertAuthenticates(token, handle);
      assertAuthenticates(secretOf(node), handle);
      assertEquals(1, version(handle));
    }

    @Test
    @DisplayName("ROTATE_TOKENS gives a 64-hex token, bumps the version and revokes the old")
    void rotate() {
      JsonObject node = hello(anonymous(null));
      String handle = node.getString(Fields.HANDLE);
      JsonObject rotated = trust.onAgent(TrustAction.ROTATE_TOKENS, handle, new JsonObject());
      String token = rotated.getString(BusFields.TOKEN);
      assertTrue(Nodes.SECRET.matcher(token).matches());
      awaitAnnounced(handle);
      assertRefused(secretOf(node));
      assertAuthenticates(token, handle);
      assertEquals(2, version(handle));
      JsonObject ack = hello(withToken(token, node.getString(NodeFields.NODE_ID)));
      assertEquals(2, ack.getInteger(NodeFields.NODE_SECRET_VERSION));
    }

    @Test
    @DisplayName("ASP agents keep their tok_ tokens")
    void aspAgentTokens() {
      String handle = "@" + newOwner() + ".bot";
      trust.createAgent(handle);
      assertTrue(
          trust
              .onAgent(TrustAction.ISSUE_TOKEN, handle, new JsonObject())
              .getString(BusFields.TOKEN)
              .startsWith(Tokens.AGENT_PREFIX));
      assertTrue(
          trust
              .onAgent(TrustAction.ROTATE_TOKENS, handle, new JsonObject())
              .getString(BusFields.TOKEN)
              .startsWith(Tokens.AGENT_PREFIX));
    }
  }

  @Nested
  @DisplayName("two adoptions of one id")
  class Race {
    @Test
    @DisplayName("a registration whose insert loses the race answers node_id_already_claimed")
    void loserIsClaimed() {
      hello(anonymous(null)); // the owner exists, so the agent insert is where the race is lost
      String nodeId = newNodeId();
      String handle = "@a2a." + nodeId;
      SqlConnection conn = trust.sql.getConnection().await();
      try {
        Transaction winner = conn.begin().await();
        conn.preparedQuery(
                "INSERT INTO agents (handle, owner, inbound_policy, created_at)"
                    + " VALUES ($1, 'a2a', 'open', 0)")
            .execute(Tuple.of(handle))
            .await();
        Future<JsonObject> loser = trust.bus.trust(TrustAction.NODE_HELLO, anonymous(nodeId));
        awaitWaitingForLock();
        winner.commit().await();

        AsyncResult<JsonObject> result = settle(List.of(loser)).get(0);
        assertTrue(result.failed(), () -> "the loser registered: " + result.result());
        assertEquals(A2aError.NODE_ID_ALREADY_CLAIMED, ((AspException) result.cause()).a2a());
      } finally {
        conn.close().await();
      }
      assertEquals(0, trust.count("SELECT count(*) FROM hub_nodes WHERE node_id = $1", nodeId));
      assertEquals(0, trust.count("SELECT count(*) FROM agent_tokens WHERE handle = $1", handle));
    }
  }

  /** Polls (bounded) until some statement of this database waits for a lock. */
  private static void awaitWaitingForLock() {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      long waiting =
          trust.count(
              "SELECT count(*) FROM pg_stat_activity"
                  + " WHERE datname = current_database() AND wait_event_type = 'Lock'");
      if (waiting > 0) {
        return;
      }
    }
    fail("no statement waited for the lock within 10 s");
  }

  static List<AsyncResult<JsonObject>> settle(List<Future<JsonObject>> futures) {
    return futures.stream()
        .map(f -> f.<AsyncResult<JsonObject>>transform(Future::succeededFuture).await())
        .toList();
  }
}
