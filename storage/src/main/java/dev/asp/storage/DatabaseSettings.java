package dev.asp.storage;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

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
    return pool(vertx, name, poolSize, Map.of());
  }

  /**
   * A pool of its own size whose connections start with the PostgreSQL run-time settings {@code
   * serverSettings} (sent in the startup message, as {@code SET} would), for the one job that needs
   * them.
   */
  public Pool pool(Vertx vertx, String name, int size, Map<String, String> serverSettings) {
    PoolOptions options = new PoolOptions().setMaxSize(size).setMaxWaitQueueSize(waitQueue);
    PgConnectOptions connect = connectOptions();
    if (!serverSettings.isEmpty()) {
      Map<String, String> properties = new HashMap<>(connect.getProperties());
      properties.putAll(serverSettings);
      connect.setProperties(properties);
    }
    if (name != null) {
      options.setName(name);
      connect.setMetricsName(name);
    }
    return PgBuilder.pool().with(options).connectingTo(connect).using(vertx).build();
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
