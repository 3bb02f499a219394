package dev.asp.trust;

import static dev.asp.trust.TrustFixture.admin;
import static dev.asp.trust.TrustFixture.agentRequest;
import static dev.asp.trust.TrustFixture.newOwner;
import static dev.asp.trust.TrustFixture.ownerPrincipal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.TrustAction;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Owner/admin operations (spec §8)")
class AdminOperationsTest {
  private static TrustFixture trust;

  @BeforeAll
  static void start() {
    trust = TrustFixture.start();
  }

  @AfterAll
  static void stop() {
    trust.close();
  }

  private static JsonObject as(JsonObject principal, String handle) {
    return new JsonObject().put(BusFields.PRINCIPAL, principal).put(Fields.HANDLE, handle);
  }

  private static JsonObject createOwner(JsonObject principal, String owner) {
    return new JsonObject().put(BusFields.PRINCIPAL, principal).put(BusFields.OWNER, owner);
  }

  @Test
  @DisplayName("a new agent is closed, holds one token shown once, and its view has every field")
  void createdAgentView() {
    String owner = newOwner();
    String handle = "@" + owner + ".bot";
    JsonObject created = trust.createAgent(handle);

    assertTrue(created.getString(BusFields.TOKEN).startsWith("tok_"));
    assertTrue(created.getString(BusFields.TOKEN_ID).matches("^tkn_[0-9A-Za-z_]+$"));
    assertEquals(handle, created.getString(Fields.HANDLE));
    assertEquals(owner, created.getString(BusFields.OWNER));
    assertEquals("allowlist", created.getString(BusFields.INBOUND_POLICY));
    assertEquals(new JsonArray(), created.getJsonArray(BusFields.ALLOWLIST));
    assertEquals(new JsonArray(), created.getJsonArray(BusFields.BLOCKS));
    JsonArray tokens = created.getJsonArray(BusFields.TOKENS);
    assertEquals(1, tokens.size());
    assertEquals(
        created.getString(BusFields.TOKEN_ID),
        tokens.getJsonObject(0).getString(BusFields.TOKEN_ID));
    assertEquals(
        Set.of(BusFields.TOKEN_ID, Fields.CREATED_AT), tokens.getJsonObject(0).fieldNames());
    assertTrue(created.getLong(Fields.CREATED_AT) > 0);

    JsonObject view = trust.call(TrustAction.GET_AGENT, as(admin(), handle));
    JsonObject expected = created.copy();
    expected.remove(BusFields.TOKEN);
    expected.remove(BusFields.TOKEN_ID);
    assertEquals(expected, view);
  }

  @Test
  @DisplayName("the admin creates the owner of a new agent implicitly")
  void implicitOwner() {
    String owner = newOwner();
    trust.createAgent("@" + owner + ".bot");
    assertEquals(1, trust.count("SELECT count(*) FROM owners WHERE name = $1", owner));
  }

  @Test
  @DisplayName("policy and allowlist given at creation are kept, the list sorted")
  void createWithPolicy() {
    String handle = "@" + newOwner() + ".bot";
    JsonObject created = trust.createAgent(handle, "open", "@zeta.x", "@acme.*", "@zeta.x");
    assertEquals("open", created.getString(BusFields.INBOUND_POLICY));
    assertEquals(
        new JsonArray(List.of("@acme.*", "@zeta.x")), created.getJsonArray(BusFields.ALLOWLIST));
  }

  @Test
  @DisplayName("duplicate owners and agents conflict, and a deleted agent's handle stays taken")
  void duplicatesConflict() {
    String owner = newOwner();
    trust.call(TrustAction.CREATE_OWNER, createOwner(admin(), owner));
    assertEquals(
        ErrorCode.CONFLICT, trust.failure(TrustAction.CREATE_OWNER, createOwner(admin(), owner)));

    String handle = "@" + owner + ".bot";
    trust.createAgent(handle);
    assertEquals(ErrorCode.CONFLICT, trust.failure(TrustAction.CREATE_AGENT, as(admin(), handle)));

    trust.call(TrustAction.DELETE_AGENT, as(admin(), handle));
    assertEquals(ErrorCode.NOT_FOUND, trust.failure(TrustAction.GET_AGENT, as(admin(), handle)));
    assertEquals(ErrorCode.CONFLICT, trust.failure(TrustAction.CREATE_AGENT, as(admin(), handle)));
  }

