package dev.asp.storage;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.ClientBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Where the operator's PostgreSQL is, how many connections a verticle may hold and how many of its
 * requests may wait for one. Built from a {@code postgresql://user:password@host:port/database}
 * URL; the password is never printed ({@link #toString()} omits it).
 *
 * @param waitQueue requests that may wait for a connection of one pool; one more is shed (answered
 *     503). Short queries each take about a millisecond, so thousands clear well within the bus
 *     timeout: a reconnect storm waits here instead of being turned away.
 */
public record DatabaseSettings(
    String host,
    int port,
    String database,
    String user,
    String password,
    int poolSize,
    int waitQueue) {

  /** Requests that may wait per pooled connection unless configured otherwise. */
  public static final int DEFAULT_WAITING_PER_CONNECTION = 512;

  public DatabaseSettings(
      String host, int port, String database, String user, String password, int poolSize) {
    this(host, port, database, user, password, poolSize, poolSize * DEFAULT_WAITING_PER_CONNECTION);
  }

  public DatabaseSettings withWaitQueue(int waiting) {
    return new DatabaseSettings(host, port, database, user, password, poolSize, waiting);
  }

  /** Parses a {@code postgresql://} (or {@code postgres://}) URL; throws with a clear message. */
  public static DatabaseSettings fromUrl(String url, int poolSize) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "not a valid URL (expected postgresql://user:password@host:port/db)");
    }
    if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
      throw new IllegalArgumentException("must start with postgresql://");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("has no host");
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    String database = path.startsWith("/") ? path.substring(1) : path;
    if (database.isEmpty()) {
      throw new IllegalArgumentException("has no database name");
    }
    String user = "postgres";
    String password = null;
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = decode(parts[0]);
      password = parts.length > 1 ? decode(parts[1]) : null;
    }
    int port = uri.getPort() == -1 ? 5432 : uri.getPort();
    return new DatabaseSettings(uri.getHost(), port, database, user, password, poolSize);
  }

  public PgConnectOptions connectOptions() {
    PgConnectOptions options =
        new PgConnectOptions()
            .setHost(host)
            .setPort(port)
            .setDatabase(database)
            .setUser(user)
            .setCachePreparedStatements(true)
            .setReconnectAttempts(2)
            .setReconnectInterval(500);
    if (password != null) {
      options.setPassword(password);
    }
    return options;
  }

  /** A pool on the calling verticle's context; close it in the verticle's stop. */
  public Pool pool(Vertx vertx) {
    return pool(vertx, null);
  }

  /**
   * The same, named (or not, with null): the name labels the pool's metrics ({@code vertx_pool_*},
   * and {@code vertx_sql_*} as their {@code namespace}).
   */
  public Pool pool(Vertx vertx, String name) {
    return pool(vertx, name, poolSize, List.of());
  }

  /**
   * A pool of its own size whose every new connection first runs {@code onConnect} (session
   * settings such as {@code SET plan_cache_mode = …}), for the one job that needs them. They are
   * statements, not startup parameters, so a pooler in front of PostgreSQL (PgBouncer refuses
   * startup parameters it does not know) passes them.
   */
  public Pool pool(Vertx vertx, String name, int size, List<String> onConnect) {
    PoolOptions options = new PoolOptions().setMaxSize(size).setMaxWaitQueueSize(waitQueue);
    PgConnectOptions connect = connectOptions();
    if (name != null) {
      options.setName(name);
      connect.setMetricsName(name);
    }
    ClientBuilder<Pool> builder = PgBuilder.pool().with(options).connectingTo(connect);
    if (!onConnect.isEmpty()) {
      builder.withConnectHandler(
          conn -> {
            Future<Void> done = Future.succeededFuture();
            for (String sql : onConnect) {
              done = done.compose(v -> conn.query(sql).execute().<Void>mapEmpty());
            }
            // the connection goes back to the pool either way; without its settings it still
            // answers correctly, only slower (the caller's reason for the settings)
            done.onComplete(v -> conn.close());
          });
    }
    return builder.using(vertx).build();
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  public DatabaseSettings withDatabase(String otherDatabase) {
    return new DatabaseSettings(host, port, otherDatabase, user, password, poolSize, waitQueue);
  }

  @Override
  public String toString() {
    return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
  }

  private static String decode(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }
}
