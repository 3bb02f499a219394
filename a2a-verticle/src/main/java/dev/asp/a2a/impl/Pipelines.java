package dev.asp.a2a.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.EventOrigin;
import dev.asp.protocol.Ids;
import dev.asp.protocol.ParticipantStatus;
import dev.asp.protocol.SessionKind;
import dev.asp.protocol.SessionState;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.a2a.A2aTimes;
import dev.asp.protocol.bus.BusFields;
import dev.asp.session.log.Committed;
import dev.asp.session.log.EventAnnouncer;
import dev.asp.session.log.EventLog;
import dev.asp.session.log.Membership;
import dev.asp.session.log.Sessions;
import dev.asp.session.log.TrustGate;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code PIPELINE_CREATE}, {@code PIPELINE_ADVANCE}, {@code PIPELINE_READ} and {@code
 * PIPELINE_TEMPLATES} (hub spec §13), the stalled retry of each hello and heartbeat, and the idle
 * failure the {@link Sweeper} finishes. A pipeline that is not a template is backed by its own
 * private session of kind {@code pipeline}; every change runs in one transaction under that
 * session's row lock, stores the rows {@link Pipeline} changed and appends the events in the same
 * transaction; the reply and the announcement come after commit. Assignment ({@link
 * StepAssignment}) needs trust: the candidates are read and trust is asked before the transaction,
 * so no lock is held while waiting on the bus; under the lock only those that trust allowed are
 * ranked.
 */
public final class Pipelines {
  private static final Logger LOG = LoggerFactory.getLogger(Pipelines.class);

  static final String TYPE_STEP_ASSIGNED = "a2a.pipeline_step_assigned";
  static final String TYPE_COMPLETED = "a2a.pipeline_completed";

  /** Candidates ranked per assignment at most (the best overlap first). */
  static final int CANDIDATES = 100;

  /** Stalled pipelines retried per hello or heartbeat at most (§13). */
  static final int STALLED_PER_BEAT = 20;

  /** An advance that found another step current after its trust call starts over, this often. */
  private static final int ATTEMPTS = 3;

  private final Pool pool;
  private final TrustGate trust;
  private final EventAnnouncer announcer;
  private final EventViews views;
  private final long offlineMs;
  private final int maxTopicLength;

  public Pipelines(
      Pool pool,
      TrustGate trust,
      EventAnnouncer announcer,
      EventViews views,
      long offlineMs,
      int maxTopicLength) {
    this.pool = pool;
    this.trust = trust;
    this.announcer = announcer;
    this.views = views;
    this.offlineMs = offlineMs;
    this.maxTopicLength = maxTopicLength;
  }

  /** The current step moved while an advance asked trust: it starts over. */
  private static final class Moved extends RuntimeException {
    Moved() {
      super("the pipeline moved on meanwhile", null, false, false);
    }
  }

  static AspException notFound() {
    return new AspException(A2aError.PIPELINE_NOT_FOUND, "no such pipeline");
  }

  // --- reading

  /** The pipeline {@code id} with its steps; fails {@code pipeline_not_found} when unknown. */
  static Future<Pipeline> load(SqlClient client, String id) {
    return client
        .preparedQuery(A2aQueries.PIPELINE)
        .execute(Tuple.of(id))
        .compose(
            rows -> {
              if (rows.size() == 0) {
                return Future.failedFuture(notFound());
              }
              Row row = rows.iterator().next();
              return client
                  .preparedQuery(A2aQueries.PIPELINE_STEPS)
                  .execute(Tuple.of(id))
                  .map(
                      steps -> {
                        List<Pipeline.Step> list = new ArrayList<>();
                        steps.forEach(step -> list.add(Pipeline.Step.of(step)));
                        return Pipeline.of(row, list);
                      });
            });
  }

  /**
   * A pipeline that is not a template, as its member {@code caller} (the creator or an assignee)
   * sees it; anyone else, like an unknown id, gets {@code pipeline_not_found} (§14).
   */
  static Future<Pipeline> loadAsMember(SqlClient client, String id, String caller) {
    return load(client, id)
        .map(
            pipeline -> {
              if (pipeline.isTemplate() || !pipeline.isMember(caller)) {
                throw notFound();
              }
              return pipeline;
            });
  }

