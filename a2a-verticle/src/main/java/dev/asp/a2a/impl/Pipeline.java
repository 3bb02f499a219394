package dev.asp.a2a.impl;

import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.a2a.A2aTimes;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A pipeline and its steps (hub spec §13) as one command sees them, with the status rules as pure
 * transitions: step 1 becomes current at once, a current step is assigned or the pipeline stalls,
 * the assignee's advance completes the step and makes the next one current with {@code input =
 * output}, the last advance completes the pipeline. SQL only loads and stores the result ({@link
 * Pipelines}). Not thread-safe: one instance per command.
 */
final class Pipeline {
  static final String TEMPLATE = "template";
  static final String ACTIVE = "active";
  static final String STALLED = "stalled";
  static final String COMPLETED = "completed";
  static final String FAILED = "failed";

  static final String STEP_PENDING = "pending";
  static final String STEP_ACTIVE = "active";
  static final String STEP_COMPLETED = "completed";

  /** One step; positions run 1..n. */
  static final class Step {
    final int position;
    final String role;
    final List<String> capabilities;
    final List<String> keywords;
    final String name;
    final String description;
    String status;
    String assignee;
    Object input;
    Object output;
    String resultAssetId;
    Long startedAt;
    Long completedAt;

    Step(
        int position,
        String role,
        List<String> capabilities,
        String name,
        String description,
        List<String> keywords) {
      this.position = position;
      this.role = role;
      this.capabilities = List.copyOf(capabilities);
      this.name = name;
      this.description = description;
      this.keywords = List.copyOf(keywords);
      this.status = STEP_PENDING;
    }

    static Step of(Row row) {
      Step step =
          new Step(
              row.getInteger("position"),
              row.getString("role"),
              List.of(row.getArrayOfStrings("capabilities")),
              row.getString("name"),
              row.getString("description"),
              List.of(row.getArrayOfStrings("keywords")));
      step.status = row.getString("status");
      step.assignee = row.getString("assignee");
      step.input = decode(row.getString("input"));
      step.output = decode(row.getString("output"));
      step.resultAssetId = row.getString("result_asset_id");
      step.startedAt = row.getLong("started_at");
      step.completedAt = row.getLong("completed_at");
      return step;
    }

    /** The step object of §13. */
    JsonObject json(EventViews views) {
      return definition()
          .put(A2aFields.STATUS, status)
          .put(A2aFields.ASSIGNEE, views.wire(assignee))
          .put(A2aFields.INPUT, input)
          .put(A2aFields.OUTPUT, output)
          .put(A2aFields.RESULT_ASSET_ID, resultAssetId)
          .put(A2aFields.STARTED_AT, startedAt == null ? null : A2aTimes.iso(startedAt))
          .put(A2aFields.COMPLETED_AT, completedAt == null ? null : A2aTimes.iso(completedAt));
    }

    /** What a template keeps of a step, and what a copy starts from. */
    JsonObject definition() {
      return new JsonObject()
          .put(A2aFields.POSITION, position)
          .put(A2aFields.ROLE, role)
          .put(A2aFields.CAPABILITIES, new JsonArray(new ArrayList<>(capabilities)))
          .put(A2aFields.NAME, name)
          .put(A2aFields.DESCRIPTION, description);
    }
  }

  final String id;
  final String sessionId;
  final String name;
  final String description;
  final String templateId;
  final String createdBy;
  final Object inputData;
  final long createdAt;
  final List<Step> steps;
  private String status;
  private Integer currentStep;
  private Long stalledSince;
  private Long completedAt;
  private boolean sessionEnded;
  private final Set<Integer> changedSteps = new TreeSet<>();

  Pipeline(
      String id,
      String sessionId,
      String name,
      String description,
      String status,
      String templateId,
      String createdBy,
      Object inputData,
      Integer currentStep,
      long createdAt,
      List<Step> steps) {
    this.id = id;
    this.sessionId = sessionId;
    this.name = name;
    this.description = description;
    this.status = status;
    this.templateId = templateId;
    this.createdBy = createdBy;
    this.inputData = inputData;
    this.currentStep = currentStep;
    this.createdAt = createdAt;
    this.steps = List.copyOf(steps);
  }

