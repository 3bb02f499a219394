package dev.asp.a2a.impl;

import dev.asp.a2a.impl.DeliberationRules.Outcome;
import dev.asp.a2a.impl.DeliberationRules.Vote;
import dev.asp.protocol.AspException;
import dev.asp.protocol.EventOrigin;
import dev.asp.protocol.Ids;
import dev.asp.protocol.ParticipantStatus;
import dev.asp.protocol.SessionKind;
import dev.asp.protocol.SessionState;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.a2a.A2aTimes;
import dev.asp.protocol.a2a.Capabilities;
import dev.asp.protocol.bus.BusFields;
import dev.asp.session.log.Committed;
import dev.asp.session.log.EventAnnouncer;
import dev.asp.session.log.EventLog;
import dev.asp.session.log.Membership;
import dev.asp.session.log.Reveal;
import dev.asp.session.log.SessionSnapshot;
import dev.asp.session.log.Sessions;
import dev.asp.session.log.TrustGate;
import dev.asp.storage.DbFailures;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deliberations (hub spec §12): {@code DELIBERATION_START}, {@code DELIBERATION_READ}, {@code
 * DELIBERATION_STATUS}, the deliberation side of a dialog post, and the phase deadlines. A
 * deliberation lives in its own session of kind {@code deliberation}; every change runs under that
 * session's row lock and appends its event in the same transaction. A phase ends in one place,
 * {@link #endPhase}, reached by the last contribution or by the sweeper for a passed deadline, each
 * after re-reading round and phase under the lock, so a phase ends exactly once.
 */
public final class Deliberations {
  static final String CONTEXT = "deliberation";
  static final String TYPE_STARTED = "a2a.deliberation_started";
  static final String TYPE_PHASE = "a2a.deliberation_phase";
  static final String TYPE_NEXT_ROUND = "a2a.deliberation_next_round";
  static final String TYPE_COMPLETED = "a2a.deliberation_completed";

  /** Candidates ranked in the database before trust is asked. */
  private static final int CANDIDATES = 200;

  /** Posts a read returns at most (the first ones, in sequence order). */
  static final int MAX_MESSAGES = 500;

  /** Deliberations finished per sweep at most; a backlog carries over. */
  private static final int BATCH = 50;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Logger LOG = LoggerFactory.getLogger(Deliberations.class);

  private final Pool pool;
  private final TrustGate trust;
  private final EventAnnouncer announcer;
  private final EventViews views;
  private final long offlineMs;

  public Deliberations(
      Pool pool, TrustGate trust, EventAnnouncer announcer, EventViews views, long offlineMs) {
    this.pool = pool;
    this.trust = trust;
    this.announcer = announcer;
    this.views = views;
    this.offlineMs = offlineMs;
  }

  /** A deliberation row as read under (or before) its session's lock. */
  record Deliberation(Row row) {
    String id() {
      return row.getString("deliberation_id");
    }

    String sessionId() {
      return row.getString("session_id");
    }

    /** The stored status, or {@code failed} when the session ended before completion. */
    String status() {
      String status = row.getString("status");
      return DeliberationRules.running(status)
              && !SessionState.ACTIVE.wire().equals(row.getString("session_state"))
          ? DeliberationRules.FAILED
          : status;
    }

    boolean running() {
      return DeliberationRules.running(status());
    }

    int round() {
      return row.getInteger("round");
    }

    String initiator() {
      return row.getString("initiator");
    }

    List<String> participants() {
      return List.of(row.getArrayOfStrings("participants"));
    }

    boolean due() {
      Long deadline = row.getLong("phase_deadline");
      return running() && deadline != null && deadline <= row.getLong("db_now");
    }
  }

  // --- start

  /** {@code DELIBERATION_START}: pick before the transaction (no lock while trust answers). */
  public Future<JsonObject> start(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    String linked = body.getString(A2aFields.SESSION_ID);
    String taskId = body.getString(A2aFields.TASK_ID);
    return fromTask(caller, taskId, body)
        .compose(filled -> restrictTo(caller, linked).compose(only -> pick(caller, filled, only)))
        .compose(
            picked -> {
              int min = body.getInteger(A2aFields.MIN_AGENTS);
              if (picked.participants().size() < min) {
                return Future.succeededFuture(
                    new JsonObject()
                        .put(A2aFields.STATUS, "insufficient_agents")
                        .putNull(A2aFields.DELIBERATION_ID)
                        .put(A2aFields.REQUIRED, min)
                        .put(A2aFields.AVAILABLE, picked.participants().size()));
              }
              return createRetrying(caller, picked, 1)
                  .map(
                      committed -> {
                        announcer.announce(committed);
                        return committed.reply();
                      });
            });
  }

  /** Attempts of a start whose transaction lost a deadlock or a serialization conflict. */
  private static final int START_ATTEMPTS = 3;

  /**
   * The start's transaction, run again (new ids, nothing of the lost attempt kept) when PostgreSQL
   * chose it as a deadlock victim: starts picking the same nodes at once meet on those rows.
   */
  private Future<Committed> createRetrying(String caller, Picked picked, int attempt) {
    return pool.withTransaction(conn -> create(conn, caller, picked.body(), picked))
        .recover(
            failure ->
                attempt < START_ATTEMPTS && DbFailures.isRetryableConflict(failure)
                    ? createRetrying(caller, picked, attempt + 1)
                    : Future.failedFuture(failure));
  }

  /** The start request with the task's title and description filling what is missing. */
  private Future<JsonObject> fromTask(String caller, String taskId, JsonObject body) {
    if (taskId == null) {
      return Future.succeededFuture(body);
    }
    return pool.preparedQuery(A2aQueries.TASK_FOR_DELIBERATION)
        .execute(Tuple.of(taskId, caller))
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw new AspException(
                    A2aError.TASK_NOT_FOUND, "no such task in a session you are joined in");
              }
              Row task = rows.iterator().next();
              JsonObject filled = body.copy();
              if (filled.getString(A2aFields.TITLE) == null) {
                filled.put(A2aFields.TITLE, task.getString("title"));
              }
              if (filled.getString(A2aFields.BODY) == null) {
                String description = task.getString("description");
                filled.put(
                    A2aFields.BODY, description == null ? task.getString("title") : description);
              }
              return filled;
            });
  }

  /**
   * A linked session restricts the candidates to its joined participants; the caller must be one.
   */
  private Future<List<String>> restrictTo(String caller, String linked) {
    if (linked == null) {
      return Future.succeededFuture(null);
    }
    return SessionSnapshot.peekAny(pool, linked, caller)
        .recover(f -> Future.failedFuture(SessionCommands.notFound()))
        .compose(
            session -> {
              if (session.callerStatus() != ParticipantStatus.JOINED) {
                throw SessionCommands.notFound();
              }
              return Membership.statuses(pool, linked);
            })
        .map(
            statuses ->
                statuses.entrySet().stream()
                    .filter(e -> e.getValue() == ParticipantStatus.JOINED)
                    .map(java.util.Map.Entry::getKey)
                    .filter(h -> !h.equals(caller))
                    .toList());
  }

  /** Who takes part, in ranking order, and the request as filled in. */
  private record Picked(JsonObject body, List<String> participants) {}

  private Future<Picked> pick(String caller, JsonObject body, List<String> only) {
    String text = body.getString(A2aFields.TITLE) + " " + body.getString(A2aFields.BODY);
    String[] keywords = Capabilities.keywords(text).toArray(String[]::new);
    int max = body.getInteger(A2aFields.MAX_AGENTS);
    Tuple params =
        Tuple.tuple()
            .addString(caller)
            .addArrayOfString(keywords)
            .addLong(offlineMs)
            .addArrayOfString(only == null ? null : only.toArray(String[]::new))
            .addInteger(CANDIDATES);
    return pool.preparedQuery(A2aQueries.DELIBERATION_CANDIDATES)
        .execute(params)
        .compose(
            rows -> {
              List<String> ranked = new ArrayList<>();
              rows.forEach(row -> ranked.add(row.getString("handle")));
              return trust.reachable(caller, ranked, List.of());
            })
        .map(reachable -> new Picked(body, reachable.subList(0, Math.min(max, reachable.size()))));
  }

  private Future<Committed> create(
      SqlConnection conn, String caller, JsonObject body, Picked picked) {
    String id = newId();
    String sessionId = Ids.newSessionId();
    long now = System.currentTimeMillis();
    String title = body.getString(A2aFields.TITLE);
    List<String> participants = picked.participants();
    return Sessions.insert(
            conn,
            sessionId,
            SessionKind.DELIBERATION,
            Sessions.PRIVATE,
            null,
            title,
            caller,
            now,
            EventOrigin.HUB)
        .compose(
            log -> {
              Future<Void> joined = Future.succeededFuture();
              for (String node : participants) {
                joined = joined.compose(v -> Membership.hubJoin(conn, log, node, caller, title));
              }
              return joined
                  .compose(
                      v ->
                          conn.preparedQuery(A2aQueries.INSERT_DELIBERATION)
                              .execute(
                                  Tuple.tuple()
                                      .addString(id)
                                      .addString(sessionId)
                                      .addString(body.getString(A2aFields.SESSION_ID))
                                      .addString(body.getString(A2aFields.TASK_ID))
                                      .addString(title)
                                      .addString(body.getString(A2aFields.BODY))
                                      .addString(body.getString(A2aFields.MODE))
                                      .addInteger(body.getInteger(A2aFields.MAX_ROUNDS))
                                      .addInteger(body.getInteger(A2aFields.MIN_AGENTS))
                                      .addInteger(body.getInteger(A2aFields.MAX_AGENTS))
                                      .addLong(body.getLong(A2aFields.TIMEOUT_PER_ROUND_MS))
                                      .addDouble(body.getDouble(A2aFields.CONVERGENCE_THRESHOLD))
                                      .addString(caller)
                                      .addArrayOfString(participants.toArray(String[]::new))
                                      .addLong(now)))
                  .compose(
                      rows ->
                          conn.preparedQuery(A2aQueries.PICKED_ALL)
                              .execute(
                                  Tuple.tuple()
                                      .addArrayOfString(participants.toArray(String[]::new))
                                      .addLong(now))
                              .map(v -> rows.iterator().next().getLong("phase_deadline")))
                  .compose(
                      deadline -> {
                        JsonObject config = config(body);
                        JsonArray nodes = new JsonArray();
                        participants.forEach(p -> nodes.add(views.wire(p)));
                        log.append(
                            TYPE_STARTED,
                            null,
                            new JsonObject()
                                .put(A2aFields.DELIBERATION_ID, id)
                                .put(A2aFields.SESSION_ID, sessionId)
                                .put(A2aFields.TITLE, title)
                                .put(A2aFields.BODY, body.getString(A2aFields.BODY))
                                .put(A2aFields.MODE, body.getString(A2aFields.MODE))
                                .put(A2aFields.ROUND, 1)
                                .put(A2aFields.MAX_ROUNDS, body.getInteger(A2aFields.MAX_ROUNDS))
                                .put(A2aFields.PHASE, DeliberationRules.DIVERGING)
                                .put(A2aFields.PHASE_DEADLINE, A2aTimes.iso(deadline))
                                .put(A2aFields.INITIATOR_ID, views.wire(caller))
                                .put(A2aFields.PARTICIPANTS, nodes)
                                .put(A2aFields.CONFIG, config),
                            null);
                        return log.write(conn)
                            .map(
                                announcement ->
                                    new Committed(
                                        new JsonObject()
                                            .put(A2aFields.DELIBERATION_ID, id)
                                            .put(A2aFields.ID, id)
                                            .put(A2aFields.STATUS, DeliberationRules.DIVERGING)
                                            .put(A2aFields.PHASE, DeliberationRules.DIVERGING)
                                            .put(A2aFields.ROUND, 1)
                                            .put(
                                                A2aFields.MAX_ROUNDS,
                                                body.getInteger(A2aFields.MAX_ROUNDS))
                                            .put(A2aFields.MODE, body.getString(A2aFields.MODE))
                                            .put(A2aFields.PARTICIPANTS, nodes)
                                            .put(A2aFields.INITIATOR_ID, views.wire(caller))
                                            .put(A2aFields.SESSION_ID, sessionId)
                                            .put(A2aFields.PHASE_DEADLINE, A2aTimes.iso(deadline))
                                            .put(A2aFields.CONFIG, config),
                                        announcement));
                      });
            });
  }

  private static JsonObject config(JsonObject body) {
    return new JsonObject()
        .put(A2aFields.MIN_AGENTS, body.getInteger(A2aFields.MIN_AGENTS))
        .put(A2aFields.MAX_AGENTS, body.getInteger(A2aFields.MAX_AGENTS))
        .put(A2aFields.TIMEOUT_PER_ROUND_MS, body.getLong(A2aFields.TIMEOUT_PER_ROUND_MS))
        .put(A2aFields.CONVERGENCE_THRESHOLD, body.getDouble(A2aFields.CONVERGENCE_THRESHOLD));
  }

  private static String newId() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return "delib_" + HexFormat.of().formatHex(bytes);
  }

  // --- reads

  static Future<Deliberation> read(SqlClient client, String id) {
    return client
        .preparedQuery(A2aQueries.DELIBERATION)
        .execute(Tuple.of(id))
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw notFound();
              }
              return new Deliberation(rows.iterator().next());
            });
  }

  /** The deliberation, if the caller is joined in its session; else {@code not found}. */
  private Future<Deliberation> readAsMember(String id, String caller) {
    return read(pool, id)
        .compose(
            d ->
                SessionSnapshot.peekAny(pool, d.sessionId(), caller)
                    .map(
                        session -> {
                          if (session.callerStatus() != ParticipantStatus.JOINED) {
                            throw notFound();
                          }
                          return d;
                        }));
  }

  /** {@code DELIBERATION_READ}: what the caller may see now. */
  public Future<JsonObject> get(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    return readAsMember(body.getString(A2aFields.DELIBERATION_ID), caller)
        .compose(
            d ->
                Future.all(
                        contributors(pool, d),
                        pool.preparedQuery(A2aQueries.DIALOG_PAGE)
                            .execute(Tuple.of(d.sessionId(), -1L, null, caller, MAX_MESSAGES)))
                    .map(
                        all -> {
                          Set<String> contributed = all.resultAt(0);
                          RowSet<Row> posts = all.resultAt(1);
                          JsonArray participants = new JsonArray();
                          for (String p : d.participants()) {
                            participants.add(
                                new JsonObject()
                                    .put(A2aFields.NODE_ID, views.wire(p))
                                    .put(A2aFields.CONTRIBUTED, contributed.contains(p)));
                          }
                          JsonArray messages = new JsonArray();
                          posts.forEach(
                              r -> messages.add(views.post(r, r.getJsonObject("payload"))));
                          Row row = d.row();
                          Long completed = row.getLong("completed_at");
                          return summary(d)
                              .put(A2aFields.ID, d.id())
                              .put(A2aFields.TITLE, row.getString("title"))
                              .put(A2aFields.BODY, row.getString("body"))
                              .put(A2aFields.MODE, row.getString("mode"))
                              .put(A2aFields.CONFIG, config(d))
                              .put(A2aFields.INITIATOR_ID, views.wire(d.initiator()))
                              .put(A2aFields.PARTICIPANTS, participants)
                              .put(A2aFields.SESSION_ID, d.sessionId())
                              .put(A2aFields.LINKED_SESSION_ID, row.getString("linked_session_id"))
                              .put(A2aFields.DECISION, row.getString("decision"))
                              .put(A2aFields.DISSENT, row.getJsonArray("dissent"))
                              .put(A2aFields.MESSAGES, messages)
                              .put(A2aFields.CREATED_AT, A2aTimes.iso(row.getLong("created_at")))
                              .put(
                                  A2aFields.COMPLETED_AT,
                                  completed == null ? null : A2aTimes.iso(completed));
                        }));
  }

  /** {@code DELIBERATION_STATUS}. */
  public Future<JsonObject> status(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    return readAsMember(body.getString(A2aFields.DELIBERATION_ID), caller)
        .compose(
            d ->
                contributors(pool, d)
                    .map(
                        contributed -> {
                          JsonArray participants = new JsonArray();
                          d.participants().forEach(p -> participants.add(views.wire(p)));
                          return summary(d)
                              .put(A2aFields.PARTICIPANTS, participants)
                              .put(A2aFields.SUBMITTED_COUNT, contributed.size());
                        }));
  }

  /** {@code deliberation_id, status, phase, round, max_rounds, phase_deadline, score}. */
  private static JsonObject summary(Deliberation d) {
    Row row = d.row();
    String status = d.status();
    Long deadline = row.getLong("phase_deadline");
    return new JsonObject()
        .put(A2aFields.DELIBERATION_ID, d.id())
        .put(A2aFields.STATUS, status)
        .put(A2aFields.PHASE, d.running() ? status : null)
        .put(A2aFields.ROUND, d.round())
        .put(A2aFields.MAX_ROUNDS, row.getInteger("max_rounds"))
        .put(
            A2aFields.PHASE_DEADLINE,
            d.running() && deadline != null ? A2aTimes.iso(deadline) : null)
        .put(A2aFields.CONVERGENCE_SCORE, row.getDouble("convergence_score"));
  }

  private static JsonObject config(Deliberation d) {
    Row row = d.row();
    return new JsonObject()
        .put(A2aFields.MIN_AGENTS, row.getInteger("min_agents"))
        .put(A2aFields.MAX_AGENTS, row.getInteger("max_agents"))
        .put(A2aFields.TIMEOUT_PER_ROUND_MS, row.getLong("timeout_ms"))
        .put(A2aFields.CONVERGENCE_THRESHOLD, row.getDouble("threshold"));
  }

  /** Who contributed to the current phase (none once it is over). */
  private static Future<Set<String>> contributors(SqlClient client, Deliberation d) {
    if (!d.running()) {
      return Future.succeededFuture(Set.of());
    }
    return client
        .preparedQuery(A2aQueries.DELIBERATION_CONTRIBUTORS)
        .execute(Tuple.of(d.id(), d.round(), d.status()))
        .map(
            rows -> {
              Set<String> nodes = new HashSet<>();
              rows.forEach(r -> nodes.add(r.getString("node")));
              return nodes;
            });
  }

  // --- posts (called by Dialog, under the backing session's lock)

  /** A deliberation read under its session's row lock, with that session. */
  record Locked(Deliberation deliberation, A2aSession session) {}

  /** The deliberation a post names, and its session locked; checks the caller may post in it. */
  Future<Locked> lockForPost(SqlConnection conn, String id, String caller) {
    return read(conn, id)
        .compose(
            first ->
                A2aSession.lock(conn, first.sessionId(), caller)
                    .compose(
                        session ->
                            read(conn, id)
                                .map(d -> new Locked(checkPoster(d, session, caller), session))));
  }

  /** The backing session of a deliberation the caller is joined in (dialog reads). */
  Future<String> sessionOfMember(String id, String caller) {
    return readAsMember(id, caller).map(Deliberation::sessionId);
  }

  private static Deliberation checkPoster(Deliberation d, A2aSession session, String caller) {
    if (session.callerStatus() != ParticipantStatus.JOINED) {
      throw notFound();
    }
    if (caller.equals(d.initiator())) {
      throw new AspException(
          A2aError.NOT_DELIBERATION_PARTICIPANT,
          "the initiator observes a deliberation; only its participants post");
    }
    if (!d.running()) {
      throw new AspException(A2aError.DELIBERATION_CLOSED, "the deliberation is over");
    }
    return d;
  }

  /**
   * Before a post is written: a phase whose deadline passed ends first (as the sweeper would), then
   * the post must suit the phase and the round. Answers the deliberation as it now stands.
   */
  Future<Deliberation> settleForPost(
      SqlConnection conn, EventLog log, Deliberation d, String type, Integer round) {
    Future<Deliberation> settled =
        d.due()
            ? endPhase(conn, log, d).compose(v -> read(conn, d.id()))
            : Future.succeededFuture(d);
    return settled.map(
        now -> {
          if (!now.running()) {
            throw new AspException(A2aError.DELIBERATION_CLOSED, "the deliberation is over");
          }
          if (!DeliberationRules.allowed(now.status(), type)) {
            throw new AspException(
                A2aError.INVALID_PHASE_FOR_DIALOG_TYPE,
                "the " + now.status() + " phase does not take " + type + " posts");
          }
          if (round != null && round != now.round()) {
            throw new AspException(
                A2aError.INVALID_PHASE_FOR_DIALOG_TYPE,
                "round " + round + " is not the current round (" + now.round() + ")");
          }
          return now;
        });
  }

  /** A vote's {@code content.vote} and confidence, checked before anything is written. */
  static Vote vote(String caller, Object content) {
    String vote =
        content instanceof JsonObject o
            ? o.getValue(A2aFields.VOTE) instanceof String s ? s : null
            : null;
    if (vote == null || !DeliberationRules.VOTES.contains(vote)) {
      throw new AspException(
          A2aError.VALIDATION_ERROR,
          "content.vote",
          "a vote's content.vote is approve, reject or revise");
    }
    JsonObject object = (JsonObject) content;
    Object confidence = object.getValue(A2aFields.CONFIDENCE);
    Object reasoning = object.getValue(A2aFields.REASONING);
    return new Vote(
        caller,
        vote,
        confidence instanceof Number n ? n.doubleValue() : DeliberationRules.DEFAULT_CONFIDENCE,
        reasoning instanceof String r ? r : null);
  }

  /**
   * After a post is appended at {@code sequence}: records the contribution (and the vote), and ends
   * the phase when every joined participant has contributed.
   */
  Future<Void> recorded(
      SqlConnection conn,
      EventLog log,
      Deliberation d,
      String caller,
      String type,
      Object content,
      long sequence) {
    String phase = d.status();
    if (!DeliberationRules.contributes(phase, type)) {
      return Future.succeededFuture();
    }
    Future<Void> stored =
        conn.preparedQuery(A2aQueries.INSERT_DELIBERATION_POST)
            .execute(Tuple.of(d.id(), sequence, d.round(), phase, caller, type))
            .mapEmpty();
    if ("vote".equals(type)) {
      Vote vote = vote(caller, content);
      stored =
          stored.compose(
              v ->
                  conn.preparedQuery(A2aQueries.UPSERT_VOTE)
                      .execute(
                          Tuple.tuple()
                              .addString(d.id())
                              .addInteger(d.round())
                              .addString(caller)
                              .addString(vote.vote())
                              .addDouble(vote.confidence())
                              .addString(vote.reasoning())
                              .addLong(sequence))
                      .mapEmpty());
    }
    return stored
        .compose(v -> Future.all(contributors(conn, d), Membership.statuses(conn, d.sessionId())))
        .compose(
            all -> {
              Set<String> contributed = all.resultAt(0);
              java.util.Map<String, ParticipantStatus> statuses = all.resultAt(1);
              boolean everyone =
                  d.participants().stream()
                      .filter(p -> statuses.get(p) == ParticipantStatus.JOINED)
                      .allMatch(contributed::contains);
              return everyone ? endPhase(conn, log, d) : Future.succeededFuture();
            });
  }

  // --- ending a phase

  /**
   * Ends the current phase of {@code d} (read under the session lock): diverging reveals its posts
   * and opens challenging, challenging opens converging, converging decides — another round or
   * completion. Appends the event that says so to {@code log}.
   */
  Future<Void> endPhase(SqlConnection conn, EventLog log, Deliberation d) {
    String phase = d.status();
    String next = DeliberationRules.next(phase);
    if (next != null) {
      Future<JsonArray> revealed =
          DeliberationRules.DIVERGING.equals(phase)
              ? reveal(conn, log, d)
              : Future.succeededFuture(new JsonArray());
      return revealed.compose(
          posts ->
              nextPhase(conn, d, next, d.round(), d.row().getDouble("convergence_score"))
                  .map(
                      deadline -> {
                        log.append(
                            TYPE_PHASE,
                            null,
                            new JsonObject()
                                .put(A2aFields.DELIBERATION_ID, d.id())
                                .put(A2aFields.ROUND, d.round())
                                .put(A2aFields.PHASE, next)
                                .put(A2aFields.PREVIOUS_PHASE, phase)
                                .put(A2aFields.PHASE_DEADLINE, A2aTimes.iso(deadline))
                                .put(A2aFields.REVEALED, posts),
                            null);
                        return null;
                      }));
    }
    return conn.preparedQuery(A2aQueries.VOTES_OF_ROUND)
        .execute(Tuple.of(d.id(), d.round()))
        .compose(
            rows -> {
              List<Vote> votes = new ArrayList<>();
              rows.forEach(
                  r ->
                      votes.add(
                          new Vote(
                              r.getString("node"),
                              r.getString("vote"),
                              r.getDouble("confidence"),
                              r.getString("reasoning"))));
              Outcome outcome =
                  DeliberationRules.decide(
                      votes,
                      d.row().getDouble("threshold"),
                      d.round(),
                      d.row().getInteger("max_rounds"));
              return outcome.completed()
                  ? complete(conn, log, d, outcome)
                  : nextPhase(conn, d, DeliberationRules.DIVERGING, d.round() + 1, outcome.score())
                      .map(
                          deadline -> {
                            log.append(
                                TYPE_NEXT_ROUND,
                                null,
                                new JsonObject()
                                    .put(A2aFields.DELIBERATION_ID, d.id())
                                    .put(A2aFields.ROUND, d.round() + 1)
                                    .put(A2aFields.MAX_ROUNDS, d.row().getInteger("max_rounds"))
                                    .put(A2aFields.CONVERGENCE_SCORE, outcome.score())
                                    .put(A2aFields.PHASE, DeliberationRules.DIVERGING)
                                    .put(A2aFields.PHASE_DEADLINE, A2aTimes.iso(deadline)),
                                null);
                            return null;
                          });
            });
  }

  private static Future<Long> nextPhase(
      SqlConnection conn, Deliberation d, String status, int round, Double score) {
    return conn.preparedQuery(A2aQueries.DELIBERATION_NEXT_PHASE)
        .execute(
            Tuple.tuple().addString(d.id()).addString(status).addInteger(round).addDouble(score))
        .map(rows -> rows.iterator().next().getLong("phase_deadline"));
  }

  /**
   * The round's diverge posts become visible to every member, and are listed for the event: those
   * stored earlier get their audience cleared in the log, one still pending in this transaction's
   * {@code log} (the post that ends the phase) is written for everyone.
   */
  private Future<JsonArray> reveal(SqlConnection conn, EventLog log, Deliberation d) {
    return Future.all(
            conn.preparedQuery(A2aQueries.DIVERGE_SEQUENCES).execute(Tuple.of(d.id(), d.round())),
            conn.preparedQuery(A2aQueries.DIVERGE_POSTS)
                .execute(Tuple.of(d.id(), d.sessionId(), d.round())))
        .compose(
            all -> {
              RowSet<Row> sequences = all.resultAt(0);
              RowSet<Row> stored = all.resultAt(1);
              java.util.Map<Long, JsonObject> posts = new java.util.TreeMap<>();
              for (Row row : stored) {
                posts.put(row.getLong("sequence"), views.post(row, row.getJsonObject("payload")));
              }
              List<Long> storedSequences = new ArrayList<>(posts.keySet());
              for (Row row : sequences) {
                long sequence = row.getLong("sequence");
                if (!posts.containsKey(sequence) && log.reveal(sequence)) {
                  log.events().stream()
                      .filter(e -> e.sequence() == sequence)
                      .findFirst()
                      .ifPresent(
                          e -> posts.put(sequence, views.post(log.origin().wire(), e.payload())));
                }
              }
              return Reveal.toEveryone(conn, d.sessionId(), storedSequences)
                  .map(v -> new JsonArray(new ArrayList<>(posts.values())));
            });
  }

  private Future<Void> complete(SqlConnection conn, EventLog log, Deliberation d, Outcome outcome) {
    JsonArray dissent = new JsonArray();
    for (Vote vote : outcome.dissent()) {
      dissent.add(
          new JsonObject()
              .put(A2aFields.NODE_ID, views.wire(vote.node()))
              .put(A2aFields.VOTE, vote.vote())
              .put(A2aFields.CONFIDENCE, vote.confidence())
              .put(A2aFields.REASONING, vote.reasoning()));
    }
    JsonObject counts = new JsonObject();
    outcome.counts().forEach(counts::put);
    return conn.preparedQuery(A2aQueries.SYNTHESIS_POSTS)
        .execute(Tuple.of(d.sessionId(), Integer.toString(d.round())))
        .compose(
            rows -> {
              JsonArray synthesis = new JsonArray();
              rows.forEach(r -> synthesis.add(views.post(r, r.getJsonObject("payload"))));
              return conn.preparedQuery(A2aQueries.DELIBERATION_COMPLETE)
                  .execute(
                      Tuple.tuple()
                          .addString(d.id())
                          .addDouble(outcome.score())
                          .addString(outcome.decision())
                          .addValue(dissent)
                          .addLong(log.now()))
                  .map(
                      v -> {
                        log.append(
                            TYPE_COMPLETED,
                            null,
                            new JsonObject()
                                .put(A2aFields.DELIBERATION_ID, d.id())
                                .put(A2aFields.DECISION, outcome.decision())
                                .put(A2aFields.CONVERGENCE_SCORE, outcome.score())
                                .put(A2aFields.ROUNDS, d.round())
                                .put(A2aFields.VOTES, counts)
                                .put(A2aFields.DISSENT, dissent)
                                .put(A2aFields.SYNTHESIS, synthesis),
                            null);
                        return null;
                      });
            });
  }

  // --- deadlines

  /**
   * Ends every phase whose deadline passed; a deliberation whose session ended is failed. Run by
   * the {@link Sweeper} on every tick.
   */
  public Future<Void> sweepOnce() {
    return pool.preparedQuery(A2aQueries.DUE_DELIBERATIONS)
        .execute(Tuple.of(BATCH))
        .compose(
            rows -> {
              Future<Void> done = Future.succeededFuture();
              for (Row row : rows) {
                String id = row.getString("deliberation_id");
                done =
                    done.compose(
                        v ->
                            pool.withTransaction(conn -> finishDue(conn, id))
                                .map(
                                    committed -> {
                                      announcer.announce(committed);
                                      return (Void) null;
                                    }));
              }
              return done;
            })
        .onFailure(f -> LOG.warn("deliberation deadline sweep failed; retrying next tick", f));
  }

  /** Under the session lock, re-checked: the phase ends if it is still due, else nothing. */
  private Future<Committed> finishDue(SqlConnection conn, String id) {
    Committed nothing = Committed.replay(new JsonObject());
    return read(conn, id)
        .compose(
            first ->
                A2aSession.lock(conn, first.sessionId(), "")
                    .compose(
                        session ->
                            read(conn, id)
                                .compose(
                                    d -> {
                                      if (DeliberationRules.FAILED.equals(d.status())) {
                                        return conn.preparedQuery(A2aQueries.DELIBERATION_FAIL)
                                            .execute(Tuple.of(id, System.currentTimeMillis()))
                                            .map(nothing);
                                      }
                                      if (!d.due()) {
                                        return Future.succeededFuture(nothing);
                                      }
                                      EventLog log =
                                          new EventLog(
                                              session.id(),
                                              session.nextSequence(),
                                              System.currentTimeMillis(),
                                              EventOrigin.HUB);
                                      return endPhase(conn, log, d)
                                          .compose(v -> log.write(conn))
                                          .map(a -> new Committed(new JsonObject(), a));
                                    })));
  }

  static AspException notFound() {
    return new AspException(A2aError.DELIBERATION_NOT_FOUND, "no such deliberation");
  }
}