  @Test
  @DisplayName("an owner manages its own agents, and other owners' agents do not exist for it")
  void ownerScope() {
    String mine = newOwner();
    String theirs = newOwner();
    JsonObject me = ownerPrincipal(mine);
    String myAgent = "@" + mine + ".bot";
    String theirAgent = "@" + theirs + ".bot";
    trust.call(TrustAction.CREATE_OWNER, createOwner(admin(), mine));
    trust.createAgent(theirAgent);

    assertEquals(
        myAgent, trust.call(TrustAction.CREATE_AGENT, as(me, myAgent)).getString(Fields.HANDLE));
    assertEquals(
        myAgent, trust.call(TrustAction.GET_AGENT, as(me, myAgent)).getString(Fields.HANDLE));
    for (TrustAction action :
        List.of(
            TrustAction.GET_AGENT,
            TrustAction.DELETE_AGENT,
            TrustAction.ISSUE_TOKEN,
            TrustAction.ROTATE_TOKENS)) {
      assertEquals(ErrorCode.NOT_FOUND, trust.failure(action, as(me, theirAgent)), action.name());
    }
    assertEquals(
        ErrorCode.NOT_FOUND,
        trust.failure(
            TrustAction.SET_POLICY, as(me, theirAgent).put(BusFields.INBOUND_POLICY, "open")));
    assertEquals(
        ErrorCode.NOT_FOUND,
        trust.failure(TrustAction.BLOCK, as(me, theirAgent).put(BusFields.BLOCKED, myAgent)));
    assertEquals(
        ErrorCode.NOT_FOUND, trust.failure(TrustAction.GET_AGENT, as(me, "@" + mine + ".ghost")));
    assertEquals(
        ErrorCode.FORBIDDEN,
        trust.failure(TrustAction.CREATE_AGENT, as(me, "@" + theirs + ".intruder")));

    JsonArray listed =
        trust
            .call(TrustAction.LIST_AGENTS, new JsonObject().put(BusFields.PRINCIPAL, me))
            .getJsonArray(BusFields.AGENTS);
    assertEquals(1, listed.size());
    assertEquals(myAgent, listed.getJsonObject(0).getString(Fields.HANDLE));
    assertEquals(
        "allowlist",
        trust
            .call(TrustAction.GET_AGENT, as(admin(), theirAgent))
            .getString(BusFields.INBOUND_POLICY));
  }

  @Test
  @DisplayName("only the admin creates owners; an owner rotates only its own credentials")
  void ownerAdministration() {
    String mine = newOwner();
    String theirs = newOwner();
    trust.call(TrustAction.CREATE_OWNER, createOwner(admin(), mine));
    trust.call(TrustAction.CREATE_OWNER, createOwner(admin(), theirs));
    JsonObject me = ownerPrincipal(mine);

    assertEquals(
        ErrorCode.FORBIDDEN, trust.failure(TrustAction.CREATE_OWNER, createOwner(me, newOwner())));
    assertEquals(
        ErrorCode.FORBIDDEN,
        trust.failure(TrustAction.ROTATE_OWNER_TOKEN, createOwner(me, theirs)));
    assertEquals(
        mine,
        trust
            .call(TrustAction.ROTATE_OWNER_TOKEN, createOwner(me, mine))
            .getString(BusFields.OWNER));
    assertEquals(
        ErrorCode.NOT_FOUND,
        trust.failure(TrustAction.ROTATE_OWNER_TOKEN, createOwner(admin(), newOwner())));
  }

  @Test
  @DisplayName("the admin lists every live agent, sorted by handle")
  void adminListsAll() {
    String owner = newOwner();
    trust.createAgent("@" + owner + ".b");
    trust.createAgent("@" + owner + ".a");
    trust.createAgent("@" + owner + ".deleted");
    trust.call(TrustAction.DELETE_AGENT, as(admin(), "@" + owner + ".deleted"));
    List<String> handles =
        trust
            .call(TrustAction.LIST_AGENTS, new JsonObject().put(BusFields.PRINCIPAL, admin()))
            .getJsonArray(BusFields.AGENTS)
            .stream()
            .map(view -> ((JsonObject) view).getString(Fields.HANDLE))
            .filter(handle -> handle.startsWith("@" + owner + "."))
            .toList();
    assertEquals(List.of("@" + owner + ".a", "@" + owner + ".b"), handles);
  }

  @Test
  @DisplayName("invalid input is rejected with the matching code, and nothing is created")
  void validation() {
    String owner = newOwner();
    String handle = "@" + owner + ".bot";
    assertEquals(
        ErrorCode.INVALID_HANDLE, trust.failure(TrustAction.CREATE_AGENT, as(admin(), "bot")));
    assertEquals(
        ErrorCode.INVALID_REQUEST,
        trust.failure(
            TrustAction.CREATE_AGENT, as(admin(), handle).put(BusFields.INBOUND_POLICY, "closed")));
    assertEquals(
        ErrorCode.INVALID_REQUEST,
        trust.failure(
            TrustAction.CREATE_AGENT,
            as(admin(), handle).put(BusFields.ALLOWLIST, new JsonArray().add("@acme"))));
    assertEquals(
        ErrorCode.INVALID_REQUEST,
        trust.failure(TrustAction.CREATE_OWNER, createOwner(admin(), "Not Valid")));
    assertEquals(
        ErrorCode.UNAUTHENTICATED,
        trust.failure(TrustAction.CREATE_AGENT, new JsonObject().put(Fields.HANDLE, handle)));
    assertEquals(
        ErrorCode.UNAUTHENTICATED,
        trust.failure(
            TrustAction.GET_AGENT, as(new JsonObject().put(BusFields.ROLE, "agent"), handle)));
    assertEquals(0, trust.count("SELECT count(*) FROM agents WHERE owner = $1", owner));

    trust.createAgent(handle);
    assertEquals(
        ErrorCode.INVALID_REQUEST,
        trust.failure(
            TrustAction.ADD_ALLOWLIST_ENTRY, as(admin(), handle).put(BusFields.ENTRY, "*")));
    assertEquals(
        ErrorCode.INVALID_REQUEST,
        trust.failure(
            TrustAction.SET_POLICY, as(admin(), handle).put(BusFields.INBOUND_POLICY, "x")));
  }