  /** A pipeline row with its step rows (in position order) and its session's state. */
  static Pipeline of(Row row, List<Step> steps) {
    Pipeline pipeline =
        new Pipeline(
            row.getString("pipeline_id"),
            row.getString("session_id"),
            row.getString("name"),
            row.getString("description"),
            row.getString("status"),
            row.getString("template_id"),
            row.getString("created_by"),
            decode(row.getString("input_data")),
            row.getInteger("current_step"),
            row.getLong("created_at"),
            steps);
    pipeline.stalledSince = row.getLong("stalled_since");
    pipeline.completedAt = row.getLong("completed_at");
    pipeline.sessionEnded = "ended".equals(row.getString("session_state"));
    return pipeline;
  }

  // --- reading

  /**
   * The status as clients see it: a running pipeline whose session ended (every member left, an ASP
   * end) has failed (§13).
   */
  String status() {
    if (sessionEnded && (ACTIVE.equals(status) || STALLED.equals(status))) {
      return FAILED;
    }
    return status;
  }

  boolean isTemplate() {
    return TEMPLATE.equals(status);
  }

  /** Completed or failed: nothing changes any more. */
  boolean closed() {
    String now = status();
    return COMPLETED.equals(now) || FAILED.equals(now);
  }

  Integer currentStep() {
    return currentStep;
  }

  Long stalledSince() {
    return stalledSince;
  }

  Long completedAt() {
    return completedAt;
  }

  /** The current step, or null (completed, template). */
  Step current() {
    return currentStep == null ? null : steps.get(currentStep - 1);
  }

  /** The creator and whoever has been an assignee: who may read it and post in its context. */
  boolean isMember(String handle) {
    if (handle == null) {
      return false;
    }
    if (handle.equals(createdBy)) {
      return true;
    }
    return steps.stream().anyMatch(step -> handle.equals(step.assignee));
  }

  /** The steps whose rows changed, in position order. */
  List<Step> changedSteps() {
    return changedSteps.stream().map(position -> steps.get(position - 1)).toList();
  }

  // --- transitions

  /** Step {@code position} becomes current with {@code input}; it is unassigned until assigned. */
  Step activate(int position, Object input, long now) {
    Step step = steps.get(position - 1);
    step.status = STEP_ACTIVE;
    step.input = input;
    step.startedAt = now;
    step.assignee = null;
    currentStep = position;
    changedSteps.add(position);
    return step;
  }

  /** The current step has its assignee: the pipeline runs. */
  void assigned(String assignee) {
    Step step = current();
    step.assignee = assignee;
    changedSteps.add(step.position);
    status = ACTIVE;
    stalledSince = null;
  }

  /** No match for the current step: the pipeline waits for a node that matches (§13). */
  void stall(long now) {
    if (!STALLED.equals(status)) {
      stalledSince = now;
    }
    status = STALLED;
  }

  /**
   * The assignee's advance: the current step completes with {@code output}; the next step, if any,
   * is returned (not yet current: {@link #activate} it), else the pipeline is completed.
   */
  Step completeCurrent(String resultAssetId, Object output, long now) {
    Step step = current();
    step.status = STEP_COMPLETED;
    step.output = output;
    step.resultAssetId = resultAssetId;
    step.completedAt = now;
    changedSteps.add(step.position);
    if (step.position == steps.size()) {
      status = COMPLETED;
      currentStep = null;
      completedAt = now;
      return null;
    }
    return steps.get(step.position);
  }

  /** Idle too long (§13): failed, wherever it stood. */
  void fail() {
    status = FAILED;
  }

  /** The stored status (not the one read through the session's state). */
  String storedStatus() {
    return status;
  }

  // --- the wire

