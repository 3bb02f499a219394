package dev.asp.gateway.impl.a2a;

import dev.asp.protocol.AspException;
import dev.asp.protocol.Ids;
import dev.asp.protocol.a2a.A2aAction;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.a2a.A2aFields;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code /a2a/dialog*} (hub spec §11): typed posts in a context, their history and threads. The
 * body is checked here — exactly one context, a known {@code dialog_type}, the content's shape and
 * size — before anything is sent on; membership, recipients and references are decided by the A2A
 * verticle. A pipeline context goes to the verticle like a session context (it resolves the
 * pipeline to its backing session); this operator has no deliberations yet (§12), so that context
 * names nothing that exists: {@code deliberation_not_found}.
 */
final class DialogRoutes {
  static final Set<String> TYPES =
      Set.of(
          "challenge",
          "respond",
          "agree",
          "disagree",
          "build_on",
          "synthesize",
          "vote",
          "amend",
          "second",
          "task_update",
          "orchestrate",
          "direct_message");

  static final int MAX_HISTORY = 200;

  private final A2aCalls calls;
  private final A2aAuth auth;
  private final SessionBodies bodies;

  DialogRoutes(A2aCalls calls, A2aAuth auth, SessionBodies bodies) {
    this.calls = calls;
    this.auth = auth;
    this.bodies = bodies;
  }

  void mount(Router router) {
    router.post("/a2a/dialog").handler(this::post);
    router.get("/a2a/dialog/history").handler(this::history);
    router.get("/a2a/dialog/thread/:messageId").handler(this::thread);
  }

  private void post(RoutingContext ctx) {
    JsonObject body = A2aBodies.object(ctx);
    String sender =
        A2aBodies.string(body, A2aBodies.MAX_ID, A2aFields.SENDER_ID, A2aFields.FROM_NODE_ID);
    JsonObject command = context(body);
    command.put(A2aFields.DIALOG_TYPE, dialogType(body.getValue(A2aFields.DIALOG_TYPE), true));
    Object content = body.getValue(A2aFields.CONTENT);
    if (content instanceof String text ? text.isBlank() : !(content instanceof JsonObject)) {
      throw A2aErrors.invalid(
          A2aFields.CONTENT,
          "a non-empty string or an object",
          content,
          "content is a non-empty string or an object {reasoning?, conclusion?, confidence?, …}");
    }
    if (content instanceof JsonObject object && object.containsKey(A2aFields.CONFIDENCE)) {
      Object confidence = object.getValue(A2aFields.CONFIDENCE);
      if (!(confidence instanceof Number n) || n.doubleValue() < 0 || n.doubleValue() > 1) {
        throw A2aErrors.invalid(
            "content.confidence", "a number 0..1", confidence, "confidence is a number 0..1");
      }
    }
    bodies.requireSize(content, "the content");
    command.put(A2aFields.CONTENT, content);
    String to = A2aBodies.string(body, A2aBodies.MAX_ID, A2aFields.TO_NODE_ID);
    if (to != null) {
      String handle = auth.handleOf(to);
      if (handle == null) {
        throw A2aErrors.invalid(
            A2aFields.TO_NODE_ID, "a node id", to, "to_node_id must name a participant");
      }
      command.put(A2aFields.TO, handle);
    } else if ("direct_message".equals(command.getString(A2aFields.DIALOG_TYPE))) {
      throw A2aErrors.invalid(
          A2aFields.TO_NODE_ID, "a node id", null, "a direct_message post needs to_node_id");
    }
    String reference = A2aBodies.string(body, A2aBodies.MAX_ID, A2aFields.REFERENCE_ID);
    if (reference != null) {
      command.put(A2aFields.REFERENCE_ID, reference);
    }
    // round only means something in a deliberation; checked there
    Long round = A2aBodies.integer(body, A2aFields.ROUND, false);
    if (round != null) {
      if (round < 1 || round > DeliberationRoutes.MAX_ROUNDS) {
        throw A2aErrors.invalid(
            A2aFields.ROUND, "1.." + DeliberationRoutes.MAX_ROUNDS, round, "round is 1..10");
      }
      command.put(A2aFields.ROUND, round.intValue());
    }
    call(ctx, A2aAction.DIALOG_POST, sender, command);
  }

