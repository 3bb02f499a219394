package dev.asp.delivery.impl;

import dev.asp.delivery.DeliverySettings;
import dev.asp.protocol.AspException;
import dev.asp.protocol.CloseCodes;
import dev.asp.protocol.DeliveryHub;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.Drain;
import dev.asp.protocol.bus.SessionAction;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongUnaryOperator;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's connections and one {@link AgentPipeline} per connected agent, all on the delivery
 * verticle's context. Presence is reported per agent, not per socket: the first connection of an
 * agent on this node reports it online, the last one closing reports it offline; extra connections
 * change nothing (spec §6). Those reports, the cursor flush and the load of a new pipeline are
 * chained per agent, so a quick reconnect is always seen after the disconnect.
 */
public final class LocalHub implements DeliveryHub {
  private static final Logger LOG = LoggerFactory.getLogger(LocalHub.class);
  private static final Buffer PING = Buffer.buffer("asp");

  /**
   * Longest wait for a closed connection's queued frames to be written or failed; slow consumers
   * and peers at shutdown are aborted well before it, so this only bounds the unexpected.
   */
  private static final long SETTLE_MS = 60_000;

  /** Cursors saved per request by the periodic flush. */
  private static final int SAVE_BATCH = 1_000;

  /** How long a closing peer may take to read what it was sent when the node shuts down. */
  private static final long SHUTDOWN_GRACE_MS = 2_000;

  /** Attempts to start an agent's delivery before giving up with 4013, and the pause between. */
  private static final int START_ATTEMPTS = 4;

  private static final long START_RETRY_MS = 250;

  /** Reporting an agent offline is retried this often, backing off up to the maximum delay. */
  private static final int OFFLINE_ATTEMPTS = 12;

  private static final long OFFLINE_RETRY_MAX_MS = 10_000;

  private final Context context;
  private final BusClient bus;
  private final DeliverySettings settings;
  private final Map<String, AgentPipeline> pipelines = new HashMap<>();
  private final Map<String, Future<Void>> chains = new HashMap<>();
  private final List<Connection> closing = new ArrayList<>();
  private final DeliveryMeters meters; // metrics: gauges and counters, see DeliveryMeters
  private boolean draining;
  private long lastPingAt;

  /**
   * The periodic save in progress: an agent's last connection closing waits for it before saving
   * and reporting the agent offline, or its next connection could load the cursors from before that
   * save (a cursor the save had taken is no longer dirty, so the save at the close skips it).
   */
  private Future<Void> flushing = Future.succeededFuture();

  public LocalHub(Context context, BusClient bus, DeliverySettings settings) {
    this.context = context;
    this.bus = bus;
    this.settings = settings;
    this.meters = new DeliveryMeters(settings.meters()); // metrics
  }

  @Override
  public void attach(String agent, ServerWebSocket socket, boolean extensions) {
    Connection connection =
        new Connection(agent, socket, context, settings.cursorFlushMs(), extensions);
    socket.setWriteQueueMaxSize(settings.writeQueueMaxBytes());
    // Handlers run on the socket's thread: they only note liveness or hop onto our context.
    socket.pongHandler(
        pong -> {
          connection.seen();
          context.runOnContext(x -> connection.ponged(pong));
        });
    socket.frameHandler(frame -> connection.seen());
    // a close frame from the peer confirms nothing: what no pong confirmed is replayed (Connection)
    socket.closeHandler(v -> context.runOnContext(x -> detach(connection)));
    socket.exceptionHandler(
        failure -> LOG.debug("socket of {} failed: {}", agent, failure.toString()));
    context.runOnContext(v -> attachOnContext(connection));
  }

  private void attachOnContext(Connection connection) {
    if (connection.socket.isClosed()) {
      return;
    }
    if (draining) {
      connection.close(CloseCodes.GOING_AWAY, "node shutting down: reconnect");
      return;
    }
    String agent = connection.agent;
    meters.connectionOpened(); // metrics
    AgentPipeline pipeline = pipelines.get(agent);
    if (pipeline != null) {
      pipeline.add(connection);
      return;
    }
    AgentPipeline fresh =
        new AgentPipeline(
            agent, context, bus, settings.replayBatch(), settings.reorderHoldMs(), meters);
    fresh.add(connection);
    pipelines.put(agent, fresh);
    meters.agentConnected(); // metrics
    chain(agent, () -> startPipeline(fresh))
        .onFailure(
            failure -> {
              LOG.warn("could not start delivery to {}: {}", agent, failure.getMessage());
              List.copyOf(fresh.connections())
                  .forEach(c -> c.close(CloseCodes.UNAVAILABLE, "delivery unavailable"));
            });
  }

