package dev.asp.session;

import static dev.asp.session.SessionFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asp.protocol.Fields;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Grace deadlines are durable and swept once")
class GraceDurabilityTest {
  private static SessionFixture fx;

  @BeforeAll
  static void start() {
    fx = SessionFixture.start(800, 20);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static boolean deadlinePassed(String agent) {
    return fx.count(
            "SELECT count(*) FROM grace WHERE agent = $1"
                + " AND deadline <= (extract(epoch FROM clock_timestamp()) * 1000)::bigint",
            agent)
        > 0;
  }

  private static long leftEvents(String id, String agent) {
    return fx.count(
        "SELECT count(*) FROM events WHERE session_id = $1 AND type = 'session.left'"
            + " AND subject = $2",
        id,
        agent);
  }

  @Test
  @DisplayName(
      "a restart keeps pending deadlines: one that passed meanwhile still fires, one cancelled"
          + " before never does")
  void survivesRestart() {
    List<String> agents = fx.friends("alice", "bob", "carol");
    String alice = agents.get(0);
    String carol = agents.get(2);
    String alices = fx.createJoined(alice, agents.get(1));
    String carols = fx.createJoined(carol, agents.get(1));
    fx.online(carol, "n1");
    fx.offline(carol, "n1");
    assertEquals(Set.of(carols), fx.online(carol, "n1"));
    fx.online(alice, "n1");
    assertEquals(Set.of(alices), fx.offline(alice, "n1"));

    fx.undeployAll();
    assertEquals("joined", fx.status(alices, alice));
    eventually("alice's deadline passed while nothing ran", () -> deadlinePassed(alice));
    fx.deployInstance();

    // alice went offline after carol came back, so carol's old deadline has passed by now too.
    eventually("alice's grace expired", () -> "left".equals(fx.status(alices, alice)));
    List<Row> log = fx.log(alices);
    assertEquals(
        Fields.REASON_GRACE_EXPIRED,
        log.get(log.size() - 1).getJsonObject("payload").getString(Fields.REASON));
    assertEquals("joined", fx.status(carols, carol));
    assertEquals(0, leftEvents(carols, carol));
  }

  @Test
  @DisplayName("several instances sweeping at once leave each session exactly once")
  void concurrentSweepers() {
    fx.deployInstance();
    fx.deployInstance();
    List<String> agents = fx.friends("alice", "bob", "carol", "dave");
    List<String> leaving = agents.subList(0, 3);
    String dave = agents.get(3);
    List<String> sessions = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      sessions.add(fx.createJoined(dave, leaving.toArray(String[]::new)));
    }
    // Ends when the last joined one expires: dave stays to keep them active.
    for (String agent : leaving) {
      fx.online(agent, "n1");
      assertEquals(Set.copyOf(sessions), fx.offline(agent, "n1"));
    }

    eventually(
        "every grace window expired",
        () ->
            fx.count(
                    "SELECT count(*) FROM grace WHERE agent = ANY($1)",
                    (Object) leaving.toArray(String[]::new))
                == 0);
    for (String id : sessions) {
      for (String agent : leaving) {
        assertEquals("left", fx.status(id, agent));
        assertEquals(1, leftEvents(id, agent), id + " " + agent);
      }
      assertEquals("active", fx.state(id));
    }
  }
}
