package dev.asp.a2a.impl;

import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.a2a.A2aTimes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.List;

/**
 * One task of a session's board (hub spec §8.1), as stored in {@code a2a_tasks}. Immutable: a
 * change is a new value ({@link Board} computes them, SQL stores them).
 *
 * @param position creation order within the session
 * @param dependsOn resolved task ids of the same session
 * @param weight the contribution weight, 0..1, or null
 * @param assignee a handle, or null
 */
record Task(
    String id,
    String sessionId,
    int position,
    String title,
    String description,
    List<String> signals,
    List<String> dependsOn,
    Double weight,
    String role,
    String status,
    String assignee,
    String resultAssetId,
    String summary,
    String createdBy,
    long createdAt,
    long updatedAt,
    Long completedAt) {

  static final String PENDING = "pending";
  static final String BLOCKED = "blocked";
  static final String IN_PROGRESS = "in_progress";
  static final String COMPLETED = "completed";

  /** The statuses in the order of the board summary. */
  static final List<String> STATUSES = List.of(COMPLETED, IN_PROGRESS, PENDING, BLOCKED);

  static Task of(Row row) {
    return new Task(
        row.getString("task_id"),
        row.getString("session_id"),
        row.getInteger("position"),
        row.getString("title"),
        row.getString("description"),
        List.of(row.getArrayOfStrings("signals")),
        List.of(row.getArrayOfStrings("depends_on")),
        row.getDouble("contribution_weight"),
        row.getString("role"),
        row.getString("status"),
        row.getString("assigned_to"),
        row.getString("result_asset_id"),
        row.getString("summary"),
        row.getString("created_by"),
        row.getLong("created_at"),
        row.getLong("updated_at"),
        row.getLong("completed_at"));
  }

  boolean completed() {
    return COMPLETED.equals(status);
  }

  Task withStatus(String status, long now) {
    return new Task(
        id,
        sessionId,
        position,
        title,
        description,
        signals,
        dependsOn,
        weight,
        role,
        status,
        assignee,
        resultAssetId,
        summary,
        createdBy,
        createdAt,
        now,
        completedAt);
  }

  Task withAssignee(String assignee, long now) {
    return new Task(
        id,
        sessionId,
        position,
        title,
        description,
        signals,
        dependsOn,
        weight,
        role,
        status,
        assignee,
        resultAssetId,
        summary,
        createdBy,
        createdAt,
        now,
        completedAt);
  }

  Task withFields(String title, String description, Double weight, List<String> signals, long now) {
    return new Task(
        id,
        sessionId,
        position,
        title,
        description,
        signals,
        dependsOn,
        weight,
        role,
        status,
        assignee,
        resultAssetId,
        summary,
        createdBy,
        createdAt,
        now,
        completedAt);
  }

  Task completedBy(String assignee, String resultAssetId, String summary, long now) {
    return new Task(
        id,
        sessionId,
        position,
        title,
        description,
        signals,
        dependsOn,
        weight,
        role,
        COMPLETED,
        assignee,
        resultAssetId,
        summary,
        createdBy,
        createdAt,
        now,
        now);
  }

  static JsonArray json(List<Task> tasks, EventViews views) {
    JsonArray array = new JsonArray();
    tasks.forEach(t -> array.add(t.toJson(views)));
    return array;
  }

  /** The task object of §8.1, node ids in wire form. */
  JsonObject toJson(EventViews views) {
    return new JsonObject()
        .put(A2aFields.TASK_ID, id)
        .put(A2aFields.ID, id)
        .put(A2aFields.SESSION_ID, sessionId)
        .put(A2aFields.TITLE, title)
        .put(A2aFields.DESCRIPTION, description)
        .put(A2aFields.SIGNALS, new JsonArray(signals))
        .put(A2aFields.DEPENDS_ON, new JsonArray(dependsOn))
        .put(A2aFields.CONTRIBUTION_WEIGHT, weight)
        .put(A2aFields.ROLE, role)
        .put(A2aFields.STATUS, status)
        .put(A2aFields.ASSIGNED_TO, views.wire(assignee))
        .put(A2aFields.RESULT_ASSET_ID, resultAssetId)
        .put(A2aFields.SUMMARY, summary)
        .put(A2aFields.CREATED_BY, views.wire(createdBy))
        .put(A2aFields.CREATED_AT, A2aTimes.iso(createdAt))
        .put(A2aFields.UPDATED_AT, A2aTimes.iso(updatedAt))
        .put(A2aFields.COMPLETED_AT, completedAt == null ? null : A2aTimes.iso(completedAt));
  }
}
