package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.client.AspClient;
import dev.asp.client.NewSession;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A clean close (1000) confirms what the client read (issue 14 item 16): events it received before
 * it sent its close frame are not sent again when it reconnects, while messages keep arriving, and
 * nothing is lost on the way.
 */
@DisplayName("A client's clean close (1000) and reconnect")
class CleanCloseTest {
  private static final int CYCLES = 40;
  private static final int EVENTS_PER_CONNECTION = 20;
  private static final int SENDERS = 4;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName(
      "under a live stream, 40 closes with 1000: no event received before a close is repeated"
          + " after the reconnect, and every message arrives")
  void noRepeatsAfterACleanClose() throws Exception {
    try (OperatorHarness operator = OperatorHarness.start(TestDatabase.fresh())) {
      AspClient alice = operator.agent("@close.alice", "open");
      String bobToken = operator.admin.createAgent("@close.bob", "open", List.of()).await().token();
      AspClient bob = operator.client(bobToken);
      String session = alice.createSession(NewSession.inviting("@close.bob")).await().sessionId();
      bob.join(session).await();

      AtomicBoolean sending = new AtomicBoolean(true);
      Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
      List<Future<Void>> senders = new ArrayList<>();
      for (int i = 0; i < SENDERS; i++) {
        senders.add(sendWhile(alice, session, sending, acknowledged));
      }

      WebSocketClient client = operator.vertx.createWebSocketClient();
      Set<Long> readBeforeClose = new TreeSet<>();
      Set<Long> readAfterClose = new TreeSet<>();
      Map<Long, Integer> repeats = new ConcurrentHashMap<>();
      for (int cycle = 0; cycle <= CYCLES; cycle++) {
        boolean last = cycle == CYCLES;
        if (last) {
          sending.set(false);
          Future.all(senders).await();
        }
        List<Long> received = new CopyOnWriteArrayList<>();
        AtomicBoolean closing = new AtomicBoolean();
        List<Long> afterClose = new CopyOnWriteArrayList<>();
        WebSocket socket = connect(client, operator.port(), bobToken);
        socket.textMessageHandler(
            text -> {
              JsonObject event = new JsonObject(text);
              if (!"session.message".equals(event.getString("type"))) {
                return;
              }
              long sequence = event.getLong("sequence");
              (closing.get() ? afterClose : received).add(sequence);
            });
        if (last) {
          awaitAll(received, readBeforeClose, readAfterClose, acknowledged);
        } else {
          awaitCount(received, EVENTS_PER_CONNECTION);
        }
        closing.set(true);
        socket.close((short) 1000, "done for now").await();
        for (long sequence : received) {
          if (readBeforeClose.contains(sequence)) {
            repeats.merge(sequence, 1, Integer::sum);
          }
        }
        for (long sequence : afterClose) {
          if (readBeforeClose.contains(sequence)) {
            repeats.merge(sequence, 1, Integer::sum);
          }
        }
        readBeforeClose.addAll(received);
        readAfterClose.addAll(afterClose);
      }
      client.close().await();

      System.out.printf(
          "clean closes: %d, messages: %d, read after a close was sent: %d, repeated: %d%n",
          CYCLES, acknowledged.size(), readAfterClose.size(), repeats.size());
      assertEquals(Map.of(), repeats, "events read before a clean close, sent again");
      Set<Long> everything = new TreeSet<>(readBeforeClose);
      everything.addAll(readAfterClose);
      Set<Long> missing = new TreeSet<>(acknowledged);
      missing.removeAll(everything);
      assertEquals(Set.of(), missing, "acknowledged messages never delivered");
    }
  }

  /** Sends one message after the other until told to stop; notes each acknowledged sequence. */
  private static Future<Void> sendWhile(
      AspClient alice, String session, AtomicBoolean sending, Set<Long> acknowledged) {
    if (!sending.get()) {
      return Future.succeededFuture();
    }
    return alice
        .send(session, "tick")
        .compose(
            sent -> {
              acknowledged.add(sent.sequence());
              return sendWhile(alice, session, sending, acknowledged);
            });
  }

  private static WebSocket connect(WebSocketClient client, int port, String token) {
    return client
        .connect(
            new WebSocketConnectOptions()
                .setHost("127.0.0.1")
                .setPort(port)
                .setURI("/connect")
                .addHeader("Authorization", "Bearer " + token))
        .await();
  }

  private static void awaitCount(List<Long> received, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (received.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
    assertTrue(received.size() >= count, "only " + received.size() + " events arrived");
  }

  /** The last connection: waits until every acknowledged message was read on some connection. */
  private static void awaitAll(
      List<Long> received, Set<Long> before, Set<Long> after, Set<Long> acknowledged)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      Set<Long> all = new TreeSet<>(received);
      all.addAll(before);
      all.addAll(after);
      if (all.containsAll(acknowledged)) {
        return;
      }
      Thread.sleep(20);
    }
  }
}
