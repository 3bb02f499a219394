package dev.asp.examples.echo;

import dev.asp.client.AspClient;
import dev.asp.client.AspClientException;
import dev.asp.client.AspEventStream;
import dev.asp.client.EventStreamOptions;
import dev.asp.protocol.Event;
import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ASP agent to copy: it joins every session it is invited to and answers every message of
 * another participant with the same content. Built on the project's client only:
 *
 * <ul>
 *   <li>one {@link AspEventStream} ({@code WS /connect}) carries everything it reacts to; the
 *       stream reconnects by itself, moves to the next node when several are given, and drops an
 *       event it already handed over (the operator may send a few again after a connection is cut
 *       off), so an answer is never sent twice by one running agent;
 *   <li>each answer carries an idempotency key derived from the message it answers ({@code
 *       echo:<session>:<sequence>}), so even a restarted agent that is sent the message again gets
 *       back the answer already stored, and nothing is appended twice;
 *   <li>REST calls ({@code join}, {@code send}) failing with {@code 503} or a network error are
 *       retried a few times with backoff; other errors (the session ended, the agent left) are
 *       logged and skipped.
 * </ul>
 *
 * <p>Run it: {@code java -jar examples/echo-agent/target/asp-echo-agent.jar <operator-url> <token>
 * <handle> [<more-node-urls>...]}. Everything happens on the verticle's event loop; nothing blocks.
 */
