package dev.asp.client;

import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Event;
import dev.asp.protocol.EventType;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A tiny stand-in for an operator's {@code WS /connect}: authenticates the upgrade request the way
 * a gateway does (401 with a JSON error body), then hands each accepted socket to the test along
 * with its 1-based connection number. Records what it saw.
 */
final class FakeOperator {
  static final String TOKEN = "tok_alice";

  /** Authorization header of every upgrade request, accepted or not, in order. */
  final List<String> authorizations = new CopyOnWriteArrayList<>();

  final List<String> paths = new CopyOnWriteArrayList<>();

  /** Close code seen by the operator for each accepted socket that ended. */
  final List<Short> closeCodes = new CopyOnWriteArrayList<>();

  /** System.nanoTime() of each ended socket, and of each upgrade request. */
  final List<Long> closedAt = new CopyOnWriteArrayList<>();

  final List<Long> upgradedAt = new CopyOnWriteArrayList<>();

  private final AtomicInteger accepted = new AtomicInteger();
  private volatile BiConsumer<Integer, ServerWebSocket> onSocket = (n, ws) -> {};
  private volatile int refusing;
  private final HttpServer server;

  FakeOperator(Vertx vertx) {
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                request -> {
                  upgradedAt.add(System.nanoTime());
                  String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
                  authorizations.add(String.valueOf(authorization));
                  paths.add(request.path());
                  if (!("Bearer " + TOKEN).equals(authorization)) {
                    reject(request, 401, ErrorCode.UNAUTHENTICATED, "unknown token");
                    return;
                  }
                  if (refusing != 0) {
                    reject(request, refusing, ErrorCode.UNAVAILABLE, "refused by the test");
                    return;
                  }
                  request
                      .toWebSocket()
                      .onSuccess(
                          ws -> {
                            ws.closeHandler(v -> ended(ws.closeStatusCode()));
                            onSocket.accept(accepted.incrementAndGet(), ws);
                          });
                });
  }

  FakeOperator start() {
    server.listen(0, "127.0.0.1").await();
    return this;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** Answers every upgrade request with {@code status} (an error body) instead of accepting it. */
  FakeOperator refuse(int status) {
    this.refusing = status;
    return this;
  }

  /** What to do with each accepted socket (runs on that socket's context). */
  FakeOperator onSocket(BiConsumer<Integer, ServerWebSocket> handler) {
    this.onSocket = handler;
    return this;
  }

  private static void reject(
      HttpServerRequest request, int status, ErrorCode code, String message) {
    JsonObject error = new JsonObject().put("code", code.wireCode()).put("message", message);
    request
        .response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", error).encode());
  }

  private synchronized void ended(Short closeCode) {
    closeCodes.add(closeCode);
    closedAt.add(System.nanoTime());
    notifyAll();
  }

  /** Waits until {@code n} accepted sockets have ended; returns their close codes. */
  synchronized List<Short> awaitCloses(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (closeCodes.size() < n) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IllegalStateException("only " + closeCodes + " closed, expected " + n);
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return List.copyOf(closeCodes);
  }

  int accepted() {
    return accepted.get();
  }

  static Event event(String sessionId, long sequence) {
    return event(sessionId, sequence, new JsonObject().put("n", sequence));
  }

  static Event event(String sessionId, long sequence, JsonObject payload) {
    return new Event(
        EventType.MESSAGE.wire(),
        sessionId,
        "evt_" + sessionId.toUpperCase().replace("_", "") + sequence,
        sequence,
        1_700_000_000_000L + sequence,
        payload);
  }

  static String frame(Event event) {
    return event.toJson().encode();
  }
}
