package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.client.AspAdminClient;
import dev.asp.client.AspClient;
import dev.asp.client.AspClientException;
import dev.asp.client.NewSession;
import dev.asp.protocol.Event;
import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Spec §1, §2 and §8 through the real gateway: tokens, symmetric trust, blocks, the admin API. */
@DisplayName("Identity and trust, end to end")
class TrustEndToEndTest {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static OperatorHarness operator;

  @BeforeAll
  static void start() {
    operator = OperatorHarness.start(TestDatabase.fresh());
  }

  @AfterAll
  static void stop() {
    operator.close();
  }

  private record Agent(String handle, AspClient client) {}

  /** A fresh agent under a fresh owner (or the given owner) with the given policy. */
  private static Agent agent(String owner, String policy, String... allowlist) {
    String handle = "@" + owner + ".a" + COUNTER.incrementAndGet();
    return new Agent(handle, operator.agent(handle, policy, allowlist));
  }

  private static String owner() {
    return "own" + COUNTER.incrementAndGet();
  }

  private static AspClientException failure(Supplier<Future<?>> call) {
    return assertThrows(AspClientException.class, () -> call.get().await());
  }

  private static void assertNotFound(Supplier<Future<?>> call) {
    AspClientException e = failure(call);
    assertEquals(404, e.status());
    assertEquals("not_found", e.code());
  }

  private static boolean canCreateWith(Agent from, Agent to) {
    try {
      from.client().createSession(NewSession.inviting(to.handle())).await();
      return true;
    } catch (AspClientException e) {
      assertEquals(404, e.status(), "trust denials are 404, never 403");
      return false;
    }
  }

  @Test
  @DisplayName("new agents are closed: an empty allowlist admits nobody, in either direction")
  void closedByDefault() {
    Agent a = agent(owner(), null);
    Agent b = agent(owner(), "open");
    assertFalse(canCreateWith(a, b));
    assertFalse(canCreateWith(b, a));
    assertEquals(
        "allowlist", operator.admin.getAgent(a.handle()).await().getString("inbound_policy"));
  }

  @Test
  @DisplayName("an allowlist gates both directions; two allowlist agents need each other listed")
  void symmetric() {
    String o1 = owner();
    String o2 = owner();
    Agent a = agent(o1, "allowlist");
    Agent b = agent(o2, "allowlist", a.handle());
    assertFalse(canCreateWith(a, b), "a does not list b");
    assertFalse(canCreateWith(b, a), "b lists a, but a's list gates b too");
    operator.admin.allow(a.handle(), b.handle()).await();
    assertTrue(canCreateWith(a, b));
    assertTrue(canCreateWith(b, a));
  }

  @Test
  @DisplayName("for a mixed pair the allowlist side decides; open/open always talk")
  void mixed() {
    Agent open = agent(owner(), "open");
    Agent listing = agent(owner(), "allowlist");
    assertFalse(canCreateWith(open, listing));
    assertFalse(canCreateWith(listing, open));
    operator.admin.allow(listing.handle(), open.handle()).await();
    assertTrue(canCreateWith(open, listing));
    assertTrue(canCreateWith(listing, open));
    assertTrue(canCreateWith(agent(owner(), "open"), agent(owner(), "open")));
  }

  @Test
  @DisplayName("an owner glob admits every agent of that owner and no other")
  void ownerGlob() {
    String acme = owner();
    Agent support = agent(acme, "open");
    Agent sales = agent(acme, "open");
    Agent gate = agent(owner(), "allowlist", "@" + acme + ".*");
    assertTrue(canCreateWith(support, gate));
    assertTrue(canCreateWith(gate, sales));
    assertFalse(canCreateWith(agent(acme + "x", "open"), gate), "a prefix is not the owner");
  }