public final class EchoAgent extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(EchoAgent.class);

  /** Attempts of one REST call before it is given up, and the first backoff between them. */
  static final int ATTEMPTS = 5;

  static final Duration FIRST_RETRY = Duration.ofMillis(200);

  /** The metadata key of an answer naming the sequence of the message it answers. */
  public static final String ECHO_OF = "echo_of";

  /**
   * What the agent needs to know.
   *
   * @param url the operator's base URL (REST calls, and the stream unless {@code endpoints} given)
   * @param token the agent's bearer token
   * @param handle the agent's own handle: ASP tells no agent who it is, and the agent must know
   *     which invitations are its own and which messages it sent itself
   * @param endpoints the nodes of a cluster for the stream to fail over between (empty: {@code
   *     url})
   * @param stream the stream's options to start from (backoff, listener); endpoints are set here
   */
  public record Settings(
      String url, String token, String handle, List<String> endpoints, EventStreamOptions stream) {
    public Settings(String url, String token, String handle, List<String> endpoints) {
      this(url, token, handle, endpoints, new EventStreamOptions());
    }
  }

  private final Settings settings;
  private final AtomicLong answers = new AtomicLong();
  private final AtomicLong joins = new AtomicLong();
  private AspClient client;
  private AspEventStream stream;

  public EchoAgent(Settings settings) {
    this.settings = settings;
  }

  /** Completes on the first connection (retrying until the operator answers); fails on a 401. */
  @Override
  public Future<?> start() {
    client = AspClient.create(vertx, settings.url(), settings.token());
    EventStreamOptions options = settings.stream().setEndpoints(settings.endpoints());
    stream = client.connect(this::onEvent, options);
    return stream.connected();
  }

  @Override
  public Future<?> stop() {
    return stream.close().onComplete(closed -> client.close());
  }

  /** The agent's event stream: its connection count, its endpoint, the duplicates it dropped. */
  public AspEventStream stream() {
    return stream;
  }

  /** Answers sent so far (each accepted by the operator). */
  public long answers() {
    return answers.get();
  }

  /** Joins done so far (each accepted by the operator, a repeated one included). */
  public long joins() {
    return joins.get();
  }

  private void onEvent(Event event) {
    JsonObject payload = event.payload() == null ? new JsonObject() : event.payload();
    EventType type = EventType.fromWire(event.type());
    if (type == EventType.INVITED && settings.handle().equals(payload.getString(Fields.INVITEE))) {
      join(event.sessionId());
    } else if (type == EventType.MESSAGE
        && !settings.handle().equals(payload.getString(Fields.SENDER))) {
      answer(event, payload);
    }
  }

  private void join(String sessionId) {
    retrying(() -> client.join(sessionId))
        .onSuccess(
            v -> {
              joins.incrementAndGet();
              LOG.info("joined {}", sessionId);
            })
        .onFailure(failure -> LOG.warn("cannot join {}: {}", sessionId, describe(failure)));
  }

  private void answer(Event message, JsonObject payload) {
    String sessionId = message.sessionId();
    String key = "echo:" + sessionId + ":" + message.sequence();
    JsonObject metadata = new JsonObject().put(ECHO_OF, message.sequence());
    Object content = payload.getValue(Fields.CONTENT);
    retrying(() -> client.send(sessionId, content, key, metadata))
        .onSuccess(
            sent -> {
              answers.incrementAndGet();
              LOG.info(
                  "answered {} #{} from {} with #{}",
                  sessionId,
                  message.sequence(),
                  payload.getString(Fields.SENDER),
                  sent.sequence());
            })
        .onFailure(
            failure ->
                LOG.warn(
                    "cannot answer {} #{}: {}", sessionId, message.sequence(), describe(failure)));
  }

  /** The call, tried again after a 503 or a network error, up to {@link #ATTEMPTS} times. */
  private <T> Future<T> retrying(Supplier<Future<T>> call) {
    return attempt(call, 1);
  }

  private <T> Future<T> attempt(Supplier<Future<T>> call, int attempt) {
    return call.get()
        .recover(
            failure -> {
              if (attempt >= ATTEMPTS || !transientFailure(failure)) {
                return Future.failedFuture(failure);
              }
              long delay = FIRST_RETRY.toMillis() << (attempt - 1);
              return vertx.timer(delay).compose(v -> attempt(call, attempt + 1));
            });
  }

  /** A 503 (the operator shed the request or a part of it is down) or no HTTP answer at all. */
  private static boolean transientFailure(Throwable failure) {
    return failure instanceof AspClientException asp ? asp.status() == 503 : true;
  }

  private static String describe(Throwable failure) {
    return failure instanceof AspClientException ? failure.getMessage() : failure.toString();
  }

  /** {@code EchoAgent <operator-url> <token> <handle> [<more-node-urls>...]}. */
  public static void main(String[] args) throws InterruptedException {
    if (args.length < 3) {
      System.err.println("usage: EchoAgent <operator-url> <agent-token> <handle> [<node-url>...]");
      System.exit(2);
    }
    List<String> endpoints = new ArrayList<>();
    if (args.length > 3) {
      endpoints.add(args[0]);
      endpoints.addAll(List.of(args).subList(3, args.length));
    }
    EventStreamOptions options =
        new EventStreamOptions()
            .setListener(
                new AspEventStream.Listener() {
                  @Override
                  public void connected(int connections) {
                    LOG.info("connected ({} so far)", connections);
                  }

                  @Override
                  public void disconnected(Short code, String reason) {
                    LOG.info("disconnected ({} {})", code, reason);
                  }
                });
    Vertx vertx = Vertx.vertx();
    EchoAgent agent = new EchoAgent(new Settings(args[0], args[1], args[2], endpoints, options));
    CountDownLatch done = new CountDownLatch(1);
    AtomicReference<Throwable> fatal = new AtomicReference<>();
    vertx
        .deployVerticle(agent)
        .compose(
            id -> {
              LOG.info("{} is answering, via {}", args[2], agent.stream().currentEndpoint());
              return agent.stream().stopped();
            })
        .onComplete(
            stopped -> {
              fatal.set(stopped.cause());
              done.countDown();
            });
    // Ctrl-C: undeploy (the stream closes with 1000, so nothing is replayed on the next start).
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await()));
    done.await();
    if (fatal.get() != null) {
      LOG.error("stopped: {}", describe(fatal.get()));
      vertx.close().await();
      System.exit(1);
    }
  }
}
