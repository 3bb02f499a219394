package dev.asp.gateway.impl.a2a;

import dev.asp.protocol.AspException;
import dev.asp.protocol.Ids;
import dev.asp.protocol.a2a.A2aAction;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code /a2a/pipeline/*} (hub spec §13). Every shape is checked here before anything is sent on —
 * the name, 2..10 steps each with its {@code role}, distinct positions (the steps are ordered by
 * them here and renumbered 1..n by the verticle), the size of {@code input_data} and {@code
 * output_data}, the form of {@code result_asset_id} — so a refused create stores nothing; the A2A
 * verticle decides membership, the current step's assignee and the status under the pipeline's
 * session lock.
 */
final class PipelineRoutes {
  static final int MAX_NAME = 200;
  static final int MAX_DESCRIPTION = 10_000;
  static final int MIN_STEPS = 2;
  static final int MAX_STEPS = 10;
  static final int MAX_ROLE = 100;
  static final int MAX_CAPABILITIES = 20;
  static final int MAX_CAPABILITY = 100;
  static final int MAX_STEP_NAME = 200;
  static final int MAX_STEP_DESCRIPTION = 4000;

  /** {@code input_data} and {@code output_data}: at most 64 KB as UTF-8 JSON (§13). */
  static final int MAX_DATA_BYTES = 64 * 1024;

  static final int MAX_TEMPLATES = 50;

  /** The correction of a step without a role shows one (§13, §17.5). */
  private static final JsonObject ROLE_EXAMPLE =
      new JsonObject()
          .put(
              A2aFields.STEPS,
              new JsonArray()
                  .add(
                      new JsonObject()
                          .put(A2aFields.ROLE, "researcher")
                          .put(A2aFields.CAPABILITIES, new JsonArray().add("search"))
                          .put(A2aFields.NAME, "collect sources"))
                  .add(
                      new JsonObject()
                          .put(A2aFields.ROLE, "writer")
                          .put(A2aFields.NAME, "draft the summary")));

  private final A2aCalls calls;
  private final BusClient bus;
  private final A2aAuth auth;

  PipelineRoutes(A2aCalls calls, BusClient bus, A2aAuth auth) {
    this.calls = calls;
    this.bus = bus;
    this.auth = auth;
  }

  void mount(Router router) {
    router.post("/a2a/pipeline/create").handler(this::create);
    // before /:id, which would take "templates" for an id
    router.get("/a2a/pipeline/templates").handler(this::templates);
    router.post("/a2a/pipeline/:id/advance").handler(this::advance);
    router.get("/a2a/pipeline/:id").handler(this::read);
  }

  // --- create

  private void create(RoutingContext ctx) {
    JsonObject body = A2aBodies.object(ctx);
    String sender = SessionBodies.sender(body);
    JsonObject command = new JsonObject();
    String templateId = A2aBodies.string(body, A2aBodies.MAX_ID, A2aFields.TEMPLATE_ID);
    boolean template = A2aBodies.bool(body, A2aFields.IS_TEMPLATE);
    if (templateId != null) {
      if (body.getValue(A2aFields.STEPS) != null) {
        throw A2aErrors.invalid(
            A2aFields.STEPS,
            "no steps with template_id",
            body.getValue(A2aFields.STEPS),
            "template_id copies the template's steps; send steps or template_id, not both");
      }
      if (template) {
        throw A2aErrors.invalid(
            A2aFields.IS_TEMPLATE,
            "no is_template with template_id",
            true,
            "a pipeline made from a template is not a template; send is_template or template_id");
      }
    }
    String name = text(body, A2aFields.NAME, MAX_NAME, templateId == null);
    if (name != null) {
      command.put(A2aFields.NAME, name);
    }
    String description = A2aBodies.string(body, MAX_DESCRIPTION, A2aFields.DESCRIPTION);
    if (description != null) {
      command.put(A2aFields.DESCRIPTION, description);
    }
    if (templateId == null) {
      command.put(A2aFields.STEPS, steps(body.getValue(A2aFields.STEPS)));
    }
    if (body.containsKey(A2aFields.INPUT_DATA)) {
      Object input = body.getValue(A2aFields.INPUT_DATA);
      requireDataSize(A2aFields.INPUT_DATA, input);
      command.put(A2aFields.INPUT_DATA, input);
    }
    command.put(A2aFields.IS_TEMPLATE, template);
    if (templateId != null) {
      if (!Ids.isPipelineId(templateId)) {
        throw new AspException(A2aError.PIPELINE_NOT_FOUND, "no such template");
      }
      command.put(A2aFields.TEMPLATE_ID, templateId);
    }
    calls.call(ctx, A2aAction.PIPELINE_CREATE, A2aFields.SENDER_ID, sender, command);
  }