  /**
   * Announces the agent online and loads its cursors. A service that is briefly unavailable (a node
   * of the cluster stopping or dying while requests are routed to it) is retried a few times before
   * the agent's connections are closed with 4013.
   */
  private Future<Void> startPipeline(AgentPipeline pipeline) {
    String agent = pipeline.agent;
    return retry(
        () ->
            connect(pipeline)
                .map(
                    state -> {
                      pipeline.start(state);
                      return null;
                    }),
        1,
        START_ATTEMPTS,
        attempt -> START_RETRY_MS * attempt,
        failure -> true,
        () -> !pipeline.isEmpty() && !draining);
  }

  /**
   * Online, state and first replay pages in one request ({@code AGENT_CONNECT}); a session service
   * that does not know it (an older node in a rolling upgrade: {@code invalid_request}) is asked
   * the two requests it knows, and the pipeline then reads every page itself.
   */
  private Future<JsonObject> connect(AgentPipeline pipeline) {
    String agent = pipeline.agent;
    boolean extensions = pipeline.anyExtensions();
    JsonObject request =
        presence(agent)
            .put(Fields.LIMIT, settings.replayBatch())
            .put(BusFields.EXTENSIONS, extensions);
    return bus.session(SessionAction.AGENT_CONNECT, request)
        .map(state -> state.put(BusFields.EXTENSIONS, extensions))
        .recover(
            failure ->
                AspException.from(failure).code() != ErrorCode.INVALID_REQUEST
                    ? Future.failedFuture(failure)
                    : bus.session(SessionAction.AGENT_ONLINE, presence(agent))
                        .compose(
                            online ->
                                bus.session(
                                    SessionAction.DELIVERY_STATE,
                                    new JsonObject().put(BusFields.AGENT, agent))));
  }

  private void detach(Connection connection) {
    connection.markClosed();
    AgentPipeline pipeline = pipelines.get(connection.agent);
    if (pipeline == null || !pipeline.connections().contains(connection)) {
      return;
    }
    pipeline.remove(connection);
    meters.connectionClosed(); // metrics
    closing.add(connection);
    connection.settled().onComplete(settled -> closing.remove(connection));
    if (pipeline.isEmpty()) {
      pipelines.remove(connection.agent);
      meters.agentGone(); // metrics
      pipeline.stop();
      String agent = connection.agent;
      chain(
          agent,
          () ->
              settle(agent)
                  .compose(v -> flushing.transform(ignored -> save(pipeline)))
                  .recover(failure -> Future.succeededFuture())
                  .compose(v -> offline(agent)));
    }
  }

  /**
   * Reports the agent offline. A busy or briefly unavailable session service is retried with
   * backoff: a lost report would leave the agent online for good, its grace window never started.
   * Not retried once the agent has connected here again (its online report follows in the chain) or
   * while this node drains (the other nodes reset its presence when it leaves).
   */
  private Future<Void> offline(String agent) {
    return retry(
            () -> bus.session(SessionAction.AGENT_OFFLINE, presence(agent)).mapEmpty(),
            1,
            OFFLINE_ATTEMPTS,
            attempt -> Math.min(OFFLINE_RETRY_MAX_MS, START_RETRY_MS << Math.min(attempt, 8)),
            failure -> AspException.from(failure).code() == ErrorCode.UNAVAILABLE,
            () -> !pipelines.containsKey(agent) && !draining) // back here: online follows
        .onFailure(
            failure -> LOG.warn("could not report {} offline: {}", agent, failure.getMessage()));
  }

  /**
   * Runs {@code step} until it succeeds, fails in a way not worth retrying, is no longer {@code
   * wanted}, or has had {@code attempts} tries (this is try {@code attempt}); waits {@code
   * delay(n)} ms after the n-th failure. No longer wanted when a retry is due: done, nothing to do.
   */
  private Future<Void> retry(
      Supplier<Future<Void>> step,
      int attempt,
      int attempts,
      LongUnaryOperator delay,
      Predicate<Throwable> retryable,
      BooleanSupplier wanted) {
    return step.get()
        .recover(
            failure -> {
              if (attempt >= attempts || !retryable.test(failure) || !wanted.getAsBoolean()) {
                return Future.failedFuture(failure);
              }
              LOG.debug("retrying after: {}", failure.toString());
              Promise<Void> retried = Promise.promise();
              context
                  .owner()
                  .setTimer(
                      delay.applyAsLong(attempt),
                      t -> {
                        if (wanted.getAsBoolean()) {
                          retry(step, attempt + 1, attempts, delay, retryable, wanted)
                              .onComplete(retried);
                        } else {
                          retried.complete();
                        }
                      });
              return retried.future();
            });
  }