  List<Object> stepsJson(EventViews views) {
    List<Object> json = new ArrayList<>();
    for (Step step : steps) {
      json.add(step.json(views));
    }
    return json;
  }

  /** {@code GET /a2a/pipeline/:id} (§13). */
  JsonObject json(EventViews views) {
    return new JsonObject()
        .put(A2aFields.PIPELINE_ID, id)
        .put(A2aFields.ID, id)
        .put(A2aFields.NAME, name)
        .put(A2aFields.DESCRIPTION, description)
        .put(A2aFields.STATUS, status())
        .put(A2aFields.IS_TEMPLATE, isTemplate())
        .put(A2aFields.TEMPLATE_ID, isTemplate() ? id : templateId)
        .put(A2aFields.CREATED_BY, views.wire(createdBy))
        .put(A2aFields.SESSION_ID, sessionId)
        .put(A2aFields.CURRENT_STEP, currentStep)
        .put(A2aFields.INPUT_DATA, inputData)
        .put(A2aFields.STEPS, new JsonArray(stepsJson(views)))
        .put(A2aFields.CREATED_AT, A2aTimes.iso(createdAt))
        .put(A2aFields.COMPLETED_AT, completedAt == null ? null : A2aTimes.iso(completedAt));
  }

  /** One entry of {@code GET /a2a/pipeline/templates}. */
  JsonObject templateJson(EventViews views) {
    return new JsonObject()
        .put(A2aFields.TEMPLATE_ID, id)
        .put(A2aFields.PIPELINE_ID, id)
        .put(A2aFields.NAME, name)
        .put(A2aFields.DESCRIPTION, description)
        .put(A2aFields.STEPS, new JsonArray(stepsJson(views)))
        .put(A2aFields.CREATED_BY, views.wire(createdBy))
        .put(A2aFields.CREATED_AT, A2aTimes.iso(createdAt));
  }

  /** {@code a2a.pipeline_step_assigned} (§5.2) for the current step. */
  JsonObject assignedEvent(EventViews views) {
    Step step = current();
    return new JsonObject()
        .put(A2aFields.PIPELINE_ID, id)
        .put(A2aFields.SESSION_ID, sessionId)
        .put(A2aFields.STEP, step.position)
        .put(A2aFields.ROLE, step.role)
        .put(A2aFields.CAPABILITIES, new JsonArray(new ArrayList<>(step.capabilities)))
        .put(A2aFields.NAME, step.name)
        .put(A2aFields.DESCRIPTION, step.description)
        .put(A2aFields.ASSIGNEE, views.wire(step.assignee))
        .put(A2aFields.INPUT, step.input);
  }

  /** {@code a2a.pipeline_completed} (§5.2): the last step's output and every step's result. */
  JsonObject completedEvent(EventViews views) {
    JsonArray results = new JsonArray();
    for (Step step : steps) {
      results.add(
          new JsonObject()
              .put(A2aFields.POSITION, step.position)
              .put(A2aFields.ROLE, step.role)
              .put(A2aFields.ASSIGNEE, views.wire(step.assignee))
              .put(A2aFields.RESULT_ASSET_ID, step.resultAssetId)
              .put(A2aFields.OUTPUT, step.output));
    }
    return new JsonObject()
        .put(A2aFields.PIPELINE_ID, id)
        .put(A2aFields.NAME, name)
        .put(A2aFields.OUTPUT, steps.get(steps.size() - 1).output)
        .put(A2aFields.STEPS, results);
  }

  /** Every handle that has been an assignee, in step order. */
  Set<String> assignees() {
    Set<String> all = new LinkedHashSet<>();
    for (Step step : steps) {
      if (step.assignee != null) {
        all.add(step.assignee);
      }
    }
    return all;
  }

  // --- JSON values as stored (their text; NULL for null)

  static String encode(Object value) {
    return value == null ? null : Json.encode(value);
  }

  static Object decode(String text) {
    return text == null ? null : Json.decodeValue(text);
  }
}