  /**
   * 2..10 steps, each with a role; ordered by their positions when given (all of them, distinct
   * integers), else as sent.
   */
  private static JsonArray steps(Object value) {
    if (!(value instanceof JsonArray array)) {
      throw A2aErrors.invalid(
          A2aFields.STEPS,
          MIN_STEPS + ".." + MAX_STEPS + " steps",
          value,
          "steps is required: an array of " + MIN_STEPS + ".." + MAX_STEPS + " steps",
          ROLE_EXAMPLE);
    }
    if (array.size() < MIN_STEPS || array.size() > MAX_STEPS) {
      throw A2aErrors.invalid(
          A2aFields.STEPS,
          MIN_STEPS + ".." + MAX_STEPS + " steps",
          value,
          "a pipeline has " + MIN_STEPS + ".." + MAX_STEPS + " steps, not " + array.size());
    }
    record Ordered(Long position, int index, JsonObject step) {}
    List<Ordered> steps = new ArrayList<>();
    int positioned = 0;
    Set<Long> positions = new HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      String path = A2aFields.STEPS + "[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject step)) {
        throw A2aErrors.invalid(path, "object", array.getValue(i), path + " must be an object");
      }
      Long position = position(step, path);
      if (position != null) {
        positioned++;
        if (!positions.add(position)) {
          throw A2aErrors.invalid(
              path + "." + A2aFields.POSITION,
              "distinct integers",
              position,
              "two steps have position " + position);
        }
      }
      steps.add(new Ordered(position, i, step(step, path)));
    }
    if (positioned != 0 && positioned != steps.size()) {
      throw A2aErrors.invalid(
          A2aFields.STEPS,
          "a position on every step, or on none",
          value,
          "give every step a position, or none (the array order is then the order)");
    }
    if (positioned != 0) {
      steps.sort(Comparator.comparingLong(Ordered::position));
    }
    JsonArray ordered = new JsonArray();
    steps.forEach(s -> ordered.add(s.step()));
    return ordered;
  }

  private static Long position(JsonObject step, String path) {
    Object value = step.getValue(A2aFields.POSITION);
    if (value == null) {
      return null;
    }
    if (value instanceof Number number
        && number.doubleValue() == Math.rint(number.doubleValue())
        && Math.abs(number.doubleValue()) < 1e15) {
      return number.longValue();
    }
    throw A2aErrors.invalid(
        path + "." + A2aFields.POSITION, "integer", value, path + ".position must be an integer");
  }

  /**
   * One step's fields as the verticle takes them: {@code {role, capabilities, name?,
   * description?}}.
   */
  private static JsonObject step(JsonObject step, String path) {
    Object role = step.getValue(A2aFields.ROLE);
    if (!(role instanceof String text) || text.isBlank() || text.length() > MAX_ROLE) {
      throw A2aErrors.invalid(
          path + "." + A2aFields.ROLE,
          "a string of 1.." + MAX_ROLE + " characters",
          role,
          path
              + ".role is required (1.."
              + MAX_ROLE
              + " characters): every step names its role; name or assignee do not replace it",
          ROLE_EXAMPLE);
    }
    JsonObject out = new JsonObject().put(A2aFields.ROLE, text);
    Object capabilities = step.getValue(A2aFields.CAPABILITIES);
    JsonArray list = new JsonArray();
    if (capabilities != null) {
      String at = path + "." + A2aFields.CAPABILITIES;
      if (!(capabilities instanceof JsonArray array) || array.size() > MAX_CAPABILITIES) {
        throw A2aErrors.invalid(
            at,
            "an array of at most " + MAX_CAPABILITIES + " strings",
            capabilities,
            at + " is an array of at most " + MAX_CAPABILITIES + " strings");
      }
      for (int i = 0; i < array.size(); i++) {
        if (!(array.getValue(i) instanceof String capability)
            || capability.length() > MAX_CAPABILITY) {
          throw A2aErrors.invalid(
              at + "[" + i + "]",
              "a string of at most " + MAX_CAPABILITY + " characters",
              array.getValue(i),
              at + " lists strings of at most " + MAX_CAPABILITY + " characters");
        }
        list.add(capability);
      }
    }
    out.put(A2aFields.CAPABILITIES, list);
    String name = stepText(step, A2aFields.NAME, path, MAX_STEP_NAME);
    out.put(A2aFields.NAME, name);
    out.put(
        A2aFields.DESCRIPTION, stepText(step, A2aFields.DESCRIPTION, path, MAX_STEP_DESCRIPTION));
    return out;
  }

  private static String stepText(JsonObject step, String field, String path, int max) {
    Object value = step.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text) || text.length() > max) {
      throw A2aErrors.invalid(
          path + "." + field,
          "a string of at most " + max + " characters",
          value,
          path + "." + field + " is a string of at most " + max + " characters");
    }
    return text;
  }

  /** A non-blank string of at most {@code max} characters; absent is null unless required. */
  private static String text(JsonObject body, String field, int max, boolean required) {
    Object value = body.getValue(field);
    if (value == null && !required) {
      return null;
    }
    if (!(value instanceof String text) || text.isBlank() || text.length() > max) {
      throw A2aErrors.invalid(
          field,
          "a string of 1.." + max + " characters",
          value,
          field + " is required: 1.." + max + " characters");
    }
    return text;
  }

  /** Any JSON value of at most {@value #MAX_DATA_BYTES} bytes as UTF-8 JSON, else 413. */
  private static void requireDataSize(String field, Object value) {
    int bytes = Json.encode(value).getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_DATA_BYTES) {
      throw new AspException(
          A2aError.PAYLOAD_TOO_LARGE,
          field + " is " + bytes + " bytes as JSON; at most " + MAX_DATA_BYTES);
    }
  }

  // --- advance, read, templates

  private void advance(RoutingContext ctx) {
    String id = pipelineId(ctx);
    JsonObject body = A2aBodies.object(ctx);
    String sender = SessionBodies.sender(body);
    JsonObject command = new JsonObject().put(A2aFields.PIPELINE_ID, id);
    Object asset = body.getValue(A2aFields.RESULT_ASSET_ID);
    command.put(A2aFields.RESULT_ASSET_ID, asset == null ? null : BoardBodies.asset(asset));
    Object output = body.getValue(A2aFields.OUTPUT_DATA);
    requireDataSize(A2aFields.OUTPUT_DATA, output);
    command.put(A2aFields.OUTPUT_DATA, output);
    calls.call(ctx, A2aAction.PIPELINE_ADVANCE, A2aFields.SENDER_ID, sender, command);
  }

  /** {@code GET /a2a/pipeline/:id}: auth optional (a template is anyone's to read, §1). */
  private void read(RoutingContext ctx) {
    String id = pipelineId(ctx);
    String node = ctx.queryParams().get(A2aFields.NODE_ID);
    JsonObject command = new JsonObject().put(A2aFields.PIPELINE_ID, id);
    auth.optional(ctx)
        .compose(
            caller -> {
              if (caller != null) {
                auth.requireCaller(A2aFields.NODE_ID, node, caller);
                command.put(BusFields.CALLER, caller);
              }
              return bus.request(Addresses.A2A, A2aAction.PIPELINE_READ, command);
            })
        .onSuccess(reply -> A2aReplies.ok(ctx, reply))
        .onFailure(ctx::fail);
  }

  /** {@code GET /a2a/pipeline/templates?limit}: no auth needed; an invalid Bearer is ignored. */
  private void templates(RoutingContext ctx) {
    Long limit = SessionRoutes.query(ctx, A2aFields.LIMIT);
    if (limit != null && (limit < 1 || limit > MAX_TEMPLATES)) {
      throw A2aErrors.invalid(
          A2aFields.LIMIT,
          "1.." + MAX_TEMPLATES,
          limit,
          "limit must be between 1 and " + MAX_TEMPLATES);
    }
    auth.optional(ctx)
        .compose(
            caller ->
                bus.request(
                    Addresses.A2A,
                    A2aAction.PIPELINE_TEMPLATES,
                    new JsonObject().put(A2aFields.LIMIT, limit == null ? 20 : limit)))
        .onSuccess(reply -> A2aReplies.ok(ctx, reply))
        .onFailure(ctx::fail);
  }

  /** A path id that cannot be one of ours names no pipeline, like any unknown one. */
  private static String pipelineId(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!Ids.isPipelineId(id)) {
      throw new AspException(A2aError.PIPELINE_NOT_FOUND, "no such pipeline");
    }
    return id;
  }
}
