package dev.asp.gateway.impl.a2a;

import dev.asp.protocol.a2a.A2aAction;
import dev.asp.protocol.a2a.A2aFields;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * {@code POST /a2a/subscribe} and {@code GET /a2a/subscriptions} (hub spec §9). Every field is
 * checked and normalised here, so the A2A verticle sees only the bus shapes of {@link
 * A2aAction#SUBSCRIBE} and {@link A2aAction#SUBSCRIPTIONS}, and bad input stores nothing. Discover
 * is not served yet.
 */
final class DiscoverRoutes {
  static final int MAX_TOPIC = 50;

  /** A raw topic or query longer than this is refused before it is normalised. */
  static final int MAX_RAW = 1000;

  private static final Pattern SPACE = Pattern.compile("\\s+");

  private final A2aCalls calls;

  DiscoverRoutes(A2aCalls calls) {
    this.calls = calls;
  }

  void mount(Router router) {
    router.post("/a2a/subscribe").handler(this::subscribe);
    router.get("/a2a/subscriptions").handler(this::subscriptions);
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

  private void call(
      RoutingContext ctx, A2aAction action, String field, String given, JsonObject command) {
    calls.call(ctx, action, field, given, command);
  }
}
