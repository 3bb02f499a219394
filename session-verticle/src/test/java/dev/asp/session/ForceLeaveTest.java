package dev.asp.session;

import static dev.asp.session.SessionFixture.in;
import static dev.asp.session.SessionFixture.types;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.SessionAction;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Force-leaving a blocked agent")
class ForceLeaveTest {
  private static SessionFixture fx;

  @BeforeAll
  static void start() {
    fx = SessionFixture.start();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static Set<Object> forceLeave(String blocker, String blocked) {
    JsonArray sessions =
        fx.call(
                SessionAction.FORCE_LEAVE,
                new JsonObject().put(BusFields.BLOCKER, blocker).put(BusFields.BLOCKED, blocked))
            .getJsonArray(BusFields.SESSIONS);
    return sessions.stream().collect(Collectors.toSet());
  }

  private static List<String> loggedTypes(String id) {
    return fx.log(id).stream().map(row -> row.getString("type")).toList();
  }

  @Test
  @DisplayName("the blocked agent leaves every shared session with an ordinary session.left")
  void forceLeave() {
    List<String> agents = fx.friends("alice", "bob", "carol");
    String alice = agents.get(0); // the blocker
    String bob = agents.get(1); // the blocked
    String carol = agents.get(2);

    String bothJoined = fx.createJoined(alice, bob, carol);
    String bobInvited = fx.create(alice, bob);
    String bobsOnly = fx.create(bob, alice); // alice only invited: bob leaving ends it
    String aliceLeft = fx.createJoined(carol, alice, bob);
    fx.call(SessionAction.LEAVE, in(alice, aliceLeft));
    String ended = fx.createJoined(alice, bob);
    fx.call(SessionAction.END, in(alice, ended));
    String unrelated = fx.createJoined(carol, bob);

    assertEquals(Set.of(bothJoined, bobInvited, bobsOnly, ended), forceLeave(alice, bob));

    for (String id : List.of(bothJoined, bobInvited, bobsOnly, ended)) {
      assertEquals("left", fx.status(id, bob), id);
    }
    JsonObject left = fx.announced(bothJoined, 5).get(4);
    assertEquals("session.left", left.getString(Fields.TYPE));
    assertEquals(
        new JsonObject().put(Fields.AGENT, bob).put(Fields.REASON, Fields.REASON_LEFT),
        left.getJsonObject(Fields.PAYLOAD));
    assertEquals("active", fx.state(bothJoined));
    assertEquals(List.of("session.invited", "session.left"), loggedTypes(bobInvited));
    assertEquals(
        List.of("session.invited", "session.left", "session.ended"),
        types(fx.announced(bobsOnly, 3)));
    assertEquals("ended", fx.state(bobsOnly));
    assertEquals("session.left", loggedTypes(ended).get(loggedTypes(ended).size() - 1));
    assertEquals("ended", fx.state(ended));
    assertEquals("joined", fx.status(aliceLeft, bob));
    assertEquals("joined", fx.status(unrelated, bob));
    assertEquals(
        ErrorCode.FORBIDDEN,
        fx.failure(SessionAction.SEND, in(bob, bothJoined).put(Fields.CONTENT, "x")).code());
  }

  @Test
  @DisplayName("is idempotent: a second call changes nothing")
  void idempotent() {
    List<String> agents = fx.friends("alice", "bob");
    String id = fx.createJoined(agents.get(0), agents.get(1));
    assertEquals(Set.of(id), forceLeave(agents.get(0), agents.get(1)));
    int events = fx.log(id).size();
    assertEquals(Set.of(), forceLeave(agents.get(0), agents.get(1)));
    assertEquals(events, fx.log(id).size());
  }
}