  @Test
  @DisplayName(
      "create is all-or-nothing: one unknown or denied invitee is a 404 and nothing exists")
  void allOrNothing() {
    Agent a = agent(owner(), "open");
    Agent b = agent(owner(), "open");
    Agent closed = agent(owner(), "allowlist");
    assertNotFound(() -> a.client().createSession(NewSession.inviting(b.handle(), "@ghost.none")));
    assertNotFound(
        () -> a.client().createSession(NewSession.inviting(b.handle(), closed.handle())));
    AspClientException unknown =
        failure(() -> a.client().createSession(NewSession.inviting("@ghost.none")));
    AspClientException denied =
        failure(() -> a.client().createSession(NewSession.inviting(closed.handle())));
    assertEquals(unknown.getMessage(), denied.getMessage(), "indistinguishable on the wire");
    assertEquals(
        0, operator.count("SELECT count(*) FROM sessions WHERE created_by = $1", a.handle()));
  }

  @Test
  @DisplayName("invite silently omits unknown and denied handles")
  void inviteOmits() {
    Agent a = agent(owner(), "open");
    Agent b = agent(owner(), "open");
    Agent closed = agent(owner(), "allowlist");
    String id = a.client().createSession(NewSession.inviting()).await().sessionId();
    assertEquals(
        List.of(b.handle()),
        a.client().invite(id, closed.handle(), b.handle(), "@ghost.none").await());
  }

  @Test
  @DisplayName(
      "a block force-leaves the blocked agent, who then sees nothing more and cannot come back")
  void block() {
    String o = owner();
    Agent a = agent(o, "open");
    Agent b = agent(owner(), "open");
    Agent c = agent(owner(), "open");
    String id =
        a.client().createSession(NewSession.inviting(b.handle(), c.handle())).await().sessionId();
    b.client().join(id).await();
    c.client().join(id).await();
    b.client().send(id, "before the block").await();

    List<String> forceLeft = operator.admin.block(a.handle(), b.handle()).await();
    assertEquals(List.of(id), forceLeft);
    a.client().send(id, "after the block").await();

    List<Event> cSees = c.client().events(id, null, 1000).await().events();
    Event left =
        cSees.stream()
            .filter(e -> e.type().equals(EventType.LEFT.wire()))
            .findFirst()
            .orElseThrow();
    assertEquals(b.handle(), left.payload().getString(Fields.AGENT), "others see an ordinary left");
    List<Event> bSees = b.client().events(id, null, 1000).await().events();
    assertEquals(
        EventType.LEFT.wire(), bSees.get(bSees.size() - 1).type(), "nothing after its left");
    assertTrue(
        bSees.stream()
            .anyMatch(e -> "before the block".equals(e.payload().getValue(Fields.CONTENT))),
        "delivered transcript is not retracted");
    assertEquals(403, failure(() -> b.client().send(id, "let me in")).status());

    assertFalse(canCreateWith(a, b));
    assertFalse(canCreateWith(b, a));
    assertTrue(a.client().invite(id, b.handle()).await().isEmpty());
    assertTrue(
        c.client().invite(id, b.handle()).await().isEmpty(),
        "a third party cannot bring the blocked agent back to its blocker");
    assertNotFound(() -> c.client().createSession(NewSession.inviting(a.handle(), b.handle())));

    operator.admin.unblock(a.handle(), b.handle()).await();
    assertTrue(canCreateWith(a, b));
  }

  @Test
  @DisplayName("removing an allowlist entry refuses future contact but leaves sessions untouched")
  void removeEntry() {
    Agent a = agent(owner(), "allowlist");
    Agent b = agent(owner(), "allowlist", a.handle());
    operator.admin.allow(a.handle(), b.handle()).await();
    String id = a.client().createSession(NewSession.inviting(b.handle())).await().sessionId();
    b.client().join(id).await();
    operator.admin.disallow(a.handle(), b.handle()).await();
    assertFalse(canCreateWith(a, b));
    b.client().send(id, "still here").await();
    assertEquals("joined", a.client().getSession(id).await().statusOf(b.handle()));
  }

