package dev.asp.gateway.impl.a2a;

import dev.asp.gateway.A2aGatewaySettings;
import dev.asp.protocol.a2a.A2aFields;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /a2a/events/stream?node_id&duration_ms&cursor} (hub spec §5.5): the node's pull view
 * as Server-Sent Events. The stream is a reader of the <em>poll</em> channel, so §5.3 holds for it
 * one frame at a time: a frame counts as delivered once its write completed, a newer poll or stream
 * of the node supersedes it (it then ends), and a frame that was never written comes again first.
 *
 * <p>Before anything is streamed, failures are ordinary A2A error bodies: {@code validation_error}
 * (a bad {@code duration_ms}, {@code cursor} or {@code Last-Event-ID}), {@code
 * node_secret_required} / {@code node_secret_invalid} (Bearer header only: secrets in URLs end up
 * in logs), {@code sender_mismatch} ({@code ?node_id} names another node), {@code rate_limited}
 * (stream openings count with polls), {@code server_busy} (the first pull failed). Once the {@code
 * 200} is sent, a failure ends the stream and the client reconnects.
 */
final class EventStreamRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(EventStreamRoutes.class);

  static final String PATH = "/a2a/events/stream";
  static final String DURATION_MS = "duration_ms";
  static final String LAST_EVENT_ID = "Last-Event-ID";
  static final long DEFAULT_DURATION_MS = 300_000;
  static final String CONTENT_TYPE = "text/event-stream";

  /** Sent first: how long an {@code EventSource} waits before it reconnects. */
  private static final Buffer RETRY = Buffer.buffer("retry: 5000\n\n");

  private static final Buffer PING = Buffer.buffer(": ping\n\n");

  /**
   * Least time between the starts of two pulls of one stream when the first found nothing: a
   * verticle that answers at once (a wait capped to 0, or shutting down) must not make a stream
   * spin on the database.
   */
  private static final long MIN_PULL_INTERVAL_MS = 1000;

  private final A2aAuth auth;
  private final A2aGatewaySettings settings;
  private final Pulling pulling;

  EventStreamRoutes(A2aAuth auth, A2aGatewaySettings settings, Pulling pulling) {
    this.auth = auth;
    this.settings = settings;
    this.pulling = pulling;
  }

  void mount(Router router) {
    router.get(PATH).handler(this::open);
  }

  /** Everything is checked, the caller counted and a first pull taken before the 200 goes out. */
  private void open(RoutingContext ctx) {
    String given = nodeId(ctx);
    long durationMs = duration(ctx);
    Long cursor = resumeCursor(ctx);
    String requestId = UUID.randomUUID().toString();
    auth.puller(ctx, given, settings.limiter(), settings.pollLimit())
        .compose(
            caller ->
                // no wait: the headers go out at once, and a failure here is still a body
                pulling
                    .pull(caller, Pulling.POLL, requestId, cursor, settings.pollBatch(), 0, true)
                    .onSuccess(
                        first ->
                            new Stream(ctx, caller, requestId, durationMs, System.nanoTime())
                                .start(first)))
        .onFailure(ctx::fail);
  }

  private static String nodeId(RoutingContext ctx) {
    String value = ctx.queryParams().get(A2aFields.NODE_ID);
    if (value == null) {
      return null;
    }
    if (value.length() > A2aBodies.MAX_ID) {
      throw A2aErrors.invalid(
          A2aFields.NODE_ID, "at most " + A2aBodies.MAX_ID + " characters", value, "too long");
    }
    A2aBodies.check(value, A2aFields.NODE_ID, 0);
    return value;
  }

  /** Default 300000 ms; a larger value than {@code ASP_A2A_SSE_MAX_MS} is capped to it. */
  private long duration(RoutingContext ctx) {
    String value = ctx.queryParams().get(DURATION_MS);
    if (value == null || value.isEmpty()) {
      return Math.min(DEFAULT_DURATION_MS, settings.sseMaxMs());
    }
    if (!value.matches("-?[0-9]{1,18}")) {
      throw A2aErrors.invalid(DURATION_MS, "integer", value, "duration_ms must be an integer");
    }
    long duration = Long.parseLong(value);
    if (duration < 1) {
      throw A2aErrors.invalid(DURATION_MS, ">= 1", duration, "duration_ms must be at least 1");
    }
    return Math.min(duration, settings.sseMaxMs());
  }

  /**
   * {@code Last-Event-ID} wins over {@code ?cursor}: an {@code EventSource} reconnects to the same
   * URL, so the header is the newer of the two.
   */
  private static Long resumeCursor(RoutingContext ctx) {
    String header = ctx.request().getHeader(LAST_EVENT_ID);
    if (header != null && !header.isBlank()) {
      return cursor(LAST_EVENT_ID, header.trim());
    }
    String query = ctx.queryParams().get(A2aFields.CURSOR);
    if (query != null && !query.isEmpty()) {
      return cursor(A2aFields.CURSOR, query);
    }
    return null;
  }

  private static Long cursor(String name, String value) {
    if (!value.matches("[0-9]{1,18}")) {
      throw A2aErrors.invalid(
          name, "a cursor from an earlier event", value, name + " is not one we issued");
    }
    return Long.parseLong(value);
  }

  static Buffer frame(JsonObject event) {
    String id = event.getString(A2aFields.CURSOR);
    // JSON text never holds a raw line break, so the envelope is exactly one data line
    return Buffer.buffer(
        (id == null ? "" : "id: " + id + "\n") + "data: " + event.encode() + "\n\n");
  }

  /**
   * One open stream: pull, write the frames, report them written, pull again (under the same
   * request id, without taking the channel back), until the duration ends, a newer reader takes
   * over or the client goes away. Everything runs on the event loop of the request.
   */
  private final class Stream {
    private final HttpServerResponse response;
    private final Vertx vertx;
    private final String caller;
    private final String requestId;
    private final long deadlineNanos;
    private final long keepaliveMs;

    /** The client went away: no more pulls, no more writes. */
    private boolean closed;

    /** We ended (or reset) the response. */
    private boolean finished;

    /** Frames of the current batch are being written (their futures not all complete). */
    private boolean writing;

    /** A pull is out: the deadline lets it come back by itself (its wait ends with the stream). */
    private boolean pullOut;

    private long pingTimer = -1;
    private long deadlineTimer = -1;
    private long pacingTimer = -1;

    Stream(RoutingContext ctx, String caller, String requestId, long durationMs, long startNanos) {
      this.response = ctx.response();
      this.vertx = ctx.vertx();
      this.caller = caller;
      this.requestId = requestId;
      this.deadlineNanos = startNanos + TimeUnit.MILLISECONDS.toNanos(durationMs);
      this.keepaliveMs = settings.sseKeepaliveMs();
    }

    void start(JsonObject first) {
      if (response.closed()) {
        // gone before the first pull came back: its rows were never written and come again
        return;
      }
      response
          .setStatusCode(200)
          .setChunked(true)
          .putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE)
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
          // a reverse proxy (nginx) must not hold frames back
          .putHeader("X-Accel-Buffering", "no");
      response.closeHandler(v -> onClosed());
      response.exceptionHandler(
          failure -> LOG.debug("SSE stream of {}: {}", caller, failure.toString()));
      response.write(RETRY);
      schedulePing();
      deadlineTimer = vertx.setTimer(Math.max(1, remainingMs()), t -> onDeadline());
      deliver(first, System.nanoTime(), 0);
    }

    private long remainingMs() {
      return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    }

    /** What a pull brought: frames to write, or nothing (pull again, or end). */
    private void deliver(JsonObject batch, long pullStartedNanos, long waitedMs) {
      if (closed || finished) {
        return; // its rows were handed out but never written: they come again, first
      }
      if (batch.getBoolean(Pulling.SUPERSEDED, false)) {
        finish(); // a newer poll or stream of this node took the channel
        return;
      }
      JsonArray events = batch.getJsonArray(A2aFields.EVENTS, new JsonArray());
      if (events.isEmpty()) {
        if (remainingMs() <= 0) {
          finish();
        } else if (waitedMs == 0 || batch.getBoolean(A2aFields.HAS_MORE, false)) {
          pull(); // the first pull did not wait; or there is more to look through at once
        } else {
          pace(pullStartedNanos);
        }
        return;
      }
      write(events);
    }

    /** Writes the batch frame by frame; reports those written in full, then goes on. */
    private void write(JsonArray events) {
      writing = true;
      List<Future<Void>> writes = new ArrayList<>(events.size());
      for (int i = 0; i < events.size(); i++) {
        writes.add(response.write(frame(events.getJsonObject(i))));
      }
      schedulePing(); // the stream is not idle
      Future.join(writes)
          .onComplete(
              all -> {
                writing = false;
                JsonArray written = new JsonArray();
                for (int i = 0; i < writes.size(); i++) {
                  Long number = number(events.getJsonObject(i));
                  if (writes.get(i).succeeded() && number != null) {
                    written.add(number);
                  }
                }
                // the next pull acknowledges the written rows: it must not start before they are
                pulling.written(caller, Pulling.POLL, written).onComplete(v -> afterWrite());
              });
    }

    private Long number(JsonObject event) {
      String cursor = event.getString(A2aFields.CURSOR);
      return cursor == null || !cursor.matches("[0-9]{1,18}") ? null : Long.parseLong(cursor);
    }

    private void afterWrite() {
      if (closed || finished) {
        return;
      }
      if (remainingMs() <= 0) {
        finish();
        return;
      }
      if (response.writeQueueFull()) {
        // backpressure: the next pull waits until the client read what is queued
        response.drainHandler(
            v -> {
              response.drainHandler(null);
              afterWrite();
            });
        return;
      }
      pull();
    }

    /**
     * A wait came back empty: pull again, but never sooner than the least interval after the last
     * pull started (normally long past: an empty answer comes when the wait is over).
     */
    private void pace(long pullStartedNanos) {
      long floor = Math.min(MIN_PULL_INTERVAL_MS, keepaliveMs);
      long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pullStartedNanos);
      if (elapsed >= floor) {
        pull();
        return;
      }
      pacingTimer =
          vertx.setTimer(
              floor - elapsed,
              t -> {
                pacingTimer = -1;
                pull();
              });
    }

    /** A follow-up pull: same request id, never taking the channel back from a newer reader. */
    private void pull() {
      if (closed || finished) {
        return;
      }
      long left = remainingMs();
      if (left <= 0) {
        finish();
        return;
      }
      long started = System.nanoTime();
      long waitMs = Math.min(keepaliveMs, left);
      pullOut = true;
      pulling
          .pull(caller, Pulling.POLL, requestId, null, settings.pollBatch(), waitMs, false)
          .onComplete(result -> onPulled(result, started, waitMs));
    }

    private void onPulled(AsyncResult<JsonObject> result, long started, long waitMs) {
      pullOut = false;
      if (result.failed()) {
        if (!closed && !finished) {
          LOG.debug("SSE stream of {} ends: pull failed: {}", caller, result.cause().toString());
        }
        finish(); // the client reconnects; anything handed out comes again
        return;
      }
      deliver(result.result(), started, waitMs);
    }

    private void schedulePing() {
      if (pingTimer != -1) {
        vertx.cancelTimer(pingTimer);
      }
      pingTimer = vertx.setTimer(keepaliveMs, t -> ping());
    }

    private void ping() {
      pingTimer = -1;
      if (closed || finished) {
        return;
      }
      if (!response.writeQueueFull()) {
        response.write(PING);
      }
      schedulePing();
    }

    /** The duration is over. A pull out comes back by itself: its wait ends with the stream. */
    private void onDeadline() {
      deadlineTimer = -1;
      if (!pullOut) {
        finish();
      }
    }

    private void onClosed() {
      closed = true;
      cancelTimers();
    }

    /**
     * Ends the response cleanly; one the client does not read (frames still queued) is reset
     * instead: its unwritten frames come again on the next request.
     */
    private void finish() {
      if (finished) {
        return;
      }
      finished = true;
      cancelTimers();
      if (closed || response.ended()) {
        return;
      }
      if (writing || response.writeQueueFull()) {
        response.reset();
      } else {
        response.end();
      }
    }

    private void cancelTimers() {
      for (long timer : new long[] {pingTimer, deadlineTimer, pacingTimer}) {
        if (timer != -1) {
          vertx.cancelTimer(timer);
        }
      }
      pingTimer = -1;
      deadlineTimer = -1;
      pacingTimer = -1;
    }
  }
}
