package dev.asp.client;

import dev.asp.client.impl.Backoff;
import dev.asp.client.impl.DeliveredSequences;
import dev.asp.client.impl.HttpTransport;
import dev.asp.protocol.Event;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The live events of one agent (spec §6): a WebSocket to {@code <baseUrl>/connect}, kept open
 * across drops, to one of the operator's nodes. Created by {@link AspClient#connect}.
 *
 * <p><b>Order and threading.</b> Everything the stream does runs on one Vert.x context: the
 * caller's when it is created on one, else an event-loop context of its own. Each text frame is
 * parsed and handed to the consumer there, one at a time, in arrival order (per session that is
 * sequence order). The consumer must not block that thread; an exception it throws is reported
 * through Vert.x and does not stop the stream. Every public method may be called from any thread.
 *
 * <p><b>Flow control.</b> There is no queue in the stream: a frame is handed over as it arrives.
 * {@link #pause()} stops reading; Vert.x then holds a handful of frames and stops reading the
 * socket, so TCP backpressure reaches the operator, which may close with {@code 4001}.
 *
 * <p><b>Failures.</b> A 401 on the upgrade is fatal: bad credentials do not get better by retrying.
 * Any other failed attempt, and any close, is retried with full-jitter exponential backoff, reset
 * by each successful connect. Nothing is lost across a reconnect: the operator replays every event
 * after its cursors before live delivery resumes.
 *
 * <p><b>Several nodes.</b> With {@link EventStreamOptions#setEndpoints} the stream connects to the
 * first endpoint and moves to the next, round-robin, before every reconnect, so a client whose node
 * died reaches a surviving one on its next attempt. Every retry still waits its jittered backoff,
 * the first one after a drop included (a random delay up to the backoff base, 250 ms by default):
 * when a node dies all its clients drop at the same instant, and without jitter they would land on
 * the next node together. The backoff counts consecutive failed attempts whatever the endpoint, so
 * it only grows while no node accepts. {@link #currentEndpoint()} tells where the stream is.
 *
 * <p><b>No duplicates.</b> The operator saves delivery cursors in batches, so after a node crash
 * the node taking over may replay a few events the dead one had already written. The stream drops
 * an event whose session and sequence it already handed over (counted by {@link
 * #duplicatesDropped()}), unless {@link EventStreamOptions#setDropDuplicates} turned that off. It
 * does not assume sequences only grow: an agent that was only invited gets its invitation first and
 * the session's transcript from sequence 0 after it joins, and those earlier sequences are new.
 */
public final class AspEventStream {

  /** Connection state changes, told on the stream's context. Every method is optional. */
  public interface Listener {
    /** A connection is open; {@code connections} counts successful connects, this one included. */
    default void connected(int connections) {}

    /**
     * The open connection ended, with the close code and reason received ({@code 1006} and {@code
     * null} when it dropped without a close frame). A reconnect follows unless the stream stops.
     */
    default void disconnected(Short closeCode, String closeReason) {}

    /** An attempt failed (refused, timed out, upgrade rejected but not 401); retried after that. */
    default void connectFailed(Throwable cause, Duration retryIn) {}

    /** A frame that is not a JSON event (a protocol violation by the operator); it was skipped. */
    default void invalidFrame(String frame, RuntimeException error) {}

    /**
     * No more connections: {@code cause} is null after {@link #close()} or a close with reconnect
     * off, else the fatal failure (an {@link AspClientException} 401, or with reconnect off, the
     * failed attempt).
     */
    default void stopped(Throwable cause) {}
  }

  private static final short NORMAL_CLOSURE = 1000;

  private final Context context;
  private final WebSocketClient client;
  private final List<String> endpointUrls;
  private final List<WebSocketConnectOptions> endpoints;
  private final DeliveredSequences delivered; // null when duplicates are kept
  private final Consumer<Event> onEvent;
  private final Listener listener;
  private final Backoff backoff;
  private final boolean reconnect;
  private final Promise<Void> connected = Promise.promise();
  private final Promise<Void> stopped = Promise.promise();

  // Confined to the context.
  private ClientWebSocket current; // handshaking or open
  private int endpoint; // index into endpoints of the current or next attempt
  private boolean paused;
  private boolean stopping;
  private boolean finished;
  private int failedAttempts;
  private long retryTimer = -1;
  private long notBeforeNanos;

  // Written on the context only, read from anywhere.
  private volatile boolean open;
  private volatile int connections;
  private volatile int invalidFrames;
  private volatile long duplicatesDropped;
  private volatile String currentEndpoint;
  private volatile Short lastCloseCode;
  private volatile String lastCloseReason;

  AspEventStream(
      Vertx vertx,
      String baseUrl,
      String token,
      Consumer<Event> onEvent,
      EventStreamOptions options) {
    Context caller = Vertx.currentContext();
    this.context = caller != null ? caller : vertx.getOrCreateContext();
    this.onEvent = onEvent;
    this.listener = options.getListener();
    this.reconnect = options.isReconnect();
    this.backoff = new Backoff(options.getBackoffBase(), options.getBackoffMax());
    int timeoutMillis = (int) options.getConnectTimeout().toMillis();
    this.endpointUrls =
        options.getEndpoints().isEmpty() ? List.of(baseUrl) : options.getEndpoints();
    this.endpoints =
        endpointUrls.stream()
            .map(url -> connectOptions(url, token).setTimeout(timeoutMillis))
            .toList();
    this.currentEndpoint = endpointUrls.get(0);
    this.delivered = options.isDropDuplicates() ? new DeliveredSequences() : null;
    this.client =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxFrameSize(options.getMaxMessageSize())
                .setMaxMessageSize(options.getMaxMessageSize())
                .setReceiveBufferSize(options.getReceiveBufferSize())
                .setConnectTimeout(timeoutMillis));
    context.runOnContext(v -> attempt());
  }

  /** Completes on the first successful connect; fails if the stream stops before one. */
  public Future<Void> connected() {
    return connected.future();
  }

  /** Completes when the stream has stopped for good; fails with the cause of a fatal stop. */
  public Future<Void> stopped() {
    return stopped.future();
  }

  /** Closes with 1000 and never reconnects; completes once everything is released. */
  public Future<Void> close() {
    return onContext(this::stop).compose(v -> stopped.future().otherwiseEmpty());
  }

  /** Stops reading from the current connection (and from later ones until {@link #resume()}). */
  public Future<Void> pause() {
    return onContext(
        () -> {
          paused = true;
          if (open) {
            current.pause();
          }
        });
  }

  public Future<Void> resume() {
    return onContext(
        () -> {
          paused = false;
          if (open) {
            current.resume();
          }
        });
  }

  /** Drops the current connection without a close frame; the stream reconnects with backoff. */
  public Future<Void> disconnect() {
    return disconnect(Duration.ZERO);
  }

  /**
   * Drops the current connection without a close frame, as a crashed host or a lost network would,
   * and stays away at least {@code stayAway} before reconnecting (to outlast a grace window, say).
   */
  public Future<Void> disconnect(Duration stayAway) {
    return onContext(
        () -> {
          if (!open || stopping) {
            return;
          }
          notBeforeNanos = System.nanoTime() + stayAway.toNanos();
          // Vert.x has no public way to drop a WebSocket without a close frame; closing the channel
          // from the head of its pipeline skips the WebSocket handlers, which would send one.
          if (current instanceof WebSocketInternal internal) {
            internal.channelHandlerContext().pipeline().firstContext().close();
          } else {
            current.close();
          }
        });
  }

  /** Successful connects so far. */
  public int connections() {
    return connections;
  }

  public boolean isConnected() {
    return open;
  }

  /** The close code of the last connection to end, or null if none has. */
  public Short lastCloseCode() {
    return lastCloseCode;
  }

  public String lastCloseReason() {
    return lastCloseReason;
  }

  /** Frames skipped because they were not JSON events. */
  public int invalidFrames() {
    return invalidFrames;
  }

  /**
   * Events dropped because the stream had already handed them over (always 0 with duplicates kept).
   * Nonzero after a node crash is expected; elsewhere it points at an operator resending.
   */
  public long duplicatesDropped() {
    return duplicatesDropped;
  }

  /**
   * The base URL of the node the stream is connected to; between connections, of the node it is
   * trying or will try next. One of the configured endpoints, or the client's base URL.
   */
  public String currentEndpoint() {
    return currentEndpoint;
  }

  private void attempt() {
    retryTimer = -1;
    if (stopping) {
      return;
    }
    ClientWebSocket ws = client.webSocket();
    current = ws;
    ws.textMessageHandler(this::deliver)
        .binaryMessageHandler(
            bytes ->
                invalid("<" + bytes.length() + " bytes>", new IllegalArgumentException("binary")))
        // a broken connection also closes it: the close handler decides what happens next
        .exceptionHandler(failure -> {})
        .closeHandler(v -> closed(ws));
    ws.connect(endpoints.get(endpoint))
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                opened(ws);
              } else {
                failed(ar.cause());
              }
            });
  }

  private void opened(ClientWebSocket ws) {
    if (stopping) {
      ws.close(NORMAL_CLOSURE, "closed by client"); // close() raced the handshake
      return;
    }
    failedAttempts = 0;
    open = true;
    connections = connections + 1;
    if (paused) {
      ws.pause();
    }
    connected.tryComplete();
    int count = connections;
    tell(() -> listener.connected(count));
  }

  private void failed(Throwable cause) {
    current = null;
    Throwable failure =
        cause instanceof UpgradeRejectedException rejected
            ? HttpTransport.failure(rejected.getStatus(), rejected.getBody())
            : cause;
    if (stopping) {
      finish(null);
    } else if (!reconnect
        || failure instanceof AspClientException refused && refused.status() == 401) {
      stopping = true;
      finish(failure);
    } else {
      long delay = scheduleRetry(failedAttempts++);
      tell(() -> listener.connectFailed(failure, Duration.ofMillis(delay)));
    }
  }

  private void closed(ClientWebSocket ws) {
    if (ws != current) {
      return;
    }
    current = null;
    boolean wasOpen = open;
    open = false;
    Short code = ws.closeStatusCode();
    String reason = ws.closeReason();
    lastCloseCode = code;
    lastCloseReason = reason;
    if (wasOpen) {
      tell(() -> listener.disconnected(code, reason));
    }
    if (stopping || !reconnect) {
      stopping = true;
      finish(null);
    } else {
      scheduleRetry(failedAttempts);
    }
  }

  private void deliver(String text) {
    // Frames that arrive after close() sent our close frame, but before the operator's answer,
    // were written (and counted as delivered) by the operator: they still go to the consumer, or
    // the next connection would resume after events this one never handed over.
    if (finished) {
      return;
    }
    Event event;
    try {
      event = Event.fromJson(new JsonObject(text));
      if (event.type() == null || event.sessionId() == null) {
        throw new IllegalArgumentException("type and session_id are required");
      }
    } catch (RuntimeException notAnEvent) {
      invalid(text, notAnEvent);
      return;
    }
    if (delivered != null && !delivered.firstDelivery(event.sessionId(), event.sequence())) {
      duplicatesDropped = duplicatesDropped + 1;
      return;
    }
    onEvent.accept(event);
  }

  private void invalid(String frame, RuntimeException error) {
    invalidFrames = invalidFrames + 1;
    tell(() -> listener.invalidFrame(frame, error));
  }

  private void stop() {
    if (stopping) {
      return;
    }
    stopping = true;
    if (retryTimer != -1) {
      context.owner().cancelTimer(retryTimer);
      retryTimer = -1;
    }
    if (current == null) {
      finish(null);
    } else if (open) {
      // a paused socket would never read the operator's close frame back
      current.resume();
      current.close(NORMAL_CLOSURE, "closed by client");
    } // else a handshake is in flight: opened() or failed() finishes
  }

  private void finish(Throwable cause) {
    if (finished) {
      return;
    }
    finished = true;
    if (retryTimer != -1) {
      context.owner().cancelTimer(retryTimer);
      retryTimer = -1;
    }
    client
        .close()
        .onComplete(
            released -> {
              connected.tryFail(
                  cause != null
                      ? cause
                      : new IllegalStateException("the stream was closed before it connected"));
              if (cause == null) {
                stopped.tryComplete();
              } else {
                stopped.tryFail(cause);
              }
            });
    tell(() -> listener.stopped(cause));
  }

  /** Moves to the next endpoint and schedules the attempt there, after the backoff. */
  private long scheduleRetry(int attempt) {
    endpoint = (endpoint + 1) % endpoints.size();
    currentEndpoint = endpointUrls.get(endpoint);
    long delay = backoff.delayMillis(attempt);
    long awayMillis = Duration.ofNanos(notBeforeNanos - System.nanoTime()).toMillis();
    delay = Math.max(delay, awayMillis);
    retryTimer = context.owner().setTimer(Math.max(1, delay), id -> attempt());
    return delay;
  }

  private Future<Void> onContext(Runnable action) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(
        v -> {
          try {
            action.run();
            done.complete();
          } catch (RuntimeException e) {
            done.fail(e);
          }
        });
    return done.future();
  }

  /**
   * Tells the listener, isolating the stream from it: a listener that throws must not leave the
   * connection state half-updated. The exception is rethrown on the context, where Vert.x reports
   * it.
   */
  private void tell(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      context.runOnContext(
          v -> {
            throw e;
          });
    }
  }

  private static WebSocketConnectOptions connectOptions(String baseUrl, String token) {
    URI uri = URI.create(baseUrl);
    boolean ssl = "https".equals(uri.getScheme()) || "wss".equals(uri.getScheme());
    String path = uri.getPath() == null ? "" : uri.getPath();
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setHost(uri.getHost())
            .setPort(uri.getPort() == -1 ? (ssl ? 443 : 80) : uri.getPort())
            .setSsl(ssl)
            .setURI(path + "/connect");
    if (token != null) {
      options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token);
    }
    return options;
  }
}
