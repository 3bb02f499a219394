package dev.asp.a2a.impl;

import dev.asp.protocol.EventOrigin;
import dev.asp.protocol.Ids;
import dev.asp.protocol.ParticipantStatus;
import dev.asp.protocol.SessionKind;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.session.log.Announcement;
import dev.asp.session.log.Committed;
import dev.asp.session.log.EventAnnouncer;
import dev.asp.session.log.EventLog;
import dev.asp.session.log.SessionSnapshot;
import dev.asp.session.log.Sessions;
import dev.asp.session.log.TrustGate;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscription notices (hub spec §9), an outbox. {@link #queue} runs inside a board change's
 * transaction and inserts one {@code a2a_notices} row per matching subscriber in one statement;
 * {@link #deliver} runs after commit (and from the sweeper, for rows a dying node left): it asks
 * trust with no lock held, then per subscriber claims the rows and appends them to the node's
 * {@code notice} session in one transaction. A row refused by trust is marked delivered with no
 * event, so each (subscriber, task, type) gets at most one notice, ever.
 */
public final class Notices {
  static final String TOPIC_TASK_AVAILABLE = "a2a.topic_task_available";
  static final String KNOWLEDGE_UPDATE = "a2a.knowledge_update";

  /** Rows read per delivery pass; a full pass is followed by another at once. */
  static final int BATCH = 200;

  private static final Logger LOG = LoggerFactory.getLogger(Notices.class);

  private final Pool pool;
  private final TrustGate trust;
  private final EventAnnouncer announcer;
  private final EventViews views;
  private boolean running;
  private boolean again;

  public Notices(Pool pool, TrustGate trust, EventAnnouncer announcer, EventViews views) {
    this.pool = pool;
    this.trust = trust;
    this.announcer = announcer;
    this.views = views;
  }

  /**
   * Inside a board change of a public session: queues {@code type} for every subscriber to a signal
   * of {@code tasks}, except {@code actor}. Answers whether any row was queued.
   */
  static Future<Boolean> queue(
      SqlConnection conn,
      A2aSession session,
      String type,
      List<Task> tasks,
      String actor,
      long now) {
    if (!session.isPublic()) {
      return Future.succeededFuture(false);
    }
    String[] ids =
        tasks.stream().filter(t -> !t.signals().isEmpty()).map(Task::id).toArray(String[]::new);
    if (ids.length == 0) {
      return Future.succeededFuture(false);
    }
    return conn.preparedQuery(A2aQueries.QUEUE_NOTICES)
        .execute(Tuple.of(ids, session.id(), type, actor, now))
        .map(rows -> rows.rowCount() > 0);
  }

  /**
   * Delivers what is pending, in passes of {@link #BATCH}. One pass at a time per node: a call
   * while one runs makes it run once more when it ends. Failures are logged; the sweeper's next
   * call tries again.
   */
  public void deliver() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    pass()
        .onComplete(
            done -> {
              running = false;
              if (done.failed()) {
                LOG.warn("notice delivery failed; the next sweep retries", done.cause());
              } else if (done.result() || again) {
                deliver();
              }
            });
  }

  /** One pass: answers whether it was full (there may be more). */
  private Future<Boolean> pass() {
    return pool.preparedQuery(A2aQueries.PENDING_NOTICES)
        .execute(Tuple.of(BATCH))
        .compose(
            rows -> {
              if (rows.size() == 0) {
                return Future.succeededFuture(false);
              }
              // subscriber → session → owner, and the tasks to claim per subscriber
              Map<String, Map<String, List<String>>> byOwner = new TreeMap<>();
              Map<String, Set<String>> tasksByNode = new TreeMap<>();
              for (Row row : rows) {
                String node = row.getString("node");
                byOwner
                    .computeIfAbsent(row.getString("owner"), o -> new TreeMap<>())
                    .computeIfAbsent(node, n -> new ArrayList<>())
                    .add(row.getString("task_id"));
                tasksByNode
                    .computeIfAbsent(node, n -> new HashSet<>())
                    .add(row.getString("task_id"));
              }
              return allowed(byOwner)
                  .compose(allowed -> deliverAll(tasksByNode, allowed))
                  .map(v -> rows.size() == BATCH);
            });
  }

  /** The (subscriber, task) pairs trust allows: the subscriber and the owner reach each other. */
  private Future<Set<String>> allowed(Map<String, Map<String, List<String>>> byOwner) {
    List<Future<List<String>>> asked = new ArrayList<>();
    List<Map<String, List<String>>> groups = new ArrayList<>();
    for (Map.Entry<String, Map<String, List<String>>> owner : byOwner.entrySet()) {
      groups.add(owner.getValue());
      asked.add(trust.reachable(owner.getKey(), List.copyOf(owner.getValue().keySet()), List.of()));
    }
    return Future.all(asked)
        .map(
            all -> {
              Set<String> pairs = new HashSet<>();
              for (int i = 0; i < groups.size(); i++) {
                List<String> reachable = all.resultAt(i);
                for (String node : reachable) {
                  for (String task : groups.get(i).get(node)) {
                    pairs.add(node + '\n' + task);
                  }
                }
              }
              return pairs;
            });
  }

  /** One subscriber after the other, in handle order: each in its own transaction. */
  private Future<Void> deliverAll(Map<String, Set<String>> tasksByNode, Set<String> allowed) {
    Future<Void> chain = Future.succeededFuture();
    for (Map.Entry<String, Set<String>> entry : tasksByNode.entrySet()) {
      String node = entry.getKey();
      String[] tasks = entry.getValue().toArray(String[]::new);
      chain =
          chain.compose(
              v ->
                  pool.withTransaction(conn -> deliver(conn, node, tasks, allowed))
                      .map(
                          committed -> {
                            announcer.announce(committed);
                            return null;
                          }));
    }
    return chain;
  }

  private Future<Committed> deliver(
      SqlConnection conn, String node, String[] tasks, Set<String> allowed) {
    return conn.preparedQuery(A2aQueries.LOCK_NOTICE_NODE)
        .execute(Tuple.of(node))
        .compose(
            locked ->
                conn.preparedQuery(A2aQueries.CLAIM_NOTICES)
                    .execute(Tuple.tuple().addString(node).addArrayOfString(tasks)))
        .compose(
            claimed -> {
              List<Row> shown = new ArrayList<>();
              for (Row row : claimed) {
                if (allowed.contains(node + '\n' + row.getString("task_id"))) {
                  shown.add(row);
                }
              }
              if (shown.isEmpty()) {
                return Future.succeededFuture(Committed.replay(new JsonObject()));
              }
              shown.sort(
                  Comparator.comparingLong((Row r) -> r.getLong("created_at"))
                      .thenComparing(r -> r.getString("type"))
                      .thenComparing(r -> r.getString("task_id")));
              return session(conn, node)
                  .compose(
                      log -> {
                        for (Row row : shown) {
                          log.append(row.getString("type"), null, payload(row), null);
                        }
                        return log.write(conn);
                      })
                  .map((Announcement a) -> new Committed(new JsonObject(), a));
            });
  }

  /**
   * The log of {@code node}'s notice session under its row lock: the one it has, or a new one when
   * it has none or it ended (the node alone, joined). The advisory lock already held makes this the
   * only transaction deciding it.
   */
  private static Future<EventLog> session(SqlConnection conn, String node) {
    long now = System.currentTimeMillis();
    return conn.preparedQuery(A2aQueries.NOTICE_SESSION)
        .execute(Tuple.of(node))
        .compose(
            rows -> {
              if (rows.size() == 0) {
                return open(conn, node, now, A2aQueries.INSERT_NOTICE_SESSION);
              }
              String id = rows.iterator().next().getString("session_id");
              return SessionSnapshot.lockAny(conn, id, node)
                  .compose(
                      snapshot ->
                          snapshot.active() && snapshot.callerStatus() == ParticipantStatus.JOINED
                              ? Future.succeededFuture(snapshot.log(now, EventOrigin.HUB))
                              : open(conn, node, now, A2aQueries.REPLACE_NOTICE_SESSION));
            });
  }

  private static Future<EventLog> open(SqlConnection conn, String node, long now, String record) {
    String id = Ids.newSessionId();
    return Sessions.insert(
            conn, id, SessionKind.NOTICE, Sessions.PRIVATE, 1, null, node, now, EventOrigin.HUB)
        .compose(log -> conn.preparedQuery(record).execute(Tuple.of(node, id)).map(v -> log));
  }

  /** The §5.2 payload of a claimed row, from the task as it is now. */
  private JsonObject payload(Row row) {
    String sessionId = row.getString("session_id");
    JsonObject payload =
        new JsonObject()
            .put(A2aFields.TOPIC, row.getString("topic"))
            .put(A2aFields.SESSION_ID, sessionId)
            .put(A2aFields.TASK_ID, row.getString("task_id"))
            .put(A2aFields.TITLE, row.getString("title"));
    JsonArray signals = new JsonArray(List.of(row.getArrayOfStrings("signals")));
    if (TOPIC_TASK_AVAILABLE.equals(row.getString("type"))) {
      return payload
          .put(A2aFields.DESCRIPTION, row.getString("description"))
          .put(A2aFields.SIGNALS, signals)
          .put(A2aFields.CONTRIBUTION_WEIGHT, row.getDouble("contribution_weight"))
          .put(A2aFields.DETAIL_URL, detailUrl(sessionId));
    }
    return payload
        .put(A2aFields.SIGNALS, signals)
        .put(A2aFields.RESULT_ASSET_ID, row.getString("result_asset_id"))
        .put(A2aFields.SUMMARY, row.getString("summary"))
        .put(A2aFields.SUBMITTED_BY, views.wire(row.getString("assigned_to")));
  }

  static String detailUrl(String sessionId) {
    return "/a2a/session/board?session_id=" + sessionId;
  }
}
