package dev.asp.session;

import static dev.asp.session.SessionFixture.eventually;
import static dev.asp.session.SessionFixture.in;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.SessionAction;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Grace expiry: an agent that does not come back in time")
class GraceExpiryTest {
  private static SessionFixture fx;

  @BeforeAll
  static void start() {
    fx = SessionFixture.start(300, 50);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static JsonObject grace(String agent) {
    return new JsonObject()
        .put(Fields.AGENT, agent)
        .put(Fields.REASON, Fields.REASON_GRACE_EXPIRED);
  }

  private static Row last(String id) {
    List<Row> log = fx.log(id);
    return log.get(log.size() - 1);
  }

  @Test
  @DisplayName(
      "leaves every active session where it is joined with reason grace_expired, ending those"
          + " where it was the last one joined")
  void expires() {
    List<String> agents = fx.friends("alice", "bob", "carol");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String carol = agents.get(2);
    String shared = fx.createJoined(alice, bob);
    String lastJoined = fx.create(alice, bob);
    String ended = fx.createJoined(alice, carol);
    fx.call(SessionAction.END, in(alice, ended));
    String unrelated = fx.createJoined(carol, bob);
    int endedEvents = fx.log(ended).size();

    fx.online(alice, "n1");
    assertEquals(Set.of(shared, lastJoined), fx.offline(alice, "n1"));
    eventually(
        "alice's grace expired",
        () -> fx.count("SELECT count(*) FROM grace WHERE agent = $1", alice) == 0);

    assertEquals("left", fx.status(shared, alice));
    assertEquals("active", fx.state(shared));
    Row left = last(shared);
    assertEquals("session.left", left.getString("type"));
    assertEquals(grace(alice), left.getJsonObject("payload"));
    assertEquals(
        left.getLong("sequence"),
        fx.rows(
                "SELECT left_sequence FROM participants WHERE session_id = $1 AND handle = $2",
                shared,
                alice)
            .get(0)
            .getLong(0));
    JsonObject announced =
        fx.announced(shared, fx.log(shared).size()).get(fx.log(shared).size() - 1);
    assertEquals(grace(alice), announced.getJsonObject(Fields.PAYLOAD));

    assertEquals(
        List.of("session.invited", "session.disconnected", "session.left", "session.ended"),
        fx.loggedTypes(lastJoined));
    assertEquals(new JsonObject(), last(lastJoined).getJsonObject("payload"));
    assertEquals("ended", fx.state(lastJoined));

    assertEquals("joined", fx.status(ended, alice));
    assertEquals(endedEvents, fx.log(ended).size());
    assertEquals("joined", fx.status(unrelated, carol));
  }
}