  /** {@code PIPELINE_READ}: a template is anyone's; any other pipeline its members' only. */
  public Future<JsonObject> read(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    String id = body.getString(A2aFields.PIPELINE_ID);
    return load(pool, id)
        .map(
            pipeline -> {
              if (!pipeline.isTemplate() && !pipeline.isMember(caller)) {
                throw notFound();
              }
              return pipeline.json(views);
            });
  }

  /** {@code PIPELINE_TEMPLATES}: newest first. */
  public Future<JsonObject> templates(JsonObject body) {
    int limit = body.getInteger(A2aFields.LIMIT, 20);
    return pool.preparedQuery(A2aQueries.PIPELINE_TEMPLATES)
        .execute(Tuple.of(limit))
        .compose(
            rows -> {
              List<Row> templates = new ArrayList<>();
              rows.forEach(templates::add);
              String[] ids =
                  templates.stream().map(r -> r.getString("pipeline_id")).toArray(String[]::new);
              return pool.preparedQuery(A2aQueries.PIPELINES_STEPS)
                  .execute(Tuple.of((Object) ids))
                  .map(
                      steps -> {
                        Map<String, List<Pipeline.Step>> byPipeline = new LinkedHashMap<>();
                        for (Row step : steps) {
                          byPipeline
                              .computeIfAbsent(
                                  step.getString("pipeline_id"), k -> new ArrayList<>())
                              .add(Pipeline.Step.of(step));
                        }
                        JsonArray list = new JsonArray();
                        for (Row row : templates) {
                          String id = row.getString("pipeline_id");
                          list.add(
                              Pipeline.of(row, byPipeline.getOrDefault(id, List.of()))
                                  .templateJson(views));
                        }
                        return new JsonObject()
                            .put(A2aFields.TEMPLATES, list)
                            .put(A2aFields.COUNT, list.size());
                      });
            });
  }

  // --- create

  /** What a create asks for, with a template's fields already copied in. */
  private record Definition(
      String name,
      String description,
      List<Pipeline.Step> steps,
      Object inputData,
      String templateId,
      boolean template) {}

  /** {@code PIPELINE_CREATE}: see {@code A2aAction.PIPELINE_CREATE}. */
  public Future<JsonObject> create(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    return definition(body)
        .compose(
            definition -> {
              if (definition.template()) {
                return pool.withTransaction(conn -> storeTemplate(conn, caller, definition));
              }
              Pipeline.Step first = definition.steps().get(0);
              return reachableCandidates(first.keywords, caller)
                  .compose(
                      reachable ->
                          pool.withTransaction(conn -> start(conn, caller, definition, reachable)))
                  .map(this::announced);
            });
  }

  private Future<Definition> definition(JsonObject body) {
    String templateId = body.getString(A2aFields.TEMPLATE_ID);
    boolean template = body.getBoolean(A2aFields.IS_TEMPLATE, false);
    Object inputData = body.getValue(A2aFields.INPUT_DATA);
    if (templateId == null) {
      return Future.succeededFuture(
          new Definition(
              body.getString(A2aFields.NAME),
              body.getString(A2aFields.DESCRIPTION),
              steps(body.getJsonArray(A2aFields.STEPS, new JsonArray())),
              inputData,
              null,
              template));
    }
    return load(pool, templateId)
        .map(
            source -> {
              if (!source.isTemplate()) {
                throw new AspException(A2aError.PIPELINE_NOT_FOUND, "no such template");
              }
              List<Pipeline.Step> steps = new ArrayList<>();
              for (Pipeline.Step step : source.steps) {
                steps.add(
                    new Pipeline.Step(
                        step.position,
                        step.role,
                        step.capabilities,
                        step.name,
                        step.description,
                        step.keywords));
              }
              return new Definition(
                  body.containsKey(A2aFields.NAME) ? body.getString(A2aFields.NAME) : source.name,
                  body.containsKey(A2aFields.DESCRIPTION)
                      ? body.getString(A2aFields.DESCRIPTION)
                      : source.description,
                  steps,
                  body.containsKey(A2aFields.INPUT_DATA) ? inputData : source.inputData,
                  templateId,
                  false);
            });
  }

