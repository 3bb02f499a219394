package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real Server-Sent Events client for the tests: it reads the chunked body line by line and
 * dispatches events as an {@code EventSource} does (a blank line ends an event; {@code :} starts a
 * comment; {@code id}, {@code data}, {@code retry}, {@code event} are fields). Every line is also
 * kept as it came, so a test can check the wire itself. Blocking: call from the test thread.
 */
final class SseReader implements AutoCloseable {
  /** What the stream produced, in order. */
  sealed interface Item permits Event, Comment, End {}

  /** A dispatched event: its {@code id} field (null without one) and its data. */
  record Event(String id, String data) implements Item {
    JsonObject json() {
      return new JsonObject(data);
    }
  }

  record Comment(String text) implements Item {}

  /** The response ended; {@code clean} false when the connection failed instead. */
  record End(boolean clean) implements Item {}

  final int status;
  final MultiMap headers;

  /** The body of a non-200 answer (an error), else null. */
  final String errorBody;

  final List<String> lines = new CopyOnWriteArrayList<>();
  private final BlockingQueue<Item> items = new LinkedBlockingQueue<>();
  private final HttpClientResponse response;

  /** The server ended the response: the connection went back to the pool. */
  private volatile boolean ended;

  // parser state, touched only on the event loop
  private StringBuilder data;
  private String id;

  private SseReader(HttpClientResponse response, String errorBody) {
    this.response = response;
    this.status = response.statusCode();
    this.headers = response.headers();
    this.errorBody = errorBody;
  }

  /**
   * Opens {@code GET uri}; returns once the headers (and, for an error, the whole body) arrived.
   * With {@code pauseAtFirstId} the reader stops reading the body at the first {@code id:} line:
   * the server's frames then pile up in the connection, as with a client that stopped reading.
   */
  static SseReader open(
      HttpClient client,
      int port,
      String uri,
      String bearer,
      String lastEventId,
      boolean pauseAtFirstId) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost("127.0.0.1")
            .setPort(port)
            .setURI(uri)
            .putHeader("Accept", "text/event-stream");
    if (bearer != null) {
      options.putHeader("Authorization", "Bearer " + bearer);
    }
    if (lastEventId != null) {
      options.putHeader("Last-Event-ID", lastEventId);
    }
    CompletableFuture<SseReader> opened = new CompletableFuture<>();
    java.util.function.Consumer<HttpClientResponse> onResponse =
        response -> {
          // handlers are set here, on the event loop, before any of the body is handled
          if (response.statusCode() != 200) {
            response
                .body()
                .onSuccess(body -> opened.complete(new SseReader(response, body.toString())))
                .onFailure(opened::completeExceptionally);
            return;
          }
          SseReader reader = new SseReader(response, null);
          RecordParser parser =
              RecordParser.newDelimited(
                  "\n", line -> reader.onLine(line, pauseAtFirstId, response));
          response.handler(parser);
          response.endHandler(
              v -> {
                reader.ended = true;
                reader.items.add(new End(true));
              });
          response.exceptionHandler(e -> reader.items.add(new End(false)));
          opened.complete(reader);
        };
    client
        .request(options)
        // attached inside the compose, on the event loop, before the response can arrive: attached
        // from the test thread after the send, it could run once the body was already gone (under
        // load), and the open would hang
        .compose(request -> request.send().onSuccess(onResponse::accept))
        .onFailure(opened::completeExceptionally);
    try {
      return opened.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the stream did not open: " + e, e);
    }
  }

  private void onLine(Buffer raw, boolean pauseAtFirstId, HttpClientResponse response) {
    String line = raw.toString();
    if (line.endsWith("\r")) {
      line = line.substring(0, line.length() - 1);
    }
    lines.add(line.length() > 200 ? line.substring(0, 200) + "…" : line);
    if (line.isEmpty()) {
      if (data != null) {
        String text = data.toString();
        items.add(new Event(id, text.endsWith("\n") ? text.substring(0, text.length() - 1) : text));
      }
      data = null;
      id = null;
      return;
    }
    if (line.startsWith(":")) {
      items.add(new Comment(line.substring(1).trim()));
      return;
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "data" -> {
        if (data == null) {
          data = new StringBuilder();
        }
        data.append(value).append('\n');
      }
      case "id" -> {
        id = value;
        if (pauseAtFirstId) {
          response.pause();
        }
      }
      default -> {
        // retry, event: kept in lines for the assertions
      }
    }
  }

  /** The next item, or fails after {@code timeout}. */
  Item next(Duration timeout) {
    try {
      Item item = items.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (item == null) {
        fail("nothing arrived on the stream within " + timeout + "; lines so far: " + lines);
      }
      return item;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The next event, passing over comments; fails when the stream ends first. */
  Event nextEvent(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Item item = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      if (item instanceof Event event) {
        return event;
      }
      if (item instanceof End) {
        fail("the stream ended before an event arrived; lines: " + lines);
      }
    }
  }

  /** The next {@code count} events, in order. */
  List<Event> events(int count, Duration timeout) {
    List<Event> events = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (events.size() < count) {
      events.add(nextEvent(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))));
    }
    return events;
  }

  /**
   * Reads until an item matches, returning every event seen before it; fails when none arrives in
   * time.
   */
  List<Event> eventsUntil(Predicate<Item> stop, Duration timeout) {
    List<Event> events = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Item item = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      if (stop.test(item)) {
        return events;
      }
      if (item instanceof Event event) {
        events.add(event);
      } else if (item instanceof End) {
        fail("the stream ended early; lines: " + lines);
      }
    }
  }

  /** Waits for the end of the response and returns the events before it. */
  List<Event> untilEnd(Duration timeout) {
    List<Event> events = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Item item = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      if (item instanceof End end) {
        assertEquals(true, end.clean(), "the server ends the stream cleanly; lines: " + lines);
        return events;
      }
      if (item instanceof Event event) {
        events.add(event);
      }
    }
  }

  static boolean isPing(Item item) {
    return item instanceof Comment comment && comment.text().equals("ping");
  }

  String header(String name) {
    String value = headers.get(name);
    assertNotNull(value, name + " header");
    return value;
  }

  /**
   * The client goes away: the connection is closed under the response (one the server ended is left
   * to the pool: it may already carry another request).
   */
  @Override
  public void close() {
    if (ended || status != 200) {
      return;
    }
    try {
      response.request().connection().close().await(5, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the connection did not close", e);
    }
  }
}
