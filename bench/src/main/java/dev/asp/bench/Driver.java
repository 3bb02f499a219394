package dev.asp.bench;

import dev.asp.bench.impl.Clock;
import dev.asp.bench.impl.Parallel;
import dev.asp.client.AspClient;
import dev.asp.client.AspEventStream;
import dev.asp.client.EventStreamOptions;
import dev.asp.protocol.Event;
import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver side of a run: one Vert.x instance, one {@link AspClient} and one event stream per
 * agent, all traffic to one URL. Every message it sends carries {@code metadata.bench_run} (this
 * run) and {@code metadata.bench_t} (epoch nanoseconds when it was sent, or due in an open model),
 * so a receiver computes end-to-end latency on arrival and ignores traffic of earlier runs that the
 * operator replays to agents reused from an agents file.
 */
public final class Driver implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Driver.class);
  static final String RUN = "bench_run";
  static final String SENT = "bench_t";

  private final Vertx vertx;
  private final List<String> urls;
  private final Map<String, Integer> positions = new java.util.HashMap<>();
  private final Agents agents;
  private final int httpConnections;
  private final String runId = Long.toString(Clock.epochNanos(), 36);
  private final Metrics metrics = new Metrics();
  private final Checker checker = new Checker();
  private final Map<String, AspClient> clients = new ConcurrentHashMap<>();
  private final Map<String, AspEventStream> streams = new ConcurrentHashMap<>();
  private final List<AspEventStream> closed = new ArrayList<>();
  private final java.util.Set<String> dropping = ConcurrentHashMap.newKeySet();

  public Driver(String url, Agents agents, int eventLoops, int httpConnections) {
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
    this.urls = nodeUrls(url);
    this.agents = agents;
    List<String> handles = agents.handles();
    for (int i = 0; i < handles.size(); i++) {
      positions.put(handles.get(i), i);
    }
    this.httpConnections = httpConnections;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Marks this run's messages ({@code metadata.bench_run}): only they are counted. */
  public String runId() {
    return runId;
  }

  public Metrics metrics() {
    return metrics;
  }

  public Checker checker() {
    return checker;
  }

  /**
   * The agent's client. With several node URLs (a cluster), agents are spread over the nodes in the
   * order of the agents file, and each agent uses its node for both REST and its stream.
   */
  public AspClient client(String handle) {
    return clients.computeIfAbsent(
        handle,
        h ->
            AspClient.create(
                vertx,
                urls.get(positions.getOrDefault(h, 0) % urls.size()),
                agents.token(h),
                httpConnections));
  }

  /** {@code --url} may list several nodes of one cluster, separated by commas. */
  static List<String> nodeUrls(String url) {
    List<String> urls = new ArrayList<>();
    for (String part : url.split(",")) {
      if (!part.isBlank()) {
        urls.add(part.trim());
      }
    }
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("--url names no operator");
    }
    return urls;
  }

  /** Opens the event stream of every agent; completes when all are connected. */
  public Future<Void> connectAll(List<String> handles) {
    List<AspEventStream> opened = new ArrayList<>();
    for (String handle : handles) {
      opened.add(open(handle));
    }
    return Parallel.forEach(opened, opened.size(), AspEventStream::connected);
  }

  /** Opens (again) the event stream of one agent; completes once it is connected. */
  public Future<Void> connect(String handle) {
    dropping.remove(handle);
    return open(handle).connected();
  }

  private AspEventStream open(String handle) {
    AspEventStream stream =
        client(handle)
            .connect(
                event -> onEvent(handle, event),
                new EventStreamOptions()
                    // the checker judges the server's raw stream: repeats must reach it
                    .setDropDuplicates(false)
                    .setBackoff(Duration.ofMillis(50), Duration.ofSeconds(2))
                    .setListener(
                        new AspEventStream.Listener() {
                          @Override
                          public void disconnected(Short code, String reason) {
                            if (!dropping.contains(handle)) {
                              metrics.error("ws closed " + code);
                            }
                          }
                        }));
    AspEventStream before = streams.put(handle, stream);
    if (before != null) {
      synchronized (closed) {
        closed.add(before);
      }
    }
    return stream;
  }

  /**
   * Drops an agent's connection without a close frame, as a crashed host would, and stops its
   * stream; {@link #connect(String)} opens a new one.
   */
  public Future<Void> drop(String handle) {
    AspEventStream stream = streams.get(handle);
    dropping.add(handle);
    return stream.disconnect(Duration.ofHours(1)).compose(v -> stream.close());
  }

  private void onEvent(String agent, Event event) {
    if (!EventType.MESSAGE.wire().equals(event.type())) {
      checker.received(agent, event);
      return;
    }
    JsonObject meta =
        event.payload() == null ? null : event.payload().getJsonObject(Fields.METADATA);
    if (meta == null || !runId.equals(meta.getString(RUN))) {
      return; // not a message of this run: an earlier run's, replayed after its cursor
    }
    long now = Clock.epochNanos();
    checker.received(agent, event);
    boolean own = agent.equals(event.payload().getString(Fields.SENDER));
    metrics.delivered(own ? null : meta.getLong(SENT), now);
  }

  /**
   * Sends one message as {@code sender}; {@code dueNanos} is when it was meant to be sent (now, in
   * a closed loop). Success and failure are both recorded; the future never fails.
   */
  public Future<Void> send(String sender, String sessionId, long index, long dueNanos) {
    metrics.attempt();
    JsonObject meta = new JsonObject().put(RUN, runId).put(SENT, dueNanos);
    return client(sender)
        .send(sessionId, "bench message " + index, null, meta)
        .map(
            sent -> {
              metrics.accepted(dueNanos, Clock.epochNanos());
              checker.acknowledged(sessionId, sent.messageId(), sent.sequence());
              return (Void) null;
            })
        .recover(
            failure -> {
              metrics.error(failure);
              return Future.succeededFuture();
            });
  }

  /** Waits (on the caller's thread, never an event loop) until {@code done} or the timeout. */
  public boolean awaitCondition(BooleanSupplier done, Duration timeout) {
    Promise<Void> reached = Promise.promise();
    long timer =
        vertx.setPeriodic(
            5,
            id -> {
              if (done.getAsBoolean()) {
                reached.tryComplete();
              }
            });
    try {
      await(reached.future(), timeout);
      return true;
    } catch (IllegalStateException timedOut) {
      return done.getAsBoolean();
    } finally {
      vertx.cancelTimer(timer);
    }
  }

  /** Blocks the calling thread for the result, at most {@code timeout}. */
  public static <T> T await(Future<T> future, Duration timeout) {
    try {
      return future
          .toCompletionStage()
          .toCompletableFuture()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("not done within " + timeout, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    List<Future<Void>> closing = new ArrayList<>();
    streams.values().forEach(s -> closing.add(s.close()));
    synchronized (closed) {
      closed.forEach(s -> closing.add(s.close()));
    }
    try {
      await(Future.join(closing), Duration.ofSeconds(10));
    } catch (IllegalStateException e) {
      LOG.warn("event streams did not all close: {}", e.getMessage());
    }
    clients.values().forEach(AspClient::close);
    try {
      await(vertx.close(), Duration.ofSeconds(10));
    } catch (IllegalStateException e) {
      LOG.warn("driver did not stop cleanly: {}", e.getMessage());
    }
  }
}
