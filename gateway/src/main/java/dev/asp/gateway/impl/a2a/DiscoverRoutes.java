package dev.asp.gateway.impl.a2a;

import dev.asp.protocol.a2a.A2aAction;
import dev.asp.protocol.a2a.A2aFields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code POST /a2a/subscribe}, {@code GET /a2a/subscriptions} and {@code POST /a2a/discover} (hub
 * spec §9). Every field is checked and normalised here (topics, capabilities, signals, limits), so
 * the A2A verticle sees only the bus shapes of {@link A2aAction#SUBSCRIBE}, {@link
 * A2aAction#SUBSCRIPTIONS} and {@link A2aAction#DISCOVER}, and bad input stores nothing.
 */
final class DiscoverRoutes {
  static final int MAX_TOPIC = 50;

  /** A raw topic or query longer than this is refused before it is normalised. */
  static final int MAX_RAW = 1000;

  static final int MAX_QUERY = 500;

  /** Capability strings a discover may list. */
  static final int MAX_CAPABILITIES = 50;

  static final int MAX_LIMIT = 50;
  static final int DEFAULT_LIMIT = 10;

  private static final Pattern SPACE = Pattern.compile("\\s+");

  private final A2aCalls calls;

  DiscoverRoutes(A2aCalls calls) {
    this.calls = calls;
  }

  void mount(Router router) {
    router.post("/a2a/subscribe").handler(this::subscribe);
    router.get("/a2a/subscriptions").handler(this::subscriptions);
    router.post("/a2a/discover").handler(this::discover);
  }

  /** {@code {sender_id, topic, action?}} → {@code {topic, action, subscribed, count}}. */
  private void subscribe(RoutingContext ctx) {
    JsonObject body = A2aBodies.object(ctx);
    String sender = SessionBodies.sender(body);
    String topic = topic(body);
    String action = A2aBodies.string(body, MAX_RAW, A2aFields.ACTION);
    String normalised =
        action == null ? A2aFields.SUBSCRIBE : action.trim().toLowerCase(Locale.ROOT);
    if (!A2aFields.SUBSCRIBE.equals(normalised) && !A2aFields.UNSUBSCRIBE.equals(normalised)) {
      throw A2aErrors.invalid(
          A2aFields.ACTION,
          "subscribe | unsubscribe",
          action,
          "action must be subscribe or unsubscribe");
    }
    call(
        ctx,
        A2aAction.SUBSCRIBE,
        A2aFields.SENDER_ID,
        sender,
        new JsonObject()
            .put(A2aFields.TOPIC, topic)
            .put(A2aFields.SUBSCRIBE, A2aFields.SUBSCRIBE.equals(normalised)));
  }

  /** Trimmed, whitespace collapsed, lower-cased; 1..50 characters after that. */
  static String topic(JsonObject body) {
    String raw = A2aBodies.string(body, MAX_RAW, A2aFields.TOPIC);
    if (raw == null) {
      throw A2aErrors.invalid(A2aFields.TOPIC, "1..50 characters", null, "topic is required");
    }
    String topic = SPACE.matcher(raw.trim()).replaceAll(" ").toLowerCase(Locale.ROOT);
    int length = topic.codePointCount(0, topic.length());
    if (length < 1 || length > MAX_TOPIC) {
      throw A2aErrors.invalid(
          A2aFields.TOPIC,
          "1.." + MAX_TOPIC + " characters",
          raw,
          "topic must be 1.." + MAX_TOPIC + " characters once trimmed");
    }
    return topic;
  }

  /** {@code ?node_id} (the caller) → {@code {subscriptions:[{topic, created_at}], count}}. */
  private void subscriptions(RoutingContext ctx) {
    String node = ctx.queryParams().get(A2aFields.NODE_ID);
    if (node != null && node.length() > A2aBodies.MAX_ID) {
      throw A2aErrors.invalid(A2aFields.NODE_ID, "a node id", node, "node_id is too long");
    }
    call(ctx, A2aAction.SUBSCRIPTIONS, A2aFields.NODE_ID, node, new JsonObject());
  }

  /**
   * {@code {sender_id, query?, capabilities?, signals?, limit?}}: the query trimmed (blank is
   * none), capabilities and signals trimmed and lower-cased as board signals are (so that they
   * compare: the §3 keyword rule would split {@code "machine learning"} and drop {@code "ml"}),
   * limit 1..50.
   */
  private void discover(RoutingContext ctx) {
    JsonObject body = A2aBodies.object(ctx);
    String sender = SessionBodies.sender(body);
    String query = A2aBodies.string(body, MAX_QUERY, A2aFields.QUERY);
    if (query != null) {
      query = query.trim();
    }
    JsonArray capabilities = capabilities(body.getValue(A2aFields.CAPABILITIES));
    JsonArray signals = BoardBodies.signals(body.getValue(A2aFields.SIGNALS), A2aFields.SIGNALS);
    Long limit = A2aBodies.integer(body, A2aFields.LIMIT, false);
    if (limit != null && (limit < 1 || limit > MAX_LIMIT)) {
      throw A2aErrors.invalid(
          A2aFields.LIMIT, "1.." + MAX_LIMIT, limit, "limit must be between 1 and " + MAX_LIMIT);
    }
    JsonObject command =
        new JsonObject()
            .put(A2aFields.CAPABILITIES, capabilities)
            .put(A2aFields.SIGNALS, signals)
            .put(A2aFields.LIMIT, limit == null ? DEFAULT_LIMIT : limit.intValue());
    if (query != null && !query.isEmpty()) {
      command.put(A2aFields.QUERY, query);
    }
    call(ctx, A2aAction.DISCOVER, A2aFields.SENDER_ID, sender, command);
  }

  /** ≤ 50 strings, each trimmed and lower-cased, blanks dropped, distinct in first-seen order. */
  static JsonArray capabilities(Object value) {
    if (value == null) {
      return new JsonArray();
    }
    if (!(value instanceof JsonArray array)) {
      throw A2aErrors.invalid(
          A2aFields.CAPABILITIES,
          "array of strings",
          value,
          "capabilities must be an array of strings");
    }
    if (array.size() > MAX_CAPABILITIES) {
      throw A2aErrors.invalid(
          A2aFields.CAPABILITIES,
          "at most " + MAX_CAPABILITIES + " items",
          value,
          "capabilities has more than " + MAX_CAPABILITIES + " items");
    }
    Set<String> out = new LinkedHashSet<>();
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof String text) || text.length() > MAX_TOPIC) {
        throw A2aErrors.invalid(
            A2aFields.CAPABILITIES + "[" + i + "]",
            "a string of at most " + MAX_TOPIC + " characters",
            array.getValue(i),
            "capabilities must be strings of at most " + MAX_TOPIC + " characters");
      }
      String capability = text.trim().toLowerCase(Locale.ROOT);
      if (!capability.isEmpty()) {
        out.add(capability);
      }
    }
    return new JsonArray(List.copyOf(out));
  }

  private void call(
      RoutingContext ctx, A2aAction action, String field, String given, JsonObject command) {
    calls.call(ctx, action, field, given, command);
  }
}
