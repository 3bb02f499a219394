package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.client.AspAdminClient;
import dev.asp.client.AspClient;
import dev.asp.client.AspEventStream;
import dev.asp.client.EventRecorder;
import dev.asp.client.EventStreamOptions;
import dev.asp.client.NewSession;
import dev.asp.client.Replies.MessageSent;
import dev.asp.protocol.Event;
import dev.asp.protocol.EventType;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three operator processes in one cluster; one is killed with SIGKILL (or stopped with SIGTERM, as
 * Kubernetes does in a rolling update) while agents send: every acknowledged message still reaches
 * every joined participant exactly once and in order after the reconnects, nobody is taken out of a
 * session, and the node, started again, rejoins and serves.
 */
@DisplayName("A node lost under traffic")
class NodeFailureTest {
  private static final int NODES = 3;
  private static final int VICTIM = 2;
  private static final int AGENTS = 6;
  private static final int MESSAGES_PER_AGENT = 40;
  private static final Duration DELIVERED_WITHIN = Duration.ofSeconds(60);

  /** One agent: its handle, a REST client per node, and what its stream received. */
  private record Agent(
      String handle, List<AspClient> clients, EventRecorder events, AspEventStream stream) {}

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  @DisplayName(
      "SIGKILL: no acknowledged message is lost or repeated, nobody leaves, the node comes back")
  void killed() throws Exception {
    loseANodeUnderTraffic(true);
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  @DisplayName(
      "SIGTERM: clients are told to go elsewhere (1001) and resume exactly where they were")
  void stoppedGracefully() throws Exception {
    loseANodeUnderTraffic(false);
  }

  private void loseANodeUnderTraffic(boolean kill) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (OperatorProcesses nodes =
        new OperatorProcesses(
            TestDatabase.fresh(),
            NODES,
            Map.of("ASP_GRACE_MS", "30000", "ASP_BUS_TIMEOUT_MS", "3000"))) {
      for (int i = 0; i < NODES; i++) {
        nodes.launch(i);
      }
      for (int i = 0; i < NODES; i++) {
        nodes.awaitServing(i);
      }
      AspAdminClient admin =
          AspAdminClient.create(vertx, nodes.url(0), OperatorProcesses.ADMIN_TOKEN);
      List<Agent> agents = new ArrayList<>();
      for (int i = 0; i < AGENTS; i++) {
        agents.add(agent(vertx, admin, nodes, "@proc" + i + ".agent", i % NODES));
      }
      // two sessions of three: agents 0-2 and 3-5; everyone joined before any message
      List<String> sessions = new ArrayList<>();
      for (int s = 0; s < 2; s++) {
        Agent creator = agents.get(3 * s);
        String id =
            creator
                .clients()
                .get(0)
                .createSession(
                    NewSession.inviting(
                        agents.get(3 * s + 1).handle(), agents.get(3 * s + 2).handle()))
                .await()
                .sessionId();
        agents.get(3 * s + 1).clients().get(1).join(id).await();
        agents.get(3 * s + 2).clients().get(2).join(id).await();
        sessions.add(id);
      }

      Map<String, Set<Long>> acknowledged = new ConcurrentHashMap<>();
      sessions.forEach(id -> acknowledged.put(id, ConcurrentHashMap.newKeySet()));
      AtomicInteger acks = new AtomicInteger();
      CompletableFuture<Void> third = new CompletableFuture<>();
      List<Future<Void>> senders = new ArrayList<>();
      for (int i = 0; i < AGENTS; i++) {
        String session = sessions.get(i / 3);
        Agent sender = agents.get(i);
        senders.add(
            sendAll(
                vertx,
                sender,
                i % NODES,
                session,
                0,
                sequence -> {
                  acknowledged.get(session).add(sequence);
                  if (acks.incrementAndGet() == AGENTS * MESSAGES_PER_AGENT / 3) {
                    third.complete(null);
                  }
                }));
      }
      third.get(60, TimeUnit.SECONDS);
      if (kill) {
        nodes.kill(VICTIM);
      } else {
        nodes.terminate(VICTIM);
      }
      Future.all(senders).await();

      for (int i = 0; i < AGENTS; i++) {
        Set<Long> expected = acknowledged.get(sessions.get(i / 3));
        assertEquals(MESSAGES_PER_AGENT * 3, expected.size(), "every message was acknowledged");
        awaitAll(agents.get(i), sessions.get(i / 3), expected);
      }
      for (Agent agent : agents) {
        assertTrue(
            agent.events().all().stream().noneMatch(e -> e.type().equals(EventType.LEFT.wire())),
            agent.handle() + " never left: " + agent.events().all());
      }
      for (int i = VICTIM; i < AGENTS; i += NODES) {
        Agent moved = agents.get(i);
        assertTrue(moved.stream().connections() >= 2, moved.handle() + " reconnected");
        assertNotEquals(nodes.url(VICTIM), moved.stream().currentEndpoint());
        if (!kill) {
          assertEquals(Short.valueOf((short) 1001), moved.stream().lastCloseCode());
          assertEquals(
              0,
              moved.stream().duplicatesDropped(),
              "cursors were saved before the clients were sent away: nothing is replayed twice");
        }
      }

      // the killed node starts again, rejoins the cluster and serves a stream and the API
      nodes.launch(VICTIM);
      nodes.awaitServing(VICTIM);
      Agent late = agent(vertx, admin, nodes, "@proc.late", VICTIM);
      String id = sessions.get(0);
      agents.get(0).clients().get(0).invite(id, late.handle()).await();
      late.clients().get(VICTIM).join(id).await();
      MessageSent after = late.clients().get(VICTIM).send(id, "back again").await();
      agents
          .get(1)
          .events()
          .await(
              e -> e.sessionId().equals(id) && e.sequence() == after.sequence(), DELIVERED_WITHIN);
      late.events()
          .await(
              e -> e.sessionId().equals(id) && e.sequence() == after.sequence(), DELIVERED_WITHIN);
      agents.forEach(a -> a.stream().close().await());
      late.stream().close().await();
    } finally {
      vertx.close().await();
    }
  }