  private void history(RoutingContext ctx) {
    JsonObject query = new JsonObject();
    for (String name :
        List.of(A2aFields.SESSION_ID, A2aFields.DELIBERATION_ID, A2aFields.PIPELINE_ID)) {
      String value = ctx.queryParams().get(name);
      if (value != null && !value.isEmpty()) {
        query.put(name, value);
      }
    }
    A2aBodies.check(query, "$", 0);
    JsonObject command = context(query);
    Long limit = SessionRoutes.query(ctx, A2aFields.LIMIT);
    if (limit != null && (limit < 1 || limit > MAX_HISTORY)) {
      throw A2aErrors.invalid(
          A2aFields.LIMIT,
          "1.." + MAX_HISTORY,
          limit,
          "limit must be between 1 and " + MAX_HISTORY);
    }
    command.put(A2aFields.LIMIT, limit == null ? 50 : limit);
    String cursor = ctx.queryParams().get(A2aFields.CURSOR);
    if (cursor != null && !cursor.isEmpty()) {
      if (!cursor.matches("[0-9]{1,18}")) {
        throw A2aErrors.invalid(
            A2aFields.CURSOR, "a next_cursor", cursor, "cursor is the next_cursor of a page");
      }
      command.put(A2aFields.CURSOR, Long.parseLong(cursor));
    }
    String type = ctx.queryParams().get(A2aFields.DIALOG_TYPE);
    if (type != null && !type.isEmpty()) {
      command.put(A2aFields.DIALOG_TYPE, dialogType(type, false));
    }
    call(ctx, A2aAction.DIALOG_HISTORY, ctx.queryParams().get(A2aFields.NODE_ID), command);
  }

  private void thread(RoutingContext ctx) {
    String id = ctx.pathParam("messageId");
    if (id == null || id.length() > A2aBodies.MAX_ID || !id.startsWith("msg_")) {
      throw new AspException(A2aError.MESSAGE_NOT_FOUND, "no such message");
    }
    A2aBodies.check(id, "messageId", 0);
    call(
        ctx,
        A2aAction.DIALOG_THREAD,
        ctx.queryParams().get(A2aFields.NODE_ID),
        new JsonObject().put(A2aFields.MESSAGE_ID, id));
  }

  /** Exactly one context (§11): none is {@code context_required}, several a validation error. */
  private static JsonObject context(JsonObject body) {
    List<String> named = new ArrayList<>();
    for (String name :
        List.of(A2aFields.SESSION_ID, A2aFields.DELIBERATION_ID, A2aFields.PIPELINE_ID)) {
      if (body.getValue(name) != null) {
        named.add(name);
      }
    }
    if (named.isEmpty()) {
      throw new AspException(
          A2aError.CONTEXT_REQUIRED,
          "name the context: session_id, deliberation_id or pipeline_id");
    }
    if (named.size() > 1) {
      throw A2aErrors.invalid(
          String.join(",", named), "exactly one context", null, "name exactly one context");
    }
    String field = named.get(0);
    String id = A2aBodies.string(body, A2aBodies.MAX_ID, field);
    if (field.equals(A2aFields.DELIBERATION_ID)) {
      if (id == null || !id.startsWith("delib_")) {
        throw new AspException(A2aError.DELIBERATION_NOT_FOUND, "no such deliberation");
      }
      return new JsonObject()
          .put(A2aFields.CONTEXT_TYPE, "deliberation")
          .put(A2aFields.CONTEXT_ID, id);
    }
    if (field.equals(A2aFields.PIPELINE_ID)) {
      if (!Ids.isPipelineId(id)) {
        throw new AspException(A2aError.PIPELINE_NOT_FOUND, "no such pipeline");
      }
      return new JsonObject().put(A2aFields.CONTEXT_TYPE, "pipeline").put(A2aFields.CONTEXT_ID, id);
    }
    JsonObject command = SessionBodies.inSession(body, new JsonObject());
    return new JsonObject()
        .put(A2aFields.CONTEXT_TYPE, "session")
        .put(A2aFields.CONTEXT_ID, command.getString(A2aFields.SESSION_ID, id));
  }

  private static String dialogType(Object value, boolean required) {
    if (value == null && !required) {
      return null;
    }
    if ("diverge".equals(value)) {
      throw new AspException(
          A2aError.INVALID_DIALOG_TYPE,
          "`diverge` is a deliberation phase (`diverging`), not a dialog type; post `respond`"
              + " during the diverging phase");
    }
    if (!(value instanceof String type) || !TYPES.contains(type)) {
      throw new AspException(
          A2aError.INVALID_DIALOG_TYPE,
          "dialog_type must be one of " + String.join(", ", TYPES.stream().sorted().toList()));
    }
    return type;
  }

  private void call(RoutingContext ctx, A2aAction action, String sender, JsonObject command) {
    calls.call(ctx, action, A2aFields.SENDER_ID, sender, command);
  }
}
