package dev.asp.session.impl;

import dev.asp.protocol.bus.BusFields;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code AGENT_ONLINE}, {@code AGENT_OFFLINE} and {@code PRESENCE_RESET}: which nodes hold a live
 * connection of each agent, and the grace window of an agent offline everywhere (spec §6, P6).
 *
 * <p>Each change is bookkept first in its own short transaction, serialized per agent by an
 * advisory lock, which decides whether the agent went offline or came back in time. The session
 * events that follow are appended afterwards by {@link PresenceNotices}, one session at a time, so
 * no session lock is held together with the bookkeeping. Only transitions fire anything: a second
 * node's connection coming or going, or a repeated request, changes the rows and nothing else.
 */
public final class Presence {
  private static final Logger LOG = LoggerFactory.getLogger(Presence.class);

  private final Pool pool;
  private final PresenceNotices notices;
  private final long graceMs;

  public Presence(Pool pool, PresenceNotices notices, long graceMs) {
    this.pool = pool;
    this.notices = notices;
    this.graceMs = graceMs;
  }

  /**
   * {@code {agent, node}} → {@code {reconnected:[session_id]}}. Only an agent that was offline
   * everywhere with a grace deadline not yet passed reconnects; one whose deadline passed is left
   * to the sweeper (it came back too late), one without a deadline has nothing to resume.
   */
  public Future<JsonObject> online(JsonObject body) {
    String agent = Requests.handle(body, BusFields.AGENT);
    String node = Requests.node(body);
    return pool.withTransaction(conn -> bookOnline(conn, agent, node))
        .compose(
            change ->
                switch (change) {
                  case ALREADY_ONLINE -> Future.succeededFuture(List.<String>of());
                  case ONLINE -> {
                    LOG.atInfo().addKeyValue("agent", agent).log("agent online");
                    yield Future.succeededFuture(List.<String>of());
                  }
                  case BACK_IN_TIME -> {
                    LOG.atInfo()
                        .addKeyValue("agent", agent)
                        .log("agent back online within its grace window");
                    yield notices.reconnected(agent);
                  }
                })
        .map(sessions -> new JsonObject().put(BusFields.RECONNECTED, new JsonArray(sessions)));
  }

  /** What a connection coming up meant for its agent. */
  private enum OnlineChange {
    /** Another connection was up already. */
    ALREADY_ONLINE,
    /** Its first connection, with no grace window to resume (or one that ran out). */
    ONLINE,
    /** Its first connection since it went offline, within the grace window. */
    BACK_IN_TIME
  }

  private static Future<OnlineChange> bookOnline(SqlConnection conn, String agent, String node) {
    // the lock first, in its own statement: the next one's snapshot must be taken once it is held
    return lockAgent(conn, agent)
        .compose(v -> conn.preparedQuery(SessionQueries.BOOK_ONLINE).execute(Tuple.of(agent, node)))
        .map(
            rows -> {
              Row row = rows.iterator().next();
              if (row.getBoolean("was_online")) {
                return OnlineChange.ALREADY_ONLINE;
              }
              return row.getBoolean("back_in_time")
                  ? OnlineChange.BACK_IN_TIME
                  : OnlineChange.ONLINE;
            });
  }

  /**
   * {@code {agent, node}} → {@code {disconnected:[session_id]}}. A node that was not recorded for
   * the agent (a repeat, or already forgotten by a reset) changes nothing.
   */
  public Future<JsonObject> offline(JsonObject body) {
    String agent = Requests.handle(body, BusFields.AGENT);
    String node = Requests.node(body);
    return pool.withTransaction(
            conn -> bookOffline(conn, agent, SessionQueries.DELETE_PRESENCE, Tuple.of(agent, node)))
        .compose(wentOffline -> wentOffline ? disconnect(agent) : Future.succeededFuture(List.of()))
        .map(sessions -> new JsonObject().put(BusFields.DISCONNECTED, new JsonArray(sessions)));
  }

