package dev.asp.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How an {@link AspEventStream} connects and reconnects. The stream copies these values when it is
 * created; changing the options afterwards does not affect it.
 *
 * <pre>{@code
 * AspEventStream stream = client.connect(recorder, new EventStreamOptions()
 *     .setEndpoints(List.of("http://node-a:8080", "http://node-b:8080"))
 *     .setBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
 *     .setListener(new AspEventStream.Listener() {
 *       public void disconnected(Short code, String reason) { ... }
 *     }));
 * }</pre>
 */
public final class EventStreamOptions {
  public static final Duration DEFAULT_BACKOFF_BASE = Duration.ofMillis(250);
  public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(10);
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Large enough for a message at any sane operator limit; Vert.x's default (256 KiB) would close
   * the stream on one large message and then fail the same way on every replay.
   */
  public static final int DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

  private static final Set<String> SCHEMES = Set.of("http", "https", "ws", "wss");

  private boolean reconnect = true;
  private List<String> endpoints = List.of();
  private boolean dropDuplicates = true;
  private Duration backoffBase = DEFAULT_BACKOFF_BASE;
  private Duration backoffMax = DEFAULT_BACKOFF_MAX;
  private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
  private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
  private int receiveBufferSize = -1;
  private AspEventStream.Listener listener = new AspEventStream.Listener() {};

  /** Whether to reconnect after a close or a failed attempt (default true). A 401 never retries. */
  public EventStreamOptions setReconnect(boolean reconnect) {
    this.reconnect = reconnect;
    return this;
  }

  /**
   * The operator nodes to connect to, as base URLs like {@link AspClient}'s ({@code
   * http://host:port[/path]}; {@code /connect} is appended). The stream connects to the first and
   * moves to the next one, round-robin, before every reconnect: after a failed attempt, a close or
   * a drop, since the node it used may be the one that died. Every endpoint must serve the same
   * operator (a cluster's nodes): the stream's state, such as which events it already delivered,
   * spans them. Null or empty (the default) uses the client's own base URL.
   *
   * @throws IllegalArgumentException if an entry is not an http(s) or ws(s) URL with a host
   */
  public EventStreamOptions setEndpoints(List<String> baseUrls) {
    List<String> copy = baseUrls == null ? List.of() : List.copyOf(baseUrls);
    copy.forEach(EventStreamOptions::checkBaseUrl);
    this.endpoints = copy;
    return this;
  }

  /**
   * Whether to drop an event the stream has already handed over (same session and sequence), which
   * is the default. ASP promises no duplicates, but after a node <em>crash</em> the node taking
   * over replays from cursors saved in batches, so it may resend a few events the dead node had
   * already written. Turn it off to see the operator's raw stream (a test checking the server
   * itself, say). Dropped events are counted by {@link AspEventStream#duplicatesDropped()}.
   *
   * <p>The stream remembers, per session, the sequences delivered as runs of consecutive ones (one
   * run for an in-order stream, whatever its length), for up to 10,000 sessions (the least recently
   * active forgotten first) and 32 runs per session (the lowest forgotten first). Beyond those
   * bounds a repeat may get through; an event is never dropped unless it was delivered before.
   */
  public EventStreamOptions setDropDuplicates(boolean dropDuplicates) {
    this.dropDuplicates = dropDuplicates;
    return this;
  }

  /** The full-jitter backoff window: retry n waits random(0, min(max, base·2^n)). */
  public EventStreamOptions setBackoff(Duration base, Duration max) {
    this.backoffBase = Objects.requireNonNull(base);
    this.backoffMax = Objects.requireNonNull(max);
    return this;
  }

  /** Bound on TCP connect and on the upgrade handshake, each. */
  public EventStreamOptions setConnectTimeout(Duration connectTimeout) {
    this.connectTimeout = Objects.requireNonNull(connectTimeout);
    return this;
  }

  /**
   * Fixes the socket's receive buffer (SO_RCVBUF) instead of letting the kernel grow it (up to tens
   * of MiB on Linux): a client that stops reading then pushes back on the operator quickly, which
   * is what a slow consumer looks like. -1 (the default) keeps the system's choice.
   */
  public EventStreamOptions setReceiveBufferSize(int bytes) {
    this.receiveBufferSize = bytes;
    return this;
  }

  public int getReceiveBufferSize() {
    return receiveBufferSize;
  }

  /** The largest text message (one event) accepted; a larger one closes the connection (1009). */
  public EventStreamOptions setMaxMessageSize(int maxMessageSize) {
    this.maxMessageSize = maxMessageSize;
    return this;
  }

  /** Notified of connection state changes, on the stream's context. */
  public EventStreamOptions setListener(AspEventStream.Listener listener) {
    this.listener = Objects.requireNonNull(listener);
    return this;
  }

  public boolean isReconnect() {
    return reconnect;
  }

  /** The endpoints given, or an empty list for the client's own base URL. */
  public List<String> getEndpoints() {
    return endpoints;
  }

  public boolean isDropDuplicates() {
    return dropDuplicates;
  }

  public Duration getBackoffBase() {
    return backoffBase;
  }

  public Duration getBackoffMax() {
    return backoffMax;
  }

  public Duration getConnectTimeout() {
    return connectTimeout;
  }

  public int getMaxMessageSize() {
    return maxMessageSize;
  }

  public AspEventStream.Listener getListener() {
    return listener;
  }

  private static void checkBaseUrl(String baseUrl) {
    URI uri = URI.create(baseUrl);
    if (uri.getScheme() == null || !SCHEMES.contains(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("not an http(s) or ws(s) base URL: " + baseUrl);
    }
  }
}
