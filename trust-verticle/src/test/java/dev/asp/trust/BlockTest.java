package dev.asp.trust;

import static dev.asp.trust.TrustFixture.newOwner;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.TrustAction;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Blocks: recorded first, then the blocked agent is force-left from shared sessions")
class BlockTest {
  private static TrustFixture trust;

  @BeforeAll
  static void start() {
    trust = TrustFixture.start();
  }

  @AfterAll
  static void stop() {
    trust.close();
  }

  @BeforeEach
  @AfterEach
  void healthySessions() {
    trust.sessions.failing.set(false);
    trust.sessions.forceLeaves.clear();
  }

  private static JsonObject blocking(String blocked) {
    return new JsonObject().put(BusFields.BLOCKED, blocked);
  }

  private static long blockRows(String blocker, String blocked) {
    return trust.count(
        "SELECT count(*) FROM blocks WHERE blocker = $1 AND blocked = $2", blocker, blocked);
  }

  @Test
  @DisplayName("blocking asks the session verticle to force-leave and reports the sessions left")
  void blockForceLeaves() {
    String a = "@" + newOwner() + ".a";
    String b = "@" + newOwner() + ".b";
    trust.createAgent(a, "open");
    trust.createAgent(b, "open");

    JsonObject reply = trust.onAgent(TrustAction.BLOCK, a, blocking(b));

    assertEquals(
        new JsonObject()
            .put(Fields.OK, true)
            .put(BusFields.FORCE_LEFT, new JsonArray().add("sess_X")),
        reply);
    assertEquals(
        List.of(new JsonObject().put(BusFields.BLOCKER, a).put(BusFields.BLOCKED, b)),
        List.copyOf(trust.sessions.forceLeaves));
    assertEquals(
        new JsonArray().add(b),
        trust.onAgent(TrustAction.GET_AGENT, a, new JsonObject()).getJsonArray(BusFields.BLOCKS));
  }

  @Test
  @DisplayName("blocking twice keeps one block and force-leaves again")
  void blockIsIdempotent() {
    String a = "@" + newOwner() + ".a";
    String b = "@" + newOwner() + ".b";
    trust.createAgent(a, "open");
    trust.onAgent(TrustAction.BLOCK, a, blocking(b));
    trust.onAgent(TrustAction.BLOCK, a, blocking(b));
    assertEquals(1, blockRows(a, b));
    assertEquals(2, trust.sessions.forceLeaves.size());
  }

  @Test
  @DisplayName("an unknown handle may be blocked, oneself or an invalid handle may not")
  void blockTargets() {
    String a = "@" + newOwner() + ".a";
    trust.createAgent(a);
    String ghost = "@" + newOwner() + ".ghost";
    trust.onAgent(TrustAction.BLOCK, a, blocking(ghost));
    assertEquals(1, blockRows(a, ghost));
    assertEquals(
        ErrorCode.INVALID_REQUEST,
        trust.failure(TrustAction.BLOCK, TrustFixture.agentRequest(a, blocking(a))));
    assertEquals(
        ErrorCode.INVALID_HANDLE,
        trust.failure(TrustAction.BLOCK, TrustFixture.agentRequest(a, blocking("ghost"))));
    assertEquals(
        ErrorCode.NOT_FOUND,
        trust.failure(
            TrustAction.BLOCK,
            TrustFixture.agentRequest("@" + newOwner() + ".nobody", blocking(a))));
  }

  @Test
  @DisplayName(
      "when sessions cannot be left, BLOCK is unavailable but the block holds; a retry completes it")
  void sessionFailure() {
    String a = "@" + newOwner() + ".a";
    String b = "@" + newOwner() + ".b";
    trust.createAgent(a, "open");
    trust.createAgent(b, "open");
    trust.sessions.failing.set(true);

    assertEquals(
        ErrorCode.UNAVAILABLE,
        trust.failure(TrustAction.BLOCK, TrustFixture.agentRequest(a, blocking(b))));
    assertEquals(1, blockRows(a, b));
    assertEquals(List.of(), trust.reachable(b, a));

    trust.sessions.failing.set(false);
    assertEquals(
        new JsonArray().add("sess_X"),
        trust.onAgent(TrustAction.BLOCK, a, blocking(b)).getJsonArray(BusFields.FORCE_LEFT));
    assertEquals(1, blockRows(a, b));
  }

  @Test
  @DisplayName("unblocking restores contact and is idempotent")
  void unblock() {
    String a = "@" + newOwner() + ".a";
    String b = "@" + newOwner() + ".b";
    trust.createAgent(a, "open");
    trust.createAgent(b, "open");
    trust.onAgent(TrustAction.BLOCK, b, blocking(a));
    assertEquals(List.of(), trust.reachable(a, b));

    JsonObject ok = new JsonObject().put(Fields.OK, true);
    assertEquals(ok, trust.onAgent(TrustAction.UNBLOCK, b, blocking(a)));
    assertEquals(ok, trust.onAgent(TrustAction.UNBLOCK, b, blocking(a)));
    assertEquals(0, blockRows(b, a));
    assertEquals(List.of(b), trust.reachable(a, b));
  }
}