  @Test
  @DisplayName("policy and allowlist changes are reflected in the agent view")
  void policyAndAllowlist() {
    String handle = "@" + newOwner() + ".bot";
    trust.createAgent(handle);
    JsonObject open =
        trust.onAgent(
            TrustAction.SET_POLICY, handle, new JsonObject().put(BusFields.INBOUND_POLICY, "open"));
    assertEquals("open", open.getString(BusFields.INBOUND_POLICY));
    trust.onAgent(
        TrustAction.ADD_ALLOWLIST_ENTRY, handle, new JsonObject().put(BusFields.ENTRY, "@b.*"));
    trust.onAgent(
        TrustAction.ADD_ALLOWLIST_ENTRY, handle, new JsonObject().put(BusFields.ENTRY, "@a.x"));
    JsonObject twice =
        trust.onAgent(
            TrustAction.ADD_ALLOWLIST_ENTRY, handle, new JsonObject().put(BusFields.ENTRY, "@a.x"));
    assertEquals(new JsonArray(List.of("@a.x", "@b.*")), twice.getJsonArray(BusFields.ALLOWLIST));
  }

  @Test
  @DisplayName("issuing adds a token, rotating revokes every older one, revoking needs a known id")
  void tokenLifecycle() {
    String handle = "@" + newOwner() + ".bot";
    String first = trust.createAgent(handle).getString(BusFields.TOKEN);
    JsonObject second = trust.onAgent(TrustAction.ISSUE_TOKEN, handle, new JsonObject());
    assertEquals(Set.of(BusFields.TOKEN_ID, BusFields.TOKEN), second.fieldNames());
    assertEquals(
        2,
        trust
            .call(TrustAction.GET_AGENT, as(admin(), handle))
            .getJsonArray(BusFields.TOKENS)
            .size());

    JsonObject rotated = trust.onAgent(TrustAction.ROTATE_TOKENS, handle, new JsonObject());
    for (String old : List.of(first, second.getString(BusFields.TOKEN))) {
      assertEquals(
          ErrorCode.UNAUTHENTICATED,
          trust.failure(TrustAction.AUTHENTICATE, new JsonObject().put(BusFields.TOKEN, old)));
    }
    assertEquals(
        handle, trust.authenticate(rotated.getString(BusFields.TOKEN)).getString(Fields.HANDLE));
    JsonArray active =
        trust.call(TrustAction.GET_AGENT, as(admin(), handle)).getJsonArray(BusFields.TOKENS);
    assertEquals(1, active.size());
    assertEquals(
        rotated.getString(BusFields.TOKEN_ID),
        active.getJsonObject(0).getString(BusFields.TOKEN_ID));

    String other = "@" + newOwner() + ".other";
    String othersTokenId = trust.createAgent(other).getString(BusFields.TOKEN_ID);
    assertEquals(
        ErrorCode.NOT_FOUND,
        trust.failure(
            TrustAction.REVOKE_TOKEN,
            agentRequest(handle, new JsonObject().put(BusFields.TOKEN_ID, othersTokenId))));
    assertEquals(
        ErrorCode.NOT_FOUND,
        trust.failure(
            TrustAction.REVOKE_TOKEN,
            agentRequest(handle, new JsonObject().put(BusFields.TOKEN_ID, "tkn_UNKNOWN"))));
  }

  @Test
  @DisplayName("a deleted agent is gone for every operation")
  void deletedAgentIsGone() {
    String handle = "@" + newOwner() + ".bot";
    trust.createAgent(handle);
    assertEquals(
        new JsonObject().put(Fields.OK, true),
        trust.call(TrustAction.DELETE_AGENT, as(admin(), handle)));
    assertEquals(
        0,
        trust.count(
            "SELECT count(*) FROM agent_tokens WHERE handle = $1 AND revoked_at IS NULL", handle));
    for (TrustAction action :
        List.of(TrustAction.DELETE_AGENT, TrustAction.ISSUE_TOKEN, TrustAction.ROTATE_TOKENS)) {
      assertEquals(ErrorCode.NOT_FOUND, trust.failure(action, as(admin(), handle)), action.name());
    }
  }
}