  private static Agent agent(
      Vertx vertx, AspAdminClient admin, OperatorProcesses nodes, String handle, int home) {
    String token = admin.createAgent(handle, "open", List.of()).await().token();
    List<AspClient> clients = new ArrayList<>();
    for (String url : nodes.urls()) {
      clients.add(AspClient.create(vertx, url, token));
    }
    List<String> endpoints = new ArrayList<>();
    for (int k = 0; k < NODES; k++) {
      endpoints.add(nodes.url((home + k) % NODES));
    }
    EventRecorder events = new EventRecorder();
    AspEventStream stream =
        clients
            .get(home)
            .connect(
                events,
                new EventStreamOptions()
                    .setEndpoints(endpoints)
                    .setBackoff(Duration.ofMillis(100), Duration.ofSeconds(1)));
    stream.connected().await();
    return new Agent(handle, clients, events, stream);
  }

  /**
   * Sends this agent's messages one after the other. A failed attempt (the node died, or timed out
   * talking to a dead one) is retried on the next node with the same idempotency key, so a message
   * is acknowledged once whichever attempt committed it.
   */
  private static Future<Void> sendAll(
      Vertx vertx,
      Agent sender,
      int home,
      String session,
      int n,
      java.util.function.LongConsumer onAck) {
    if (n == MESSAGES_PER_AGENT) {
      return Future.succeededFuture();
    }
    String key = sender.handle() + "-" + n;
    return send(vertx, sender, home, session, key, 0)
        .compose(
            sent -> {
              onAck.accept(sent.sequence());
              return sendAll(vertx, sender, home, session, n + 1, onAck);
            });
  }

  private static Future<MessageSent> send(
      Vertx vertx, Agent sender, int home, String session, String key, int attempt) {
    AspClient client = sender.clients().get((home + attempt) % NODES);
    return client
        .send(session, "message " + key, key, null)
        .recover(
            failure -> {
              if (attempt >= 20) {
                return Future.failedFuture(failure);
              }
              Promise<MessageSent> retry = Promise.promise();
              vertx.setTimer(
                  100, t -> send(vertx, sender, home, session, key, attempt + 1).onComplete(retry));
              return retry.future();
            });
  }

  /** Waits until the agent has every acknowledged message, then checks once each and in order. */
  private static void awaitAll(Agent agent, String session, Set<Long> expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + DELIVERED_WITHIN.toNanos();
    List<Long> messages = messages(agent, session);
    while (!messages.containsAll(expected) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      messages = messages(agent, session);
    }
    Set<Long> missing = new TreeSet<>(expected);
    missing.removeAll(messages);
    assertTrue(missing.isEmpty(), agent.handle() + " is missing " + missing);
    assertEquals(
        new TreeSet<>(messages).size(),
        messages.size(),
        agent.handle() + " got repeats " + messages);
    assertEquals(
        messages.stream().sorted().toList(), messages, agent.handle() + " got them out of order");
    assertEquals(
        new TreeSet<>(expected),
        new TreeSet<>(messages),
        agent.handle() + " got only acknowledged messages");
  }

  private static List<Long> messages(Agent agent, String session) {
    return agent.events().events(session).stream()
        .filter(e -> e.type().equals(EventType.MESSAGE.wire()))
        .map(Event::sequence)
        .collect(Collectors.toList());
  }
}
