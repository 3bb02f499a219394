package dev.asp.testkit.openapi;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A gateway seen through a {@link RecordingProxy}: tests talk to {@link #port()} instead of the
 * gateway's own port, and {@link #close()} checks everything that crossed it against the OpenAPI
 * description on the classpath ({@value #DESCRIPTION}, the gateway's resource), failing with every
 * departure. The relay and the check run on a Vert.x instance of their own, so they outlive the
 * node under test and see its shutdown as a client would.
 */
public final class CheckedGateway implements AutoCloseable {
  /** Where the gateway module keeps its description (and serves it from). */
  public static final String DESCRIPTION = "openapi/asp.json";

  private static final int SHOWN = 25;
  private static Vertx vertx;
  private static ContractCheck check;

  private final RecordingProxy proxy;

  private CheckedGateway(RecordingProxy proxy) {
    this.proxy = proxy;
  }

  /** A recording relay in front of the gateway listening on {@code 127.0.0.1:port}. */
  public static CheckedGateway inFrontOf(int port) {
    return new CheckedGateway(RecordingProxy.start(vertx(), "127.0.0.1", port));
  }

  public int port() {
    return proxy.port();
  }

  public List<Exchange> exchanges() {
    return proxy.exchanges();
  }

  /** Stops relaying, then fails if anything recorded departs from the description. */
  @Override
  public void close() {
    proxy.close();
    List<String> problems = check().problems(proxy.exchanges());
    if (!problems.isEmpty()) {
      StringBuilder message =
          new StringBuilder(problems.size() + " exchanges depart from " + DESCRIPTION + ":");
      problems.stream().limit(SHOWN).forEach(p -> message.append("\n  ").append(p));
      if (problems.size() > SHOWN) {
        message.append("\n  …");
      }
      throw new AssertionError(message.toString());
    }
  }

  /** The description's check, loaded once per test JVM. */
  public static synchronized ContractCheck check() {
    if (check == null) {
      check = ContractCheck.load(vertx(), description());
    }
    return check;
  }

  /** The description as the gateway module ships it. */
  public static JsonObject description() {
    try (InputStream in = CheckedGateway.class.getClassLoader().getResourceAsStream(DESCRIPTION)) {
      if (in == null) {
        throw new IllegalStateException(DESCRIPTION + " is not on the classpath");
      }
      return new JsonObject(Buffer.buffer(in.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static synchronized Vertx vertx() {
    if (vertx == null) {
      vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2));
    }
    return vertx;
  }
}
