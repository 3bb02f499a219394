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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Start-up seed: the reference operator's shape, idempotent, all or nothing")
class SeedTest {
  private static TrustFixture trust;

  @BeforeAll
  static void start() {
    trust = TrustFixture.start();
  }

  @AfterAll
  static void stop() {
    trust.close();
  }

  private static JsonObject seed(JsonObject agents) {
    return trust.call(TrustAction.SEED, new JsonObject().put(BusFields.AGENTS, agents));
  }

  private static ErrorCode seedFailure(JsonObject agents) {
    return trust.failure(TrustAction.SEED, new JsonObject().put(BusFields.AGENTS, agents));
  }

  private static JsonObject view(String handle) {
    return trust.onAgent(TrustAction.GET_AGENT, handle, new JsonObject());
  }

  @Test
  @DisplayName("seeding creates owners, agents and tokens; seeding again changes nothing")
  void seedIsIdempotent() {
    String owner = newOwner();
    String alice = "@" + owner + ".alice";
    String bob = "@" + owner + ".bob";
    String aliceToken = "tok_alice_" + owner;
    String bobToken = "tok_bob_" + owner;
    JsonObject agents =
        new JsonObject()
            .put(alice, aliceToken)
            .put(
                bob,
                new JsonObject()
                    .put(BusFields.TOKEN, bobToken)
                    .put(BusFields.INBOUND_POLICY, "open")
                    .put(BusFields.ALLOWLIST, new JsonArray().add("@acme.*").add(alice)));

    assertEquals(new JsonObject().put(BusFields.AGENTS, 2), seed(agents));
    String afterFirst = trust.dumpTables();
    assertEquals(new JsonObject().put(BusFields.AGENTS, 2), seed(agents));

    assertEquals(afterFirst, trust.dumpTables());
    assertEquals(alice, trust.authenticate(aliceToken).getString(Fields.HANDLE));
    assertEquals(bob, trust.authenticate(bobToken).getString(Fields.HANDLE));
    assertEquals("allowlist", view(alice).getString(BusFields.INBOUND_POLICY));
    assertEquals(new JsonArray(), view(alice).getJsonArray(BusFields.ALLOWLIST));
    assertEquals("open", view(bob).getString(BusFields.INBOUND_POLICY));
    assertEquals(
        new JsonArray(List.of("@acme.*", alice)), view(bob).getJsonArray(BusFields.ALLOWLIST));
    assertEquals(1, trust.count("SELECT count(*) FROM owners WHERE name = $1", owner));
  }

  @Test
  @DisplayName("an explicit allowlist or policy in the seed replaces the stored one")
  void seedReplacesExplicitSettings() {
    String bob = "@" + newOwner() + ".bob";
    String token = "tok_" + bob;
    seed(
        new JsonObject()
            .put(
                bob,
                new JsonObject()
                    .put(BusFields.TOKEN, token)
                    .put(BusFields.ALLOWLIST, new JsonArray().add("@x.a").add("@x.b"))));
    seed(
        new JsonObject()
            .put(
                bob,
                new JsonObject()
                    .put(BusFields.TOKEN, token)
                    .put(BusFields.INBOUND_POLICY, "open")
                    .put(BusFields.ALLOWLIST, new JsonArray().add("@x.b").add("@y.*"))));
    assertEquals(
        new JsonArray(List.of("@x.b", "@y.*")), view(bob).getJsonArray(BusFields.ALLOWLIST));
    assertEquals("open", view(bob).getString(BusFields.INBOUND_POLICY));

    seed(new JsonObject().put(bob, token));
    assertEquals("open", view(bob).getString(BusFields.INBOUND_POLICY));
    assertEquals(2, view(bob).getJsonArray(BusFields.ALLOWLIST).size());
  }

  @Test
  @DisplayName("a seed with one bad entry is rejected whole: nothing is written")
  void badSeedWritesNothing() {
    String owner = newOwner();
    String before = trust.dumpTables();
    JsonObject agents =
        new JsonObject()
            .put("@" + owner + ".good", "tok_good_" + owner)
            .put(
                "@" + owner + ".bad",
                new JsonObject()
                    .put(BusFields.TOKEN, "tok_bad_" + owner)
                    .put(BusFields.ALLOWLIST, new JsonArray().add("acme")));
    assertEquals(ErrorCode.INVALID_REQUEST, seedFailure(agents));
    assertEquals(
        ErrorCode.INVALID_REQUEST, seedFailure(new JsonObject().put("not-a-handle", "tok_x")));
    assertEquals(before, trust.dumpTables());
  }

  @Test
  @DisplayName("a seed token that already belongs to another agent is refused, nothing written")
  void tokenOfAnotherAgent() {
    String owner = newOwner();
    String taken = trust.createAgent("@" + owner + ".first").getString(BusFields.TOKEN);
    String before = trust.dumpTables();
    JsonObject agents =
        new JsonObject()
            .put("@" + owner + ".new", "tok_new_" + owner)
            .put("@" + owner + ".second", taken);
    assertEquals(ErrorCode.INVALID_REQUEST, seedFailure(agents));
    assertEquals(before, trust.dumpTables());
  }

  @Test
  @DisplayName("re-seeding does not bring back a token revoked by rotation")
  void revokedSeedTokenStaysRevoked() {
    String alice = "@" + newOwner() + ".alice";
    String token = "tok_" + alice;
    seed(new JsonObject().put(alice, token));
    trust.onAgent(TrustAction.ROTATE_TOKENS, alice, new JsonObject());
    seed(new JsonObject().put(alice, token));
    assertEquals(
        ErrorCode.UNAUTHENTICATED,
        trust.failure(TrustAction.AUTHENTICATE, new JsonObject().put(BusFields.TOKEN, token)));
  }
}
