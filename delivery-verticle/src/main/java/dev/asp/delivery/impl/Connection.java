package dev.asp.delivery.impl;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import java.util.ArrayDeque;

/**
 * One live WebSocket of an agent, written only from the delivery context so events reach it in the
 * order they were sent (spec §6: never write one socket from two places). When the socket's bounded
 * write queue is full, frames wait in a small pending queue and the pipeline stops producing for
 * the agent until it drains (P7); a connection that stays blocked past the slow-consumer timeout is
 * closed and replays when it comes back.
 */
final class Connection {
  private record Pending(String text, Handler<Void> flushed) {}

  final ServerWebSocket socket;
  final String agent;
  private final Context context;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private volatile long lastSeen = System.currentTimeMillis();
  private long blockedSince;
  private boolean drainArmed;
  private boolean closed;
  private int inFlight;
  private boolean aborted;
  private Promise<Void> settled;
  private Runnable onDrained = () -> {};

  Connection(String agent, ServerWebSocket socket, Context context) {
    this.agent = agent;
    this.socket = socket;
    this.context = context;
  }

  void onDrained(Runnable action) {
    this.onDrained = action;
  }

  /** Writes a frame now if the socket can take it, else queues it until the socket drains. */
  void write(String text, Handler<Void> flushed) {
    if (closed) {
      return;
    }
    if (pending.isEmpty() && !full()) {
      send(text, flushed);
      return;
    }
    if (closed) {
      return;
    }
    pending.add(new Pending(text, flushed));
    blocked();
  }

  /** Whether frames are waiting: the pipeline produces nothing more for the agent meanwhile. */
  boolean backedUp() {
    return !closed && (!pending.isEmpty() || full());
  }

  /** Since when frames have been waiting without the socket draining, or 0. */
  long blockedSince() {
    return blockedSince;
  }

  /** The socket may have been closed by the peer before our close handler ran. */
  private boolean full() {
    if (!closed && socket.isClosed()) {
      markClosed();
    }
    if (closed) {
      return false;
    }
    try {
      if (socket.writeQueueFull()) {
        blocked();
        return true;
      }
      return false;
    } catch (IllegalStateException closedMeanwhile) {
      markClosed();
      return false;
    }
  }

  /** Frames wait, or would: be told when the socket drains, and time how long it takes. */
  private void blocked() {
    if (blockedSince == 0) {
      blockedSince = System.currentTimeMillis();
    }
    armDrain();
  }

  private void send(String text, Handler<Void> flushed) {
    if (closed) {
      return;
    }
    inFlight++;
    socket
        .writeTextMessage(text)
        .onComplete(
            written -> {
              // completions may come on the socket's own thread; cursors live on ours
              if (Vertx.currentContext() == context) {
                completed(written.succeeded(), flushed);
              } else {
                context.runOnContext(v -> completed(written.succeeded(), flushed));
              }
            });
  }

  private void completed(boolean written, Handler<Void> flushed) {
    if (aborted) {
      return;
    }
    if (written) {
      flushed.handle(null);
    }
    if (--inFlight == 0 && settled != null) {
      settled.tryComplete();
    }
  }

  /**
   * Completes once every frame handed to the socket is either written out or failed: a frame still
   * queued when the connection is closed may yet reach the peer before the close frame, and the
   * cursor must know before it is saved, or the next connection would get it twice.
   */
  Future<Void> settled() {
    if (inFlight == 0) {
      return Future.succeededFuture();
    }
    if (settled == null) {
      settled = Promise.promise();
    }
    return settled.future();
  }

  private void armDrain() {
    if (drainArmed) {
      return;
    }
    drainArmed = true;
    socket.drainHandler(v -> context.runOnContext(x -> drain()));
    // the socket may have drained on its own thread before the handler was set
    if (!socket.isClosed() && !socket.writeQueueFull()) {
      context.runOnContext(x -> drain());
    }
  }

  private void drain() {
    if (!drainArmed) {
      return;
    }
    drainArmed = false;
    while (!closed && !pending.isEmpty() && !full()) {
      Pending next = pending.poll();
      send(next.text(), next.flushed());
    }
    if (closed) {
      return;
    }
    if (pending.isEmpty() && !full()) {
      blockedSince = 0;
      onDrained.run();
    } else {
      // progress was made; the timer restarts for what still waits
      blockedSince = System.currentTimeMillis();
      armDrain();
    }
  }

  /** Any frame or pong proves the peer alive; called from the socket's own thread. */
  void seen() {
    lastSeen = System.currentTimeMillis();
  }

  long lastSeen() {
    return lastSeen;
  }

  boolean closed() {
    return closed;
  }

  void close(short code, String reason) {
    if (!closed) {
      markClosed();
      socket.close(code, reason);
    }
  }

  /**
   * Drops the TCP connection without waiting for the close handshake: a peer that does not read
   * never gets the close frame, which waits behind the frames it did not read. Frames Vert.x still
   * holds then fail (and will be replayed); what the kernel already took reaches the peer first.
   */
  void abort() {
    markClosed();
    if (socket instanceof WebSocketInternal internal) {
      internal.channelHandlerContext().channel().close();
    }
    // Vert.x does not complete the futures of frames it was still holding: they were not sent,
    // so they count as failed and the cursor can be saved now.
    aborted = true;
    inFlight = 0;
    if (settled != null) {
      settled.tryComplete();
    }
  }

  /**
   * Forgets the frames waiting for the socket to drain (the node is handing over): they were never
   * written, so the cursor does not count them and the next connection replays them.
   */
  void dropPending() {
    pending.clear();
  }

  void markClosed() {
    closed = true;
    pending.clear();
  }
}
