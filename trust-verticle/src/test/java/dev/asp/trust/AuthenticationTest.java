package dev.asp.trust;

import static dev.asp.trust.TrustFixture.admin;
import static dev.asp.trust.TrustFixture.newOwner;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.TrustAction;
import dev.asp.trust.impl.Tokens;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Authentication: a token alone identifies an agent or an owner")
class AuthenticationTest {
  private static TrustFixture trust;

  @BeforeAll
  static void start() {
    trust = TrustFixture.start();
  }

  @AfterAll
  static void stop() {
    trust.close();
  }

  private static JsonObject tokenRequest(String token) {
    return new JsonObject().put(BusFields.TOKEN, token);
  }

  private static JsonObject createOwner(String owner) {
    return trust.call(
        TrustAction.CREATE_OWNER,
        new JsonObject().put(BusFields.PRINCIPAL, admin()).put(BusFields.OWNER, owner));
  }

  @Test
  @DisplayName("an issued agent token authenticates as its agent")
  void agentTokenAuthenticates() {
    String handle = "@" + newOwner() + ".bot";
    String token = trust.createAgent(handle).getString(BusFields.TOKEN);
    assertEquals(handle, trust.authenticate(token).getString(Fields.HANDLE));
  }

  @Test
  @DisplayName("an unknown, empty or missing token is unauthenticated")
  void unknownTokenIsRejected() {
    assertEquals(
        ErrorCode.UNAUTHENTICATED,
        trust.failure(TrustAction.AUTHENTICATE, tokenRequest(Tokens.newAgentToken().token())));
    assertEquals(
        ErrorCode.UNAUTHENTICATED, trust.failure(TrustAction.AUTHENTICATE, tokenRequest("")));
    assertEquals(
        ErrorCode.UNAUTHENTICATED, trust.failure(TrustAction.AUTHENTICATE, new JsonObject()));
  }

  @Test
  @DisplayName("a revoked token no longer authenticates, the agent's other tokens still do")
  void revokedTokenIsRejected() {
    String handle = "@" + newOwner() + ".bot";
    JsonObject created = trust.createAgent(handle);
    JsonObject second = trust.onAgent(TrustAction.ISSUE_TOKEN, handle, new JsonObject());
    trust.onAgent(
        TrustAction.REVOKE_TOKEN,
        handle,
        new JsonObject().put(BusFields.TOKEN_ID, created.getString(BusFields.TOKEN_ID)));

    assertEquals(
        ErrorCode.UNAUTHENTICATED,
        trust.failure(TrustAction.AUTHENTICATE, tokenRequest(created.getString(BusFields.TOKEN))));
    assertEquals(
        handle, trust.authenticate(second.getString(BusFields.TOKEN)).getString(Fields.HANDLE));
  }

  @Test
  @DisplayName("a deleted agent's tokens no longer authenticate")
  void deletedAgentIsRejected() {
    String handle = "@" + newOwner() + ".bot";
    String token = trust.createAgent(handle).getString(BusFields.TOKEN);
    trust.onAgent(TrustAction.DELETE_AGENT, handle, new JsonObject());
    assertEquals(
        ErrorCode.UNAUTHENTICATED, trust.failure(TrustAction.AUTHENTICATE, tokenRequest(token)));
  }

  @Test
  @DisplayName("only SHA-256 hashes of tokens are stored, never the tokens themselves")
  void tokensAreStoredHashed() {
    String owner = newOwner();
    String ownerToken = createOwner(owner).getString(BusFields.TOKEN);
    String handle = "@" + owner + ".bot";
    String agentToken = trust.createAgent(handle).getString(BusFields.TOKEN);

    String dump = trust.dumpTables();
    assertFalse(dump.contains(agentToken));
    assertFalse(dump.contains(ownerToken));
    assertEquals(
        1,
        trust.count(
            "SELECT count(*) FROM agent_tokens WHERE handle = $1 AND token_hash = $2",
            handle,
            Tokens.hash(agentToken)));
    assertEquals(
        1,
        trust.count(
            "SELECT count(*) FROM owner_tokens WHERE owner = $1 AND token_hash = $2",
            owner,
            Tokens.hash(ownerToken)));
  }

  @Test
  @DisplayName("the configured admin token authenticates as the admin")
  void adminToken() {
    JsonObject principal =
        trust.call(TrustAction.AUTHENTICATE_ADMIN, tokenRequest(TrustFixture.ADMIN_TOKEN));
    assertEquals(admin(), principal);
  }

  @Test
  @DisplayName("an owner token authenticates as that owner")
  void ownerToken() {
    String owner = newOwner();
    String token = createOwner(owner).getString(BusFields.TOKEN);
    assertEquals(
        TrustFixture.ownerPrincipal(owner),
        trust.call(TrustAction.AUTHENTICATE_ADMIN, tokenRequest(token)));
  }

  @Test
  @DisplayName("agent tokens and unknown tokens are not admin credentials")
  void agentTokenIsNotAdmin() {
    String token = trust.createAgent("@" + newOwner() + ".bot").getString(BusFields.TOKEN);
    assertEquals(
        ErrorCode.UNAUTHENTICATED,
        trust.failure(TrustAction.AUTHENTICATE_ADMIN, tokenRequest(token)));
    assertEquals(
        ErrorCode.UNAUTHENTICATED,
        trust.failure(
            TrustAction.AUTHENTICATE_ADMIN, tokenRequest(TrustFixture.ADMIN_TOKEN + "x")));
  }

  @Test
  @DisplayName("owner tokens are not agent credentials")
  void ownerTokenIsNotAgent() {
    String token = createOwner(newOwner()).getString(BusFields.TOKEN);
    assertEquals(
        ErrorCode.UNAUTHENTICATED, trust.failure(TrustAction.AUTHENTICATE, tokenRequest(token)));
  }

  @Test
  @DisplayName("rotating an owner token replaces the owner's credentials")
  void ownerTokenRotation() {
    String owner = newOwner();
    String old = createOwner(owner).getString(BusFields.TOKEN);
    String rotated =
        trust
            .call(
                TrustAction.ROTATE_OWNER_TOKEN,
                new JsonObject()
                    .put(BusFields.PRINCIPAL, TrustFixture.ownerPrincipal(owner))
                    .put(BusFields.OWNER, owner))
            .getString(BusFields.TOKEN);
    assertEquals(
        ErrorCode.UNAUTHENTICATED,
        trust.failure(TrustAction.AUTHENTICATE_ADMIN, tokenRequest(old)));
    assertEquals(
        TrustFixture.ownerPrincipal(owner),
        trust.call(TrustAction.AUTHENTICATE_ADMIN, tokenRequest(rotated)));
  }
}
