package dev.asp.gateway.impl.a2a;

import dev.asp.gateway.A2aGatewaySettings;
import dev.asp.protocol.AspException;
import dev.asp.protocol.a2a.A2aAction;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.a2a.A2aFields;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * {@code POST /a2a/deliberation/start}, {@code GET /a2a/deliberation/:id} and {@code GET
 * /a2a/deliberation/:id/status} (hub spec §12). The start request is checked and completed with its
 * defaults here — both shapes, top-level {@code min_agents} winning over {@code config.min_agents},
 * the mode's threshold — so the A2A verticle gets one shape ({@link A2aAction#DELIBERATION_START})
 * and bad input stores nothing.
 */
final class DeliberationRoutes {
  static final Set<String> MODES = Set.of("standard", "debate", "consensus");
  static final int MAX_ROUNDS = 10;
  static final int DEFAULT_ROUNDS = 3;
  static final int DEFAULT_MIN_AGENTS = 2;
  static final long MIN_TIMEOUT_MS = 1_000;
  static final long MAX_TIMEOUT_MS = 3_600_000;
  static final long DEFAULT_TIMEOUT_MS = 300_000;

  private final A2aCalls calls;
  private final A2aGatewaySettings settings;

  DeliberationRoutes(A2aCalls calls, A2aGatewaySettings settings) {
    this.calls = calls;
    this.settings = settings;
  }

  void mount(Router router) {
    router.post("/a2a/deliberation/start").handler(this::start);
    router
        .get("/a2a/deliberation/:id/status")
        .handler(ctx -> read(ctx, A2aAction.DELIBERATION_STATUS));
    router.get("/a2a/deliberation/:id").handler(ctx -> read(ctx, A2aAction.DELIBERATION_READ));
  }

  private void start(RoutingContext ctx) {
    JsonObject body = A2aBodies.object(ctx);
    String sender = SessionBodies.sender(body);
    JsonObject config = A2aBodies.optionalObject(body, A2aFields.CONFIG);
    if (config == null) {
      config = new JsonObject();
    }
    String taskId = A2aBodies.string(body, A2aBodies.MAX_ID, A2aFields.TASK_ID);
    String title = A2aBodies.string(body, settings.maxTopicLength(), A2aFields.TITLE);
    String text = A2aBodies.string(body, settings.maxMessageChars(), A2aFields.BODY);
    if (taskId == null && (title == null || title.isBlank())) {
      throw A2aErrors.invalid(
          A2aFields.TITLE, "a non-empty string", title, "title is required (or name a task_id)");
    }
    if (taskId == null && (text == null || text.isBlank())) {
      throw A2aErrors.invalid(
          A2aFields.BODY, "a non-empty string", text, "body is required (or name a task_id)");
    }
    String mode = A2aBodies.string(body, 20, A2aFields.MODE);
    if (mode == null) {
      mode = "standard";
    } else if (!MODES.contains(mode)) {
      throw A2aErrors.invalid(
          A2aFields.MODE,
          "standard | debate | consensus",
          mode,
          "mode is standard, debate or consensus");
    }
    int rounds =
        range(body, A2aFields.MAX_ROUNDS, A2aFields.MAX_ROUNDS, 1, MAX_ROUNDS, DEFAULT_ROUNDS);
    int cap = settings.deliberationMaxAgents();
    int maxAgents =
        range(config, A2aFields.MAX_AGENTS, "config." + A2aFields.MAX_AGENTS, 1, cap, cap);
    int minAgents =
        body.getValue(A2aFields.MIN_AGENTS) != null
            ? range(body, A2aFields.MIN_AGENTS, A2aFields.MIN_AGENTS, 1, cap, DEFAULT_MIN_AGENTS)
            : range(
                config,
                A2aFields.MIN_AGENTS,
                "config." + A2aFields.MIN_AGENTS,
                1,
                cap,
                Math.min(DEFAULT_MIN_AGENTS, maxAgents));
    if (minAgents > maxAgents) {
      throw A2aErrors.invalid(
          A2aFields.MIN_AGENTS,
          "at most max_agents (" + maxAgents + ")",
          minAgents,
          "min_agents cannot exceed max_agents");
    }
    long timeout =
        range(
            config,
            A2aFields.TIMEOUT_PER_ROUND_MS,
            "config." + A2aFields.TIMEOUT_PER_ROUND_MS,
            MIN_TIMEOUT_MS,
            MAX_TIMEOUT_MS,
            DEFAULT_TIMEOUT_MS);
    Object threshold = config.getValue(A2aFields.CONVERGENCE_THRESHOLD);
    double convergence;
    if (threshold == null) {
      convergence =
          switch (mode) {
            case "debate" -> 0.8;
            case "consensus" -> 0.6;
            default -> 0.7;
          };
    } else if (threshold instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() <= 1) {
      convergence = n.doubleValue();
    } else {
      throw A2aErrors.invalid(
          "config." + A2aFields.CONVERGENCE_THRESHOLD,
          "a number 0..1",
          threshold,
          "convergence_threshold is a number 0..1");
    }
    String linked = A2aBodies.string(body, A2aBodies.MAX_ID, A2aFields.SESSION_ID);
    JsonObject command =
        new JsonObject()
            .put(A2aFields.TITLE, title == null || title.isBlank() ? null : title.trim())
            .put(A2aFields.BODY, text == null || text.isBlank() ? null : text)
            .put(A2aFields.TASK_ID, taskId)
            .put(A2aFields.SESSION_ID, linked)
            .put(A2aFields.MODE, mode)
            .put(A2aFields.MAX_ROUNDS, rounds)
            .put(A2aFields.MIN_AGENTS, minAgents)
            .put(A2aFields.MAX_AGENTS, maxAgents)
            .put(A2aFields.TIMEOUT_PER_ROUND_MS, timeout)
            .put(A2aFields.CONVERGENCE_THRESHOLD, convergence);
    calls.call(ctx, A2aAction.DELIBERATION_START, A2aFields.SENDER_ID, sender, command);
  }

  /** An optional integer in {@code min..max}; absent is {@code fallback}. */
  private static int range(
      JsonObject body, String name, String path, long min, long max, long fallback) {
    return (int) rangeLong(body, name, path, min, max, fallback);
  }

  private static long rangeLong(
      JsonObject body, String name, String path, long min, long max, long fallback) {
    Object value = body.getValue(name);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw A2aErrors.invalid(
          path, "an integer " + min + ".." + max, value, name + " is an integer");
    }
    long v = n.longValue();
    if (v < min || v > max) {
      throw A2aErrors.invalid(
          path, min + ".." + max, value, name + " must be between " + min + " and " + max);
    }
    return v;
  }

  private void read(RoutingContext ctx, A2aAction action) {
    String id = ctx.pathParam("id");
    if (id == null || id.length() > A2aBodies.MAX_ID || !id.startsWith("delib_")) {
      throw new AspException(A2aError.DELIBERATION_NOT_FOUND, "no such deliberation");
    }
    A2aBodies.check(id, "id", 0);
    calls.call(
        ctx,
        action,
        A2aFields.NODE_ID,
        ctx.queryParams().get(A2aFields.NODE_ID),
        new JsonObject().put(A2aFields.DELIBERATION_ID, id));
  }
}
