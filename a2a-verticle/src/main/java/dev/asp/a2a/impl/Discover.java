package dev.asp.a2a.impl;

import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.bus.BusFields;
import dev.asp.session.log.TrustGate;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code DISCOVER} (hub spec §9): open, unassigned tasks of public active sessions the caller could
 * join, ranked lexically. PostgreSQL full-text search ({@code 'simple'}: no stemming, no stop
 * words) over the stored {@code search} vector — title and signals weight A, description weight B —
 * gives {@code ts_rank_cd} against {@code websearch_to_tsquery(query)}, mapped to 0..1 as r/(r+1);
 * the capability overlap |caps ∩ signals| / |caps| is added. Nothing here is semantic: a synonym
 * does not match.
 *
 * <p>The database ranks at most {@link #CANDIDATES_PER_RESULT} × limit candidates through the
 * partial indexes on open tasks; trust then keeps the sessions the caller could join (it and the
 * owner reach each other, and it has no block with any joined member, as for a public join) with
 * two bus questions for all of them, asked with no transaction open.
 */
public final class Discover {
  /** Candidates ranked per result asked, so sessions refused by trust rarely shorten the page. */
  static final int CANDIDATES_PER_RESULT = 3;

  private final Pool pool;
  private final TrustGate trust;
  private final EventViews views;

  public Discover(Pool pool, TrustGate trust, EventViews views) {
    this.pool = pool;
    this.trust = trust;
    this.views = views;
  }

  /** One ranked candidate task. */
  private record Candidate(Row row, double score) {
    String sessionId() {
      return row.getString("session_id");
    }
  }

  /**
   * {@code {caller, query?, capabilities:[normalised], signals:[normalised], limit}} → {@code
   * {tasks, sessions, count:{tasks, sessions}, method:"lexical"}}.
   */
  public Future<JsonObject> discover(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    String query = body.getString(A2aFields.QUERY);
    String[] caps = strings(body.getJsonArray(A2aFields.CAPABILITIES));
    String[] signals = strings(body.getJsonArray(A2aFields.SIGNALS));
    int limit = body.getInteger(A2aFields.LIMIT, 10);
    boolean ranked = query != null || caps.length > 0;
    Tuple params =
        Tuple.tuple()
            .addString(query)
            .addArrayOfString(caps)
            .addArrayOfString(signals)
            .addInteger(limit * CANDIDATES_PER_RESULT)
            .addString(caller);
    return pool.preparedQuery(ranked ? A2aQueries.DISCOVER_RANKED : A2aQueries.DISCOVER_NEWEST)
        .execute(params)
        .compose(
            rows -> {
              List<Candidate> candidates = new ArrayList<>();
              for (Row row : rows) {
                candidates.add(new Candidate(row, row.getDouble("score")));
              }
              return joinable(caller, candidates)
                  .compose(joinable -> answer(candidates, joinable, limit));
            });
  }

  /** The candidate sessions trust lets the caller join, and every candidate's joined count. */
  private record Joinable(Set<String> allowed, Map<String, Long> joined) {}

  /** The candidate sessions trust lets the caller join. */
  private Future<Joinable> joinable(String caller, List<Candidate> candidates) {
    Map<String, String> owners = new LinkedHashMap<>();
    for (Candidate candidate : candidates) {
      owners.put(candidate.sessionId(), candidate.row().getString("owner"));
    }
    if (owners.isEmpty()) {
      return Future.succeededFuture(new Joinable(Set.of(), Map.of()));
    }
    String[] ids = owners.keySet().toArray(String[]::new);
    return pool.preparedQuery(A2aQueries.JOINED_OF_SESSIONS)
        .execute(Tuple.tuple().addArrayOfString(ids))
        .compose(
            rows -> {
              Map<String, List<String>> members = new HashMap<>();
              Map<String, Long> joined = new HashMap<>();
              Set<String> everyone = new HashSet<>();
              for (Row row : rows) {
                String handle = row.getString("handle");
                joined.merge(row.getString("session_id"), 1L, Long::sum);
                if (!handle.equals(caller)) {
                  members
                      .computeIfAbsent(row.getString("session_id"), s -> new ArrayList<>())
                      .add(handle);
                  everyone.add(handle);
                }
              }
              List<String> others =
                  owners.values().stream().distinct().filter(o -> !o.equals(caller)).toList();
              Future<List<String>> reachable = trust.reachable(caller, others, List.of());
              Future<Set<String>> blocked = trust.blockedAmong(caller, List.copyOf(everyone));
              return Future.all(reachable, blocked)
                  .map(
                      v -> {
                        Set<String> reach = new HashSet<>(reachable.result());
                        reach.add(caller);
                        Set<String> allowed = new HashSet<>();
                        for (Map.Entry<String, String> session : owners.entrySet()) {
                          List<String> in = members.getOrDefault(session.getKey(), List.of());
                          if (reach.contains(session.getValue())
                              && in.stream().noneMatch(blocked.result()::contains)) {
                            allowed.add(session.getKey());
                          }
                        }
                        return new Joinable(allowed, joined);
                      });
            });
  }

  private Future<JsonObject> answer(List<Candidate> candidates, Joinable joinable, int limit) {
    Set<String> allowed = joinable.allowed();
    JsonArray tasks = new JsonArray();
    // sessions in the order of their best task, with that task's score
    Map<String, Candidate> best = new LinkedHashMap<>();
    for (Candidate candidate : candidates) {
      if (!allowed.contains(candidate.sessionId())) {
        continue;
      }
      best.putIfAbsent(candidate.sessionId(), candidate);
      if (tasks.size() < limit) {
        tasks.add(task(candidate));
      }
    }
    List<String> ids = best.keySet().stream().limit(limit).toList();
    if (ids.isEmpty()) {
      return Future.succeededFuture(reply(tasks, new JsonArray()));
    }
    String[] array = ids.toArray(String[]::new);
    return pool.preparedQuery(A2aQueries.OPEN_TASKS_OF_SESSIONS)
        .execute(Tuple.tuple().addArrayOfString(array))
        .map(Discover::counts)
        .map(
            open -> {
              JsonArray sessions = new JsonArray();
              for (String id : ids) {
                Candidate top = best.get(id);
                sessions.add(
                    new JsonObject()
                        .put(A2aFields.ID, id)
                        .put(A2aFields.SESSION_ID, id)
                        .put(A2aFields.TITLE, top.row().getString("session_title"))
                        .put(A2aFields.OPEN_TASK_COUNT, open.getOrDefault(id, 0L))
                        .put(A2aFields.PARTICIPANT_COUNT, joinable.joined().getOrDefault(id, 0L))
                        .put(A2aFields.SCORE, top.score())
                        .put(A2aFields.DETAIL_URL, Notices.detailUrl(id)));
              }
              return reply(tasks, sessions);
            });
  }

  private static JsonObject task(Candidate candidate) {
    Row row = candidate.row();
    return new JsonObject()
        .put(A2aFields.TASK_ID, row.getString("task_id"))
        .put(A2aFields.SESSION_ID, candidate.sessionId())
        .put(A2aFields.TITLE, row.getString("title"))
        .put(A2aFields.DESCRIPTION, row.getString("description"))
        .put(A2aFields.SIGNALS, new JsonArray(List.of(row.getArrayOfStrings("signals"))))
        .put(A2aFields.CONTRIBUTION_WEIGHT, row.getDouble("contribution_weight"))
        .put(A2aFields.SCORE, candidate.score())
        .put(A2aFields.DETAIL_URL, Notices.detailUrl(candidate.sessionId()));
  }

  private static JsonObject reply(JsonArray tasks, JsonArray sessions) {
    return new JsonObject()
        .put(A2aFields.TASKS, tasks)
        .put(A2aFields.SESSIONS, sessions)
        .put(
            A2aFields.COUNT,
            new JsonObject()
                .put(A2aFields.TASKS, tasks.size())
                .put(A2aFields.SESSIONS, sessions.size()))
        .put(A2aFields.METHOD, "lexical");
  }

  private static Map<String, Long> counts(io.vertx.sqlclient.RowSet<Row> rows) {
    Map<String, Long> counts = new HashMap<>();
    rows.forEach(row -> counts.put(row.getString("session_id"), row.getLong("n")));
    return counts;
  }

  private static String[] strings(JsonArray array) {
    if (array == null) {
      return new String[0];
    }
    String[] out = new String[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.getString(i);
    }
    return out;
  }
}