  /**
   * Waits (bounded) until the frames queued on the agent's closed connections are written or
   * failed, so the cursor saved next counts exactly what reached the peer.
   */
  private Future<Void> settle(String agent) {
    List<Future<Void>> pending = new ArrayList<>();
    for (Connection connection : closing) {
      if (connection.agent.equals(agent)) {
        pending.add(connection.settled());
      }
    }
    return Drain.within(context.owner(), Future.join(pending).mapEmpty(), SETTLE_MS);
  }

  /**
   * Closes a connection and forgets it at once: a peer that does not read may take long to complete
   * the close handshake, and the agent's other connections must not wait for it.
   */
  private void closeNow(Connection connection, short code, String reason) {
    connection.close(code, reason);
    detach(connection);
  }

  /**
   * This node rejoined its cluster after a partition: the other side may have taken its agents
   * offline and its announcements may have been lost. Every agent connected here is announced
   * online again (which fires {@code session.reconnected} where its grace window still runs) and
   * every session with events beyond its saved cursor is read from the log.
   */
  public void resync() {
    for (Map.Entry<String, AgentPipeline> entry : List.copyOf(pipelines.entrySet())) {
      String agent = entry.getKey();
      AgentPipeline pipeline = entry.getValue();
      chain(
              agent,
              () -> {
                if (pipelines.get(agent) != pipeline) {
                  return Future.succeededFuture();
                }
                return bus.session(SessionAction.AGENT_ONLINE, presence(agent))
                    .compose(
                        online ->
                            bus.session(
                                SessionAction.DELIVERY_STATE,
                                new JsonObject().put(BusFields.AGENT, agent)))
                    .map(
                        state -> {
                          pipeline.refresh(state);
                          return null;
                        });
              })
          .onFailure(failure -> LOG.warn("could not resync {}: {}", agent, failure.toString()));
    }
  }

  /** An announcement of committed events: offered to every local pipeline of a participant. */
  public void onCommitted(JsonObject announcement) {
    String sessionId = announcement.getString(Fields.SESSION_ID);
    JsonArray events = announcement.getJsonArray(Fields.EVENTS, new JsonArray());
    if (events.isEmpty()) {
      return;
    }
    // beside the events, never in them: a frame is the event JSON as announced
    JsonArray audiences = announcement.getJsonArray(BusFields.AUDIENCES);
    EncodedEvents encoded = new EncodedEvents(events);
    for (Object item : announcement.getJsonArray(BusFields.PARTICIPANTS, new JsonArray())) {
      JsonObject participant = (JsonObject) item;
      AgentPipeline pipeline = pipelines.get(participant.getString(Fields.HANDLE));
      if (pipeline != null) {
        pipeline.offer(sessionId, events, audiences, participant, encoded);
      }
    }
  }

  /**
   * The agent's credentials changed: close its connections here (4003). Each was authenticated with
   * some token that may now be revoked; clients whose token still works reconnect at once.
   */
  public void credentialsChanged(String agent) {
    AgentPipeline pipeline = pipelines.get(agent);
    if (pipeline != null) {
      for (Connection connection : List.copyOf(pipeline.connections())) {
        closeNow(connection, CloseCodes.CREDENTIALS_CHANGED, "credentials changed");
      }
    }
  }

  /**
   * Persists the advanced cursors of every pipeline (periodic), in as few requests as possible: one
   * transaction per {@link #SAVE_BATCH} cursors of any agents, not one per agent.
   */
  public Future<Void> flushCursors() {
    List<Future<Void>> saves = new ArrayList<>();
    List<AgentPipeline> owners = new ArrayList<>();
    JsonArray batch = new JsonArray();
    for (AgentPipeline pipeline : pipelines.values()) {
      JsonArray dirty = pipeline.takeDirtyCursors();
      if (dirty.isEmpty()) {
        continue;
      }
      for (Object cursor : dirty) {
        batch.add(((JsonObject) cursor).put(BusFields.AGENT, pipeline.agent));
      }
      owners.add(pipeline);
      if (batch.size() >= SAVE_BATCH) {
        saves.add(saveBatch(batch, owners));
        batch = new JsonArray();
        owners = new ArrayList<>();
      }
    }
    if (!batch.isEmpty()) {
      saves.add(saveBatch(batch, owners));
    }
    Future<Void> all = Future.join(saves).mapEmpty();
    flushing = all;
    return all;
  }

