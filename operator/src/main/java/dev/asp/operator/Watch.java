package dev.asp.operator;

import dev.asp.client.AspClient;
import dev.asp.client.AspEventStream;
import dev.asp.client.EventStreamOptions;
import dev.asp.operator.logging.ConsoleLogs;
import dev.asp.protocol.Event;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Prints an agent's live event stream until interrupted: {@code java -cp
 * operator/target/asp-operator.jar dev.asp.operator.Watch http://127.0.0.1:8080 <token>}. A small
 * tool for trying the operator by hand; it reconnects by itself, as any ASP client should.
 *
 * <p>Standard output carries only the events, one JSON object per line, so it can be piped into
 * {@code jq}; the watcher's own status (connected, closed with a code, reconnecting, stopped) and
 * every log line go to standard error. Exit status: 1 when the stream stopped by itself (a rejected
 * token), 2 on bad usage, 0 when the reader of standard output went away; Ctrl-C closes the socket
 * with 1000 and ends the process as a signal does.
 */
public final class Watch {
  private Watch() {}

  public static void main(String[] args) throws InterruptedException {
    ConsoleLogs.toStandardError(); // before Vert.x or Netty could write a line to stdout
    if (args.length != 2) {
      System.err.println("usage: Watch <operator-url> <agent-token>");
      System.exit(2);
    }
    String url = args[0];
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Vertx vertx = Vertx.vertx();
    CountDownLatch stopped = new CountDownLatch(1);
    Status status = new Status(url, new AtomicBoolean(), new AtomicInteger());
    AspEventStream stream =
        AspClient.create(vertx, url, args[1])
            .connect(
                event -> print(out, event, stopped), new EventStreamOptions().setListener(status));
    stream.stopped().onComplete(done -> stopped.countDown());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> close(status, stream), "watch-close"));
    stopped.await();
    close(status, stream);
    vertx.close().toCompletionStage().toCompletableFuture().join();
    System.exit(status.exitCode().get());
  }

  /** Ctrl-C or the end: close with 1000, which the status then does not call a drop. */
  private static void close(Status status, AspEventStream stream) {
    status.closing().set(true);
    try {
      stream.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the process ends anyway; the operator notices the dropped socket by its ping
    }
  }

  /**
   * One event, one line; a reader that went away ({@code | head}) ends the watch. Written on the
   * stream's own event loop, on purpose: a reader slower than the stream stalls that loop, which
   * stops reading the socket, so the backpressure reaches the operator instead of a queue here (the
   * operator may then close with 4001, and the reconnect replays from the cursor).
   */
  private static void print(PrintStream out, Event event, CountDownLatch stopped) {
    out.println(event.toJson().encode());
    if (out.checkError()) {
      stopped.countDown();
    }
  }

  /** The stream's state changes, as lines on standard error. */
  private record Status(String url, AtomicBoolean closing, AtomicInteger exitCode)
      implements AspEventStream.Listener {
    @Override
    public void connected(int connections) {
      status("connected to " + url + "/connect" + (connections > 1 ? " (again)" : ""));
    }

    @Override
    public void disconnected(Short closeCode, String closeReason) {
      status(
          "closed with code "
              + closeCode
              + (closeReason == null || closeReason.isEmpty() ? "" : " (" + closeReason + ")")
              + (closing.get() ? "" : ", reconnecting"));
    }

    @Override
    public void connectFailed(Throwable cause, Duration retryIn) {
      status(
          "cannot connect ("
              + cause.getMessage()
              + "), reconnecting in "
              + retryIn.toMillis()
              + " ms");
    }

    @Override
    public void stopped(Throwable cause) {
      if (cause != null) {
        exitCode.set(1);
        status("stopped: " + cause.getMessage());
      }
    }

    private static void status(String line) {
      System.err.println("watch: " + line);
    }
  }
}