  /** The steps as the gateway checked and ordered them, numbered 1..n. */
  private static List<Pipeline.Step> steps(JsonArray json) {
    List<Pipeline.Step> steps = new ArrayList<>();
    for (int i = 0; i < json.size(); i++) {
      JsonObject step = json.getJsonObject(i);
      String role = step.getString(A2aFields.ROLE);
      List<String> capabilities = new ArrayList<>();
      step.getJsonArray(A2aFields.CAPABILITIES, new JsonArray())
          .forEach(c -> capabilities.add((String) c));
      steps.add(
          new Pipeline.Step(
              i + 1,
              role,
              capabilities,
              step.getString(A2aFields.NAME),
              step.getString(A2aFields.DESCRIPTION),
              StepAssignment.keywords(role, capabilities)));
    }
    if (steps.size() < 2) {
      throw new AspException(A2aError.VALIDATION_ERROR, A2aFields.STEPS, "2..10 steps");
    }
    return steps;
  }

  private Future<JsonObject> storeTemplate(
      SqlConnection conn, String caller, Definition definition) {
    String id = Ids.newPipelineId();
    long now = System.currentTimeMillis();
    Pipeline pipeline =
        new Pipeline(
            id,
            null,
            definition.name(),
            definition.description(),
            Pipeline.TEMPLATE,
            null,
            caller,
            definition.inputData(),
            null,
            now,
            definition.steps());
    return insert(conn, pipeline)
        .map(
            v ->
                new JsonObject()
                    .put(A2aFields.PIPELINE_ID, id)
                    .put(A2aFields.TEMPLATE_ID, id)
                    .put(A2aFields.STATUS, Pipeline.TEMPLATE)
                    .put(A2aFields.STEPS, new JsonArray(pipeline.stepsJson(views))));
  }

  /**
   * The backing session (the creator joined), the pipeline's rows, step 1 current and assigned
   * among {@code reachable} (or the pipeline stalled), in the create's transaction.
   */
  private Future<Committed> start(
      SqlConnection conn, String caller, Definition definition, List<String> reachable) {
    String sessionId = Ids.newSessionId();
    long now = System.currentTimeMillis();
    Pipeline pipeline =
        new Pipeline(
            Ids.newPipelineId(),
            sessionId,
            definition.name(),
            definition.description(),
            Pipeline.ACTIVE,
            definition.templateId(),
            caller,
            definition.inputData(),
            null,
            now,
            definition.steps());
    String topic = topic(definition.name());
    return Sessions.insert(
            conn,
            sessionId,
            SessionKind.PIPELINE,
            Sessions.PRIVATE,
            null,
            topic,
            caller,
            now,
            EventOrigin.A2A)
        .compose(
            log ->
                conn.preparedQuery(A2aQueries.INSERT_A2A_SESSION)
                    .execute(
                        Tuple.of(
                            sessionId, definition.description(), caller, A2aSession.ACTIVE, now))
                    .compose(v -> insert(conn, pipeline))
                    .compose(
                        v -> {
                          pipeline.activate(1, definition.inputData(), now);
                          return assign(conn, log, pipeline, reachable);
                        })
                    .compose(v -> store(conn, pipeline))
                    .compose(v -> log.write(conn))
                    .map(
                        announcement ->
                            new Committed(
                                new JsonObject()
                                    .put(A2aFields.PIPELINE_ID, pipeline.id)
                                    .put(A2aFields.ID, pipeline.id)
                                    .put(A2aFields.STATUS, pipeline.status())
                                    .put(A2aFields.SESSION_ID, sessionId)
                                    .put(A2aFields.CURRENT_STEP, pipeline.currentStep())
                                    .put(A2aFields.STEPS, new JsonArray(pipeline.stepsJson(views)))
                                    .put(A2aFields.CREATED_AT, A2aTimes.iso(now)),
                                announcement)));
  }

  private String topic(String name) {
    return name.length() <= maxTopicLength ? name : name.substring(0, maxTopicLength);
  }

  private static Future<Void> insert(SqlConnection conn, Pipeline pipeline) {
    List<Tuple> steps = new ArrayList<>();
    for (Pipeline.Step step : pipeline.steps) {
      steps.add(
          Tuple.of(
              pipeline.id,
              step.position,
              step.role,
              step.capabilities.toArray(String[]::new),
              step.keywords.toArray(String[]::new),
              step.name,
              step.description));
    }
    return conn.preparedQuery(A2aQueries.INSERT_PIPELINE)
        .execute(
            Tuple.tuple()
                .addValue(pipeline.id)
                .addValue(pipeline.sessionId)
                .addValue(pipeline.name)
                .addValue(pipeline.description)
                .addValue(pipeline.storedStatus())
                .addValue(pipeline.templateId)
                .addValue(pipeline.createdBy)
                .addValue(Pipeline.encode(pipeline.inputData))
                .addValue(pipeline.currentStep())
                .addValue(pipeline.steps.size())
                .addValue(pipeline.stalledSince())
                .addValue(pipeline.createdAt))
        .compose(v -> conn.preparedQuery(A2aQueries.INSERT_PIPELINE_STEP).executeBatch(steps))
        .mapEmpty();
  }