  @Test
  @DisplayName("reopen re-invites only those the current trust still admits")
  void reopenRechecksTrust() {
    Agent a = agent(owner(), "open");
    Agent b = agent(owner(), "allowlist");
    operator.admin.allow(b.handle(), a.handle()).await();
    String id = a.client().createSession(NewSession.inviting(b.handle())).await().sessionId();
    b.client().join(id).await();
    a.client().end(id).await();
    operator.admin.disallow(b.handle(), a.handle()).await();
    a.client().reopen(id, null, null).await();
    String status = a.client().getSession(id).await().statusOf(b.handle());
    assertFalse(
        "invited".equals(status) || "joined".equals(status), "b is not re-invited: " + status);
    assertEquals(403, failure(() -> b.client().send(id, "hi")).status());
  }

  @Test
  @DisplayName("tokens: missing or wrong is 401; rotation and revocation take effect at once")
  void tokens() {
    String handle = "@" + owner() + ".tok";
    var credentials = operator.admin.createAgent(handle, "open", null).await();
    AspClient first = operator.client(credentials.token());
    first.createSession(NewSession.inviting()).await();
    var second = operator.admin.issueToken(handle).await();
    operator.client(second.token()).createSession(NewSession.inviting()).await();
    first.createSession(NewSession.inviting()).await();

    var rotated = operator.admin.rotateTokens(handle).await();
    assertEquals(401, failure(() -> first.createSession(NewSession.inviting())).status());
    assertEquals(
        401,
        failure(() -> operator.client(second.token()).createSession(NewSession.inviting()))
            .status());
    AspClient current = operator.client(rotated.token());
    current.createSession(NewSession.inviting()).await();
    operator.admin.revokeToken(handle, rotated.tokenId()).await();
    assertEquals(401, failure(() -> current.createSession(NewSession.inviting())).status());
    assertEquals(
        401, failure(() -> operator.client(null).createSession(NewSession.inviting())).status());
  }

  @Test
  @DisplayName("owners manage only their own agents; agents cannot manage trust at all")
  void ownerScope() {
    String acme = owner();
    var ownerCredentials = operator.admin.createOwner(acme).await();
    AspAdminClient acmeAdmin =
        AspAdminClient.create(operator.vertx, operator.url, ownerCredentials.token());
    var bot = acmeAdmin.createAgent("@" + acme + ".bot", null, null).await();
    JsonObject view = acmeAdmin.setPolicy(bot.subject(), "open").await();
    assertEquals("open", view.getString("inbound_policy"));
    assertEquals(1, acmeAdmin.listAgents().await().size());

    Agent foreign = agent(owner(), "open");
    assertEquals(404, failure(() -> acmeAdmin.getAgent(foreign.handle())).status());
    assertEquals(404, failure(() -> acmeAdmin.setPolicy(foreign.handle(), "allowlist")).status());
    assertEquals(
        403, failure(() -> acmeAdmin.createAgent("@" + owner() + ".x", null, null)).status());
    assertEquals(403, failure(() -> acmeAdmin.createOwner(owner())).status());

    AspAdminClient asAgent = AspAdminClient.create(operator.vertx, operator.url, bot.token());
    assertEquals(401, failure(() -> asAgent.setPolicy(bot.subject(), "allowlist")).status());
    assertEquals(401, failure(() -> asAgent.allow(bot.subject(), "@x.*")).status());
    AspAdminClient nobody = AspAdminClient.create(operator.vertx, operator.url, "wrong");
    assertEquals(401, failure(() -> nobody.listAgents()).status());
  }

  @Test
  @DisplayName("a deleted agent's tokens stop working and its handle becomes unknown")
  void deleteAgent() {
    Agent a = agent(owner(), "open");
    Agent b = agent(owner(), "open");
    operator.admin.deleteAgent(b.handle()).await();
    assertEquals(401, failure(() -> b.client().createSession(NewSession.inviting())).status());
    assertNotFound(() -> a.client().createSession(NewSession.inviting(b.handle())));
    assertEquals(404, failure(() -> operator.admin.getAgent(b.handle())).status());
    assertEquals(409, failure(() -> operator.admin.createAgent(b.handle(), null, null)).status());
  }
}
