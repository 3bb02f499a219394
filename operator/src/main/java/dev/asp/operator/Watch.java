package dev.asp.operator;

import dev.asp.client.AspClient;
import dev.asp.client.AspEventStream;
import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prints an agent's live event stream, one JSON event per line, until interrupted: {@code java -cp
 * operator/target/asp-operator.jar dev.asp.operator.Watch http://127.0.0.1:8080 <token>}. A small
 * tool for trying the operator by hand; it reconnects by itself, as any ASP client should.
 */
public final class Watch {
  private static final Logger LOG = LoggerFactory.getLogger(Watch.class);

  private Watch() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 2) {
      LOG.error("usage: Watch <operator-url> <agent-token>");
      System.exit(2);
    }
    Vertx vertx = Vertx.vertx();
    AspClient client = AspClient.create(vertx, args[0], args[1]);
    AspEventStream stream = client.connect(event -> LOG.info("{}", event.toJson().encode()));
    CountDownLatch stopped = new CountDownLatch(1);
    stream.stopped().onComplete(done -> stopped.countDown());
    stream
        .connected()
        .onSuccess(v -> LOG.info("connected to {}/connect", args[0]))
        .onFailure(failure -> LOG.error("cannot connect: {}", failure.getMessage()));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stream.close()));
    stopped.await();
    vertx.close();
  }
}
