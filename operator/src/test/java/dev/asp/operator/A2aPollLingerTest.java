package dev.asp.operator;

import static dev.asp.operator.HubNodes.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.operator.HubNodes.Node;
import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code ASP_A2A_POLL_LINGER_MS}: a long-poll looks at its view only this long after it arrives, so
 * what a busy session commits meanwhile comes in one answer rather than one poll per event. Set to
 * its largest value here so the three sends below fall well inside it.
 */
@DisplayName("A2A long-poll linger: a busy stream is answered in batches")
class A2aPollLingerTest {
  private static final long LINGER_MS = 1000;
  private static OperatorHarness operator;
  private static RawHttp http;

  @BeforeAll
  static void start() {
    operator =
        OperatorHarness.start(
            TestDatabase.fresh(),
            Map.of(
                "ASP_A2A_POLL_LINGER_MS",
                Long.toString(LINGER_MS),
                "ASP_A2A_POLL_MAX_WAIT_MS",
                "10000"));
    http = new RawHttp(operator.vertx, "127.0.0.1", operator.port());
  }

  @AfterAll
  static void stop() {
    http.close();
    operator.close();
  }

  @Test
  @DisplayName(
      "messages committed while a waiting poll lingers come in its one answer, in order, not"
          + " before the linger; a poll without timeout_ms does not linger")
  void lingeringPollGathersABatch() {
    Node a = HubNodes.hello(http);
    Node b = HubNodes.hello(http);
    String session = HubNodes.createSession(http, a, b);
    HubNodes.join(http, b, session);
    // everything so far, acknowledged by the next poll (no timeout_ms: at once)
    ok(HubNodes.poll(http, b, HubNodes.flatPoll(b, null, null, null)).await());

    long started = System.nanoTime();
    Future<RawHttp.Response> waiting =
        HubNodes.poll(http, b, HubNodes.flatPoll(b, 10_000L, null, null));
    for (int i = 0; i < 3; i++) {
      HubNodes.send(http, a, session, "m" + i).await();
    }
    List<JsonObject> events = HubNodes.events(ok(waiting.await()));
    // a lower bound only (a slow machine makes it longer, never shorter): the first message was
    // committed long before, and without the linger it would have been answered at once
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertTrue(tookMs >= LINGER_MS, "answered after " + tookMs + " ms");
    List<String> messages =
        events.stream()
            .filter(e -> "session_message".equals(e.getString("type")))
            .map(e -> e.getJsonObject("payload").encode())
            .toList();
    assertEquals(3, messages.size(), events.toString());
    for (int i = 0; i < 3; i++) {
      assertTrue(messages.get(i).contains("\"m" + i + "\""), messages.toString());
    }
  }
}