  /**
   * {@code {live_nodes:[node]}} or {@code {dead_nodes:[node]}}, optionally {@code min_age_ms} →
   * {@code {offline:[agent]}}: forgets the connections of every node not live (or of the dead ones)
   * recorded at least {@code min_age_ms} ago; the agents left without one go offline as with {@link
   * #offline}, one after the other. The age guard lets a periodic check pass a member list that may
   * miss a node which joined a moment ago: that node's rows are too young to be touched.
   */
  /** Agents of a presence reset taken offline at the same time. */
  static final int RESET_LANES = 4;

  public Future<JsonObject> reset(JsonObject body) {
    boolean byDead = body.containsKey(BusFields.DEAD_NODES);
    String[] nodes = Requests.nodes(body, byDead ? BusFields.DEAD_NODES : BusFields.LIVE_NODES);
    String select = byDead ? SessionQueries.AGENTS_ON_NODES : SessionQueries.AGENTS_ON_DEAD_NODES;
    String delete =
        byDead
            ? SessionQueries.DELETE_PRESENCE_ON_NODES
            : SessionQueries.DELETE_PRESENCE_ON_DEAD_NODES;
    long minAgeMs = Requests.nonNegativeLong(body, BusFields.MIN_AGE_MS);
    return pool.preparedQuery(select)
        .execute(Tuple.of(nodes, minAgeMs))
        .compose(
            rows -> {
              // Agents are independent (each under its own lock): a few lanes, each one by one,
              // so thousands of agents of a crashed node go offline in seconds without flooding
              // the pool.
              List<String> offline = new ArrayList<>();
              List<Future<List<String>>> lanes = new ArrayList<>();
              for (int lane = 0; lane < RESET_LANES; lane++) {
                lanes.add(Future.succeededFuture(offline));
              }
              int i = 0;
              for (Row row : rows) {
                String agent = row.getString("agent");
                int lane = i++ % RESET_LANES;
                lanes.set(
                    lane,
                    lanes
                        .get(lane)
                        .compose(done -> forgetNodes(agent, delete, nodes, minAgeMs, done)));
              }
              return Future.all(lanes).map(all -> offline);
            })
        .map(offline -> new JsonObject().put(BusFields.OFFLINE, new JsonArray(offline)));
  }

  private Future<List<String>> forgetNodes(
      String agent, String delete, String[] nodes, long minAgeMs, List<String> offline) {
    return pool.withTransaction(
            conn -> bookOffline(conn, agent, delete, Tuple.of(agent, nodes, minAgeMs)))
        .compose(
            wentOffline -> {
              if (!wentOffline) {
                return Future.succeededFuture(offline);
              }
              offline.add(agent);
              return disconnect(agent).map(sessions -> offline);
            });
  }

  /**
   * Removes some of the agent's presence rows with {@code delete}; true when that removed its last
   * one, which opens its grace window.
   */
  private Future<Boolean> bookOffline(
      SqlConnection conn, String agent, String delete, Tuple deleteArgs) {
    return lockAgent(conn, agent)
        .compose(v -> conn.preparedQuery(delete).execute(deleteArgs))
        // Nothing removed: this was not a transition, whatever else is recorded.
        .compose(
            removed ->
                removed.size() == 0
                    ? Future.succeededFuture(false)
                    : present(conn, agent).map(stillOnline -> !stillOnline))
        .compose(
            lastGone -> {
              if (!lastGone) {
                return Future.succeededFuture(false);
              }
              return conn.preparedQuery(SessionQueries.START_GRACE)
                  .execute(Tuple.of(agent, graceMs))
                  .map(true);
            });
  }

  private Future<List<String>> disconnect(String agent) {
    LOG.atInfo()
        .addKeyValue("agent", agent)
        .addKeyValue("grace_ms", graceMs)
        .log("agent offline everywhere: grace window started");
    return notices.disconnected(agent);
  }

  private static Future<Void> lockAgent(SqlConnection conn, String agent) {
    return conn.preparedQuery(SessionQueries.LOCK_AGENT_PRESENCE)
        .execute(Tuple.of(agent))
        .mapEmpty();
  }

  private static Future<Boolean> present(SqlConnection conn, String agent) {
    return conn.preparedQuery(SessionQueries.AGENT_PRESENT)
        .execute(Tuple.of(agent))
        .map(rows -> rows.iterator().next().getBoolean("present"));
  }
}
