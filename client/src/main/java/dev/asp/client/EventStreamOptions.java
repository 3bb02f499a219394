package dev.asp.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link AspEventStream} connects and reconnects. The stream copies these values when it is
 * created; changing the options afterwards does not affect it.
 *
 * <pre>{@code
 * AspEventStream stream = client.connect(recorder, new EventStreamOptions()
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

  private boolean reconnect = true;
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

  /** The largest text message (one event) accepted; a larger one closes the connection (1009). */
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
}