  /** Stores what {@link Pipeline}'s transitions changed. */
  private static Future<Void> store(SqlConnection conn, Pipeline pipeline) {
    Future<?> pipelineRow =
        conn.preparedQuery(A2aQueries.UPDATE_PIPELINE)
            .execute(
                Tuple.of(
                    pipeline.id,
                    pipeline.storedStatus(),
                    pipeline.currentStep(),
                    pipeline.stalledSince(),
                    pipeline.completedAt()));
    List<Tuple> steps = new ArrayList<>();
    for (Pipeline.Step step : pipeline.changedSteps()) {
      steps.add(
          Tuple.tuple()
              .addValue(pipeline.id)
              .addValue(step.position)
              .addValue(step.status)
              .addValue(step.assignee)
              .addValue(Pipeline.encode(step.input))
              .addValue(Pipeline.encode(step.output))
              .addValue(step.resultAssetId)
              .addValue(step.startedAt)
              .addValue(step.completedAt));
    }
    if (steps.isEmpty()) {
      return pipelineRow.mapEmpty();
    }
    return pipelineRow
        .compose(v -> conn.preparedQuery(A2aQueries.UPDATE_PIPELINE_STEP).executeBatch(steps))
        .mapEmpty();
  }

  // --- assignment

  /**
   * Before a transaction: the alive node records sharing a keyword with the step, not the creator,
   * that trust lets the creator reach (§2.1, §13).
   */
  private Future<List<String>> reachableCandidates(List<String> keywords, String creator) {
    if (keywords.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return pool.preparedQuery(A2aQueries.STEP_CANDIDATES)
        .execute(Tuple.of(keywords.toArray(String[]::new), creator, offlineMs, CANDIDATES))
        .compose(
            rows -> {
              List<String> handles = new ArrayList<>();
              rows.forEach(row -> handles.add(row.getString("handle")));
              return trust.reachable(creator, handles, List.of());
            });
  }

  /**
   * Under the session lock: the current step goes to the best of {@code reachable} by {@link
   * StepAssignment}, who is joined by the hub if it is not joined, and gets {@code
   * a2a.pipeline_step_assigned} with the creator; without a match the pipeline stalls.
   */
  private Future<Void> assign(
      SqlConnection conn, EventLog log, Pipeline pipeline, List<String> reachable) {
    Pipeline.Step step = pipeline.current();
    if (reachable.isEmpty()) {
      pipeline.stall(log.now());
      return Future.succeededFuture();
    }
    return conn.preparedQuery(A2aQueries.CANDIDATE_FACTS)
        .execute(Tuple.of(reachable.toArray(String[]::new), pipeline.id, offlineMs))
        .compose(
            rows -> {
              List<StepAssignment.Candidate> candidates = new ArrayList<>();
              for (Row row : rows) {
                candidates.add(
                    new StepAssignment.Candidate(
                        row.getString("handle"),
                        List.of(row.getArrayOfStrings("keywords")),
                        row.getLong("active_steps"),
                        row.getLong("last_picked")));
              }
              StepAssignment.Candidate pick = StepAssignment.pick(step.keywords, candidates);
              if (pick == null) {
                pipeline.stall(log.now());
                return Future.succeededFuture();
              }
              String assignee = pick.handle();
              return conn.preparedQuery(A2aQueries.PICKED)
                  .execute(Tuple.of(assignee))
                  .compose(v -> Membership.statuses(conn, pipeline.sessionId))
                  .compose(
                      statuses ->
                          statuses.get(assignee) == ParticipantStatus.JOINED
                              ? Future.succeededFuture()
                              : Membership.hubJoin(conn, log, assignee, pipeline.createdBy, null))
                  .map(
                      v -> {
                        pipeline.assigned(assignee);
                        Set<String> audience =
                            new LinkedHashSet<>(List.of(assignee, pipeline.createdBy));
                        log.append(
                            TYPE_STEP_ASSIGNED,
                            null,
                            pipeline.assignedEvent(views),
                            List.copyOf(audience));
                        return null;
                      });
            });
  }

  // --- advance

  /** {@code PIPELINE_ADVANCE}: see {@code A2aAction.PIPELINE_ADVANCE}. */
  public Future<JsonObject> advance(JsonObject body) {
    return advance(body, 1).map(this::announced);
  }

  private Future<Committed> advance(JsonObject body, int attempt) {
    String caller = body.getString(BusFields.CALLER);
    String id = body.getString(A2aFields.PIPELINE_ID);
    return loadAsMember(pool, id, caller)
        .compose(
            peeked -> {
              requireAdvance(peeked, caller);
              Pipeline.Step current = peeked.current();
              boolean last = current.position == peeked.steps.size();
              Future<List<String>> reachable =
                  last
                      ? Future.succeededFuture(List.of())
                      : reachableCandidates(
                          peeked.steps.get(current.position).keywords, peeked.createdBy);
              return reachable.compose(
                  candidates ->
                      pool.withTransaction(conn -> advanceLocked(conn, body, peeked, candidates)));
            })
        .recover(
            failure ->
                failure instanceof Moved && attempt < ATTEMPTS
                    ? advance(body, attempt + 1)
                    : Future.failedFuture(failure));
  }

  /** Closed first (a closed pipeline has no assignee), then the assignee (§13). */
  private static void requireAdvance(Pipeline pipeline, String caller) {
    if (pipeline.closed()) {
      throw new AspException(A2aError.PIPELINE_CLOSED, "the pipeline is " + pipeline.status());
    }
    Pipeline.Step current = pipeline.current();
    if (current == null || current.assignee == null || !current.assignee.equals(caller)) {
      throw new AspException(
          A2aError.NOT_STEP_ASSIGNEE,
          current == null || current.assignee == null
              ? "the current step has no assignee yet (the pipeline is stalled)"
              : "only the current step's assignee may advance the pipeline");
    }
  }

  private Future<Committed> advanceLocked(
      SqlConnection conn, JsonObject body, Pipeline peeked, List<String> reachable) {
    String caller = body.getString(BusFields.CALLER);
    String asset = body.getString(A2aFields.RESULT_ASSET_ID);
    Object output = body.getValue(A2aFields.OUTPUT_DATA);
    long now = System.currentTimeMillis();
    return A2aSession.lock(conn, peeked.sessionId, caller)
        .compose(
            session ->
                loadAsMember(conn, peeked.id, caller)
                    .compose(
                        pipeline -> {
                          requireAdvance(pipeline, caller);
                          if (!pipeline.currentStep().equals(peeked.currentStep())) {
                            throw new Moved();
                          }
                          EventLog log =
                              new EventLog(
                                  session.id(), session.nextSequence(), now, EventOrigin.A2A);
                          int completed = pipeline.currentStep();
                          Pipeline.Step next = pipeline.completeCurrent(asset, output, now);
                          Future<Void> moved;
                          if (next == null) {
                            log.append(TYPE_COMPLETED, null, pipeline.completedEvent(views), null);
                            moved =
                                store(conn, pipeline)
                                    .compose(v -> finishSession(conn, log, Pipeline.COMPLETED));
                          } else {
                            pipeline.activate(next.position, output, now);
                            moved =
                                assign(conn, log, pipeline, reachable)
                                    .compose(v -> store(conn, pipeline))
                                    .compose(v -> touch(conn, session.id(), now));
                          }
                          return moved
                              .compose(v -> log.write(conn))
                              .map(
                                  announcement ->
                                      new Committed(
                                          advanced(pipeline, completed, output), announcement));
                        }));
  }

  private JsonObject advanced(Pipeline pipeline, int completed, Object output) {
    Pipeline.Step current = pipeline.current();
    return new JsonObject()
        .put(A2aFields.PIPELINE_ID, pipeline.id)
        .put(A2aFields.STATUS, pipeline.status())
        .put(A2aFields.COMPLETED_STEP, completed)
        .put(A2aFields.CURRENT_STEP, pipeline.currentStep())
        .put(A2aFields.NEXT_ASSIGNEE, current == null ? null : views.wire(current.assignee))
        .put(A2aFields.OUTPUT_DATA, output);
  }

  /** The pipeline's A2A status, then {@code session.ended} by nobody (the hub). */
  private static Future<Void> finishSession(SqlConnection conn, EventLog log, String status) {
    return conn.preparedQuery(A2aQueries.FINISH_SESSION)
        .execute(Tuple.of(log.sessionId(), status, log.now()))
        .compose(v -> Membership.end(conn, log, null));
  }

  private static Future<Void> touch(SqlConnection conn, String sessionId, long now) {
    return conn.preparedQuery(A2aQueries.TOUCH_SESSION)
        .execute(Tuple.of(sessionId, now))
        .mapEmpty();
  }

  // --- the stalled retry (§13)

  /**
   * After {@code node}'s hello or heartbeat was answered: the stalled pipelines it could match (at
   * most {@value #STALLED_PER_BEAT}, longest stalled first) whose creators it reaches under trust
   * (one question for all of them, before any transaction) get it as the current step's assignee,
   * one transaction each. Never fails: a failure is logged, and the next beat tries again.
   */
  public Future<Void> retryStalled(String node) {
    return pool.preparedQuery(A2aQueries.STALLED_FOR)
        .execute(Tuple.of(node, STALLED_PER_BEAT))
        .compose(
            rows -> {
              if (rows.size() == 0) {
                return Future.succeededFuture();
              }
              List<Row> stalled = new ArrayList<>();
              rows.forEach(stalled::add);
              List<String> creators =
                  List.copyOf(
                      new LinkedHashSet<>(
                          stalled.stream().map(r -> r.getString("created_by")).toList()));
              return trust
                  .reachable(node, creators, List.of())
                  .compose(
                      reachable -> {
                        Set<String> allowed = new HashSet<>(reachable);
                        Future<Void> done = Future.succeededFuture();
                        for (Row row : stalled) {
                          if (!allowed.contains(row.getString("created_by"))) {
                            continue;
                          }
                          String id = row.getString("pipeline_id");
                          String session = row.getString("session_id");
                          done = done.compose(v -> retryOne(id, session, node));
                        }
                        return done;
                      });
            })
        .recover(
            failure -> {
              LOG.warn(
                  "stalled pipeline retry for {} failed; the next beat retries", node, failure);
              return Future.succeededFuture();
            });
  }

  private Future<Void> retryOne(String id, String sessionId, String node) {
    return pool.withTransaction(
            conn ->
                A2aSession.lock(conn, sessionId, node)
                    .compose(
                        session ->
                            load(conn, id)
                                .compose(
                                    pipeline -> {
                                      if (!Pipeline.STALLED.equals(pipeline.status())
                                          || session.state() != SessionState.ACTIVE
                                          || pipeline.current().assignee != null
                                          || node.equals(pipeline.createdBy)) {
                                        return Future.succeededFuture(
                                            Committed.replay(new JsonObject()));
                                      }
                                      long now = System.currentTimeMillis();
                                      EventLog log =
                                          new EventLog(
                                              sessionId,
                                              session.nextSequence(),
                                              now,
                                              EventOrigin.HUB);
                                      return assign(conn, log, pipeline, List.of(node))
                                          .compose(v -> store(conn, pipeline))
                                          .compose(
                                              v ->
                                                  Pipeline.ACTIVE.equals(pipeline.storedStatus())
                                                      ? touch(conn, sessionId, now)
                                                      : Future.succeededFuture())
                                          .compose(v -> log.write(conn))
                                          .map(a -> new Committed(new JsonObject(), a));
                                    })))
        .map(
            committed -> {
              announcer.announce(committed);
              return null;
            });
  }

  // --- idle failure (§13), for the Sweeper

  /**
   * Under the session row lock the {@link Sweeper} holds: the pipeline this session backs failed
   * for being idle; its session ends with {@code failed}.
   */
  Future<Void> failIdle(SqlConnection conn, EventLog log, A2aSession session) {
    return conn.preparedQuery(A2aQueries.PIPELINE_OF_SESSION)
        .execute(Tuple.of(session.id()))
        .compose(
            rows -> {
              if (rows.size() == 0) {
                return Future.succeededFuture();
              }
              return load(conn, rows.iterator().next().getString("pipeline_id"))
                  .compose(
                      pipeline -> {
                        pipeline.fail();
                        return store(conn, pipeline);
                      });
            })
        .compose(v -> finishSession(conn, log, Pipeline.FAILED));
  }

  private JsonObject announced(Committed committed) {
    announcer.announce(committed);
    return committed.reply();
  }
}