  private Future<Void> saveBatch(JsonArray cursors, List<AgentPipeline> owners) {
    return bus.session(SessionAction.SAVE_CURSORS, new JsonObject().put(BusFields.CURSORS, cursors))
        .onFailure(failure -> owners.forEach(pipeline -> pipeline.restoreDirty(cursors)))
        .mapEmpty();
  }

  /**
   * Pings every connection; closes those silent for longer than the idle timeout and those whose
   * frames have waited longer than the slow-consumer timeout without the socket draining.
   */
  public void ping() {
    long now = System.currentTimeMillis();
    boolean pingNow = now - lastPingAt >= settings.pingIntervalMs();
    if (pingNow) {
      lastPingAt = now;
    }
    // a close below may remove an agent's pipeline: iterate over a copy, or the rest of the check
    // is lost to a ConcurrentModificationException
    for (AgentPipeline pipeline : List.copyOf(pipelines.values())) {
      for (Connection connection : List.copyOf(pipeline.connections())) {
        long blockedSince = connection.blockedSince();
        if (blockedSince != 0 && now - blockedSince > settings.slowConsumerMs()) {
          LOG.info("closing a connection of {}: slow consumer", connection.agent);
          closeNow(connection, CloseCodes.SLOW_CONSUMER, "slow consumer");
          // it does not read, so it may never see the close frame: drop it soon after for good
          context.owner().setTimer(settings.slowConsumerMs(), t -> connection.abort());
        } else if (now - connection.lastSeen() > settings.idleTimeoutMs()) {
          closeNow(connection, CloseCodes.IDLE_TIMEOUT, "idle timeout");
        } else if (pingNow && !connection.closed()) {
          connection.socket.writePing(PING);
        }
      }
    }
  }

  /** Shutdown: closes every connection, saves every cursor and reports every agent offline. */
  public Future<Void> shutdown() {
    draining = true;
    List<Connection> open = new ArrayList<>();
    for (AgentPipeline pipeline : pipelines.values()) {
      pipeline.stop();
      open.addAll(pipeline.connections());
    }
    // Hand over cleanly: write nothing more, let what the sockets hold go out (bounded), save the
    // cursors, and only then tell clients to reconnect elsewhere, so the node they reach next
    // replays from exactly where this one stopped.
    List<Future<Void>> written = new ArrayList<>();
    for (Connection connection : open) {
      connection.dropPending();
      // written out, then read by the peer (its pong): the cursor saved next is exact
      written.add(connection.settled().compose(v -> connection.confirmed()));
    }
    return Drain.within(context.owner(), Future.join(written).mapEmpty(), SHUTDOWN_GRACE_MS)
        .compose(v -> Drain.within(context.owner(), flushCursors(), settings.busTimeoutMs()))
        .compose(
            v -> {
              for (Connection connection : open) {
                connection.close(CloseCodes.GOING_AWAY, "node shutting down: reconnect");
                detach(connection);
                // a peer that does not read never answers the close: it must not hold us up
                context.owner().setTimer(SHUTDOWN_GRACE_MS, t -> connection.abort());
              }
              return Future.join(List.copyOf(chains.values())).<Void>mapEmpty();
            })
        .recover(f -> Future.succeededFuture());
  }

  public int connectionCount() {
    return pipelines.values().stream().mapToInt(p -> p.connections().size()).sum();
  }

  private Future<Void> save(AgentPipeline pipeline) {
    JsonArray cursors = pipeline.takeDirtyCursors();
    if (cursors.isEmpty()) {
      return Future.succeededFuture();
    }
    JsonObject request =
        new JsonObject().put(BusFields.AGENT, pipeline.agent).put(BusFields.CURSORS, cursors);
    return bus.session(SessionAction.SAVE_CURSORS, request)
        .onFailure(failure -> pipeline.restoreDirty(cursors))
        .mapEmpty();
  }

  private JsonObject presence(String agent) {
    return new JsonObject().put(BusFields.AGENT, agent).put(BusFields.NODE, settings.nodeId());
  }

  /** Runs {@code step} after every earlier step of the same agent, whatever their outcome. */
  private Future<Void> chain(String agent, Supplier<Future<Void>> step) {
    Future<Void> previous = chains.getOrDefault(agent, Future.succeededFuture());
    Future<Void> next = previous.transform(ignored -> step.get());
    chains.put(agent, next);
    next.onComplete(
        done -> {
          if (chains.get(agent) == next) {
            chains.remove(agent);
          }
        });
    return next;
  }
}
