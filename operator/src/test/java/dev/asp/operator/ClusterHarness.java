package dev.asp.operator;

import dev.asp.client.AspAdminClient;
import dev.asp.client.AspClient;
import dev.asp.storage.DatabaseSettings;
import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestSql;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Several clustered operator nodes in this JVM on loopback: real Hazelcast (TCP-IP join to
 * 127.0.0.1, a cluster name of its own), one shared real PostgreSQL, each node with its own HTTP
 * port. Clients run on a separate, non-clustered Vert.x, as a user's would.
 */
final class ClusterHarness implements AutoCloseable {
  static final String ADMIN_TOKEN = "admin-token-for-the-tests";

  final Vertx clients = Vertx.vertx();
  final List<Operator.Running> nodes = new ArrayList<>();
  private final DatabaseSettings db;
  private final LoopbackCluster cluster;
  private final Map<Integer, RawHttp> http = new HashMap<>();
  private TestSql sql;

  ClusterHarness(DatabaseSettings db, int size) {
    this.db = db;
    this.cluster = new LoopbackCluster("asp-test-", size);
  }

  /** Starts node {@code index} with the given roles and extra settings; waits until it serves. */
  Operator.Running start(int index, String roles, Map<String, String> settings) {
    Map<String, String> env = new HashMap<>();
    env.put("ASP_ROLES", roles);
    env.put("ASP_HTTP_PORT", "0");
    env.put("ASP_MANAGEMENT_PORT", "0");
    env.put("ASP_ADMIN_TOKEN", ADMIN_TOKEN);
    env.put("ASP_BUS_TIMEOUT_MS", "5000");
    env.putAll(cluster.settings(index));
    env.putAll(settings);
    Operator.Running node = Operator.launch(ConfigLoader.load(env), db).await();
    while (nodes.size() <= index) {
      nodes.add(null);
    }
    nodes.set(index, node);
    return node;
  }

  String url(int index) {
    return "http://127.0.0.1:" + nodes.get(index).port();
  }

  AspAdminClient admin(int index) {
    return AspAdminClient.create(clients, url(index), ADMIN_TOKEN);
  }

  /** Registers an open-policy agent through node {@code index}; returns its token. */
  String agent(int index, String handle) {
    return admin(index).createAgent(handle, "open", List.of()).await().token();
  }

  AspClient client(int index, String token) {
    return AspClient.create(clients, url(index), token);
  }

  /** Plain HTTP to node {@code index} (as third-party clients send it), kept until close. */
  RawHttp http(int index) {
    return http.computeIfAbsent(index, i -> new RawHttp(clients, "127.0.0.1", nodes.get(i).port()));
  }

  /** The shared database, read as the test's view of what was committed. */
  TestSql sql() {
    if (sql == null) {
      sql = new TestSql(clients, db);
    }
    return sql;
  }

  /** Stops one node cleanly (it leaves the cluster). */
  void stop(int index) {
    Operator.Running node = nodes.get(index);
    if (node != null) {
      nodes.set(index, null);
      node.close().await();
    }
  }

  @Override
  public void close() {
    List<Future<Void>> closing = new ArrayList<>();
    // newest first: the oldest member is the master, leaving it last avoids a master hand-over
    for (int i = nodes.size() - 1; i >= 0; i--) {
      if (nodes.get(i) != null) {
        closing.add(nodes.get(i).close());
      }
    }
    Future.join(closing).await();
    http.values().forEach(RawHttp::close);
    if (sql != null) {
      sql.close();
    }
    clients.close().await();
  }
}
