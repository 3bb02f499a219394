package dev.asp.delivery.impl;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import java.util.ArrayDeque;

/**
 * One live WebSocket of an agent, written only from the delivery context so events reach it in the
 * order they were sent (spec §6: never write one socket from two places). When the socket's bounded
 * write queue is full, frames wait in a small pending queue and the pipeline stops producing for
 * the agent until it drains (P7); a connection that stays blocked past the slow-consumer timeout is
 * closed and replays when it comes back.
 *
 * <p><b>Confirmation.</b> ASP has no acknowledgements, and a frame the kernel took is not a frame
 * the peer read: a host that dies or drops off the network takes with it what was still in the
 * socket buffers. So a frame counts as delivered (its {@code flushed} handler runs, and the cursor
 * may be saved past it) only once the peer answered a ping sent after it — pongs come back in
 * order, after everything before the ping was read. A ping goes out after each burst of writes, at
 * most once per confirmation interval (the cursor flush interval: confirming more often would not
 * save anything sooner). However the connection ends — a clean close (1000) included — the frames
 * no pong confirmed are sent again on the next connection (the client drops repeats by session and
 * sequence): a peer's close frame confirms nothing, since a client that has sent it reads no more
 * (RFC 6455 §7.1.4; the browser API drops data received while closing), and the frames written
 * while it was on its way crossed it unread. Nor does a pong that follows the close frame: Netty's
 * decoder discards everything after a close frame, so it never reaches {@link #ponged}. Unconfirmed
 * frames count against the write queue, so a peer that reads but never answers pings is treated as
 * a slow consumer.
 */
final class Connection {
  /** Frames written but not yet confirmed beyond which the agent's pipeline waits. */
  static final int MAX_UNCONFIRMED = 8192;

  private static final byte CONFIRM_TAG = 'c';

  private record Pending(String text, Handler<Void> flushed) {}

  final ServerWebSocket socket;
  final String agent;

  /** The connection opted in to extension events ({@code ?extensions=a2a}). */
  final boolean extensions;

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
  private ArrayDeque<Handler<Void>> unconfirmed = new ArrayDeque<>();
  private ArrayDeque<Handler<Void>> awaitingPong = new ArrayDeque<>();
  private long pingSequence;
  private long outstandingPing;
  private long lastConfirmPingAt;
  private boolean confirmTimerArmed;
  private final java.util.List<Promise<Void>> confirmWaiters = new java.util.ArrayList<>();

  /** Least time between two confirmation pings of this connection. */
  private final long confirmIntervalMs;

  Connection(String agent, ServerWebSocket socket, Context context, long confirmIntervalMs) {
    this(agent, socket, context, confirmIntervalMs, false);
  }

  Connection(
      String agent,
      ServerWebSocket socket,
      Context context,
      long confirmIntervalMs,
      boolean extensions) {
    this.agent = agent;
    this.extensions = extensions;
    this.socket = socket;
    this.context = context;
    this.confirmIntervalMs = confirmIntervalMs;
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
    if (confirmFull()) {
      blocked();
      return true;
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
    if (written && !closed) {
      unconfirmed.add(flushed);
      requestConfirmation();
    }
    // else: written into a connection that has ended, unconfirmed: the next one gets it again
    if (--inFlight == 0 && settled != null) {
      settled.tryComplete();
    }
  }

  /** Too many frames await the peer's confirmation: wait for its pongs before writing more. */
  private boolean confirmFull() {
    return unconfirmed.size() + awaitingPong.size() >= MAX_UNCONFIRMED;
  }

  private void requestConfirmation() {
    if (closed || outstandingPing != 0 || unconfirmed.isEmpty() || confirmTimerArmed) {
      return;
    }
    long wait = lastConfirmPingAt + confirmIntervalMs - System.currentTimeMillis();
    if (wait > 0) {
      confirmTimerArmed = true;
      context
          .owner()
          .setTimer(
              wait,
              t -> {
                confirmTimerArmed = false;
                sendConfirmPing();
              });
      return;
    }
    sendConfirmPing();
  }

  private void sendConfirmPing() {
    if (closed || outstandingPing != 0 || unconfirmed.isEmpty()) {
      return;
    }
    ArrayDeque<Handler<Void>> batch = awaitingPong;
    awaitingPong = unconfirmed;
    unconfirmed = batch;
    outstandingPing = ++pingSequence;
    lastConfirmPingAt = System.currentTimeMillis();
    try {
      socket.writePing(Buffer.buffer(9).appendByte(CONFIRM_TAG).appendLong(outstandingPing));
    } catch (IllegalStateException closedMeanwhile) {
      markClosed();
    }
  }

  /** A pong arrived (on our context): confirms what was written before its ping. */
  void ponged(Buffer payload) {
    if (payload.length() != 9
        || payload.getByte(0) != CONFIRM_TAG
        || payload.getLong(1) != outstandingPing
        || outstandingPing == 0) {
      return; // a liveness pong, or one for a ping of an earlier batch
    }
    outstandingPing = 0;
    confirm(awaitingPong);
    if (unconfirmed.isEmpty()) {
      completeConfirmWaiters();
    } else {
      requestConfirmation();
    }
    if (!closed && (blockedSince != 0 || !pending.isEmpty())) {
      drainArmed = true; // confirmations may have made room
      drain();
    }
  }

  private void confirm(ArrayDeque<Handler<Void>> frames) {
    Handler<Void> flushed;
    while ((flushed = frames.poll()) != null) {
      flushed.handle(null);
    }
  }

  /**
   * Completes once every frame written so far is confirmed (a ping is sent at once for them), or
   * never if the peer does not answer: bound it. Used when handing over at shutdown, so the cursor
   * saved there counts exactly what the peer has.
   */
  Future<Void> confirmed() {
    if (unconfirmed.isEmpty() && awaitingPong.isEmpty()) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    confirmWaiters.add(done);
    lastConfirmPingAt = 0;
    requestConfirmation();
    return done.future();
  }

  private void completeConfirmWaiters() {
    if (awaitingPong.isEmpty() && unconfirmed.isEmpty()) {
      confirmWaiters.forEach(Promise::tryComplete);
      confirmWaiters.clear();
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
    // the socket may have drained on its own thread before the handler was set (a wait for
    // confirmations ends with a pong instead, see ponged)
    if (!socket.isClosed() && !socket.writeQueueFull() && !confirmFull()) {
      context.runOnContext(x -> drain());
    }
  }

  private void drain() {
    if (!drainArmed) {
      return;
    }
    drainArmed = false;
    boolean progress = false;
    while (!closed && !pending.isEmpty() && !full()) {
      Pending next = pending.poll();
      send(next.text(), next.flushed());
      progress = true;
    }
    if (closed) {
      return;
    }
    if (pending.isEmpty() && !full()) {
      blockedSince = 0;
      onDrained.run();
    } else {
      if (progress) {
        blockedSince = System.currentTimeMillis(); // the timer restarts for what still waits
      }
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
    // not known to have been read, even after a clean close: the next connection gets these again
    unconfirmed.clear();
    awaitingPong.clear();
    confirmWaiters.forEach(Promise::tryComplete);
    confirmWaiters.clear();
  }
}
