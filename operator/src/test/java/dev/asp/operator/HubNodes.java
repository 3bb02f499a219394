package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestSql;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Hub nodes (hub spec §3–§6) driven over plain HTTP, as a third-party client drives them, against
 * whichever operator node each call names: for the tests where one node's requests are spread over
 * a cluster. Also the test's oracle of a pull view: what a node must see, read independently from
 * the session's log through the ASP surface.
 */
final class HubNodes {
  private HubNodes() {}

  /** A registered hub node: its id and secret. */
  record Node(String id, String secret) {
    String handle() {
      return "@a2a." + id;
    }
  }

  /** A new hub node (a flat hello without sender_id), registered through {@code http}. */
  static Node hello(RawHttp http) {
    JsonObject reply = ok(http.post("/a2a/hello", null, new JsonObject()));
    return new Node(reply.getString("your_node_id"), reply.getString("node_secret"));
  }

  /** Success on /a2a/*: HTTP 200 and a body without an {@code error} key (hub spec §1). */
  static JsonObject ok(RawHttp.Response response) {
    assertEquals(200, response.status(), response.text());
    JsonObject body = response.json();
    assertFalse(body.containsKey("error"), "a success body has no error key: " + body);
    return body;
  }

  /** The A2A error body of §14 with its status and code; never a stack trace. */
  static JsonObject error(RawHttp.Response response, int status, String code) {
    assertEquals(status, response.status(), response.text());
    JsonObject body = response.json();
    assertEquals(code, body.getString("error"), body.encode());
    assertNotNull(body.getString("message"));
    assertNotNull(body.getJsonObject("correction").getString("problem"));
    assertNotNull(body.getJsonObject("correction").getString("fix"));
    assertFalse(response.text().contains("Exception"), "no stack trace: " + response.text());
    return body;
  }

  /** Creates a session owned by {@code owner} inviting {@code invitees}; its id. */
  static String createSession(RawHttp http, Node owner, Node... invitees) {
    JsonArray invite = new JsonArray();
    for (Node invitee : invitees) {
      invite.add(invitee.id());
    }
    JsonObject reply =
        ok(
            http.post(
                "/a2a/session/create",
                owner.secret(),
                new JsonObject()
                    .put("sender_id", owner.id())
                    .put("title", "across the cluster")
                    .put("invite_node_ids", invite)));
    assertEquals(invite, reply.getJsonArray("invited"), reply.encode());
    return reply.getString("session_id");
  }

  static void join(RawHttp http, Node node, String session) {
    ok(
        http.post(
            "/a2a/session/join",
            node.secret(),
            new JsonObject().put("sender_id", node.id()).put("session_id", session)));
  }

  /** A broadcast message; completes with its sequence once the operator answered 200. */
  static Future<Long> send(RawHttp http, Node sender, String session, Object payload) {
    return http.postAsync(
            "/a2a/session/message",
            sender.secret(),
            new JsonObject()
                .put("sender_id", sender.id())
                .put("session_id", session)
                .put("payload", payload))
        .map(response -> ok(response).getLong("sequence"));
  }

  /** The flat poll {@code {node_id, timeout_ms?, cursor?, limit?}}. */
  static JsonObject flatPoll(Node node, Long timeoutMs, String cursor, Integer limit) {
    JsonObject body = new JsonObject().put("node_id", node.id());
    putOptional(body, timeoutMs, cursor, limit);
    return body;
  }

  /** The envelope poll {@code {message_type:"events_poll", sender_id, payload:{…}}}. */
  static JsonObject envelopePoll(Node node, Long timeoutMs, String cursor, Integer limit) {
    JsonObject payload = new JsonObject();
    putOptional(payload, timeoutMs, cursor, limit);
    return new JsonObject()
        .put("protocol", "gep-a2a")
        .put("message_type", "events_poll")
        .put("sender_id", node.id())
        .put("payload", payload);
  }

  private static void putOptional(JsonObject body, Long timeoutMs, String cursor, Integer limit) {
    if (timeoutMs != null) {
      body.put("timeout_ms", timeoutMs);
    }
    if (cursor != null) {
      body.put("cursor", cursor);
    }
    if (limit != null) {
      body.put("limit", limit);
    }
  }

  static Future<RawHttp.Response> poll(RawHttp http, Node node, JsonObject body) {
    return http.postAsync("/a2a/events/poll", node.secret(), body);
  }

  /**
   * The events of a poll reply, after checking the reply's shape: both places clients read agree,
   * {@code count} is the number returned, cursors rise, and {@code next_cursor} is the last one.
   */
  static List<JsonObject> events(JsonObject reply) {
    JsonArray events = reply.getJsonArray("events");
    assertEquals(events, reply.getJsonObject("payload").getJsonArray("events"), reply.encode());
    assertEquals(events.size(), reply.getInteger("count"), reply.encode());
    List<JsonObject> list = new ArrayList<>();
    long previous = 0;
    for (Object item : events) {
      JsonObject event = (JsonObject) item;
      long cursor = Long.parseLong(event.getString("cursor"));
      assertTrue(cursor > previous, "cursors rise within a reply: " + reply.encode());
      previous = cursor;
      list.add(event);
    }
    if (!list.isEmpty()) {
      assertEquals(
          list.get(list.size() - 1).getString("cursor"), reply.getString("next_cursor"), "" + list);
    }
    return list;
  }

  /** What identifies an event across views: {@code event_id type sequence}. */
  static String key(JsonObject a2aEvent) {
    return a2aEvent.getString("event_id")
        + " "
        + a2aEvent.getString("type")
        + " "
        + a2aEvent.getLong("sequence");
  }

  static List<String> keys(List<JsonObject> a2aEvents) {
    return a2aEvents.stream().map(HubNodes::key).toList();
  }

  /**
   * The oracle: the events {@code reader}'s pull view must carry for {@code session}, in order,
   * read from the session's log through {@code GET /sessions/{id}/events} with the reader's secret
   * (so the audience is applied there) and mapped by the rules of hub spec §5.1/§5.2: its own
   * invitation, others' joins, leaves and messages, the end; never what it caused itself.
   */
  static List<String> expectedView(RawHttp http, Node reader, String session) {
    List<String> expected = new ArrayList<>();
    long after = -1;
    while (true) {
      String from = after < 0 ? "" : "after_sequence=" + after + "&";
      JsonObject page =
          asp(http.get("/sessions/" + session + "/events?" + from + "limit=1000", reader.secret()));
      JsonArray events = page.getJsonArray("events");
      for (Object item : events) {
        JsonObject event = (JsonObject) item;
        after = event.getLong("sequence");
        String type = a2aType(event, reader.handle());
        if (type != null) {
          expected.add(event.getString("event_id") + " " + type + " " + after);
        }
      }
      if (events.size() < 1000) {
        return expected;
      }
    }
  }

  private static JsonObject asp(RawHttp.Response response) {
    assertEquals(200, response.status(), response.text());
    return response.json();
  }

  /** The A2A type {@code reader} sees an ASP event as, or null when its view passes over it. */
  private static String a2aType(JsonObject event, String reader) {
    JsonObject payload = event.getJsonObject("payload");
    return switch (event.getString("type")) {
      case "session.invited" ->
          reader.equals(payload.getString("invitee")) ? "session_invite" : null;
      case "session.joined" -> reader.equals(payload.getString("agent")) ? null : "session_joined";
      case "session.left" -> reader.equals(payload.getString("agent")) ? null : "session_left";
      case "session.message" ->
          reader.equals(payload.getString("sender")) ? null : "session_message";
      case "session.ended" -> "session_ended";
      default -> null;
    };
  }

  // --- the mailbox (hub spec §10), as the official client sends it

  /**
   * {@code POST /a2a/mailbox/inbound} with {@code cursor} (null: every unacknowledged message from
   * the oldest); checks the reply's shape and returns it.
   */
  static JsonObject inbound(RawHttp http, Node node, String cursor, int limit) {
    JsonObject reply =
        ok(
            http.post(
                "/a2a/mailbox/inbound",
                node.secret(),
                new JsonObject()
                    .put("sender_id", node.id())
                    .put("proxy_protocol_version", "1.0.0")
                    .put("cursor", cursor)
                    .put("limit", limit)));
    assertTrue(reply.containsKey("next_cursor"), reply.encode());
    assertNotNull(reply.getBoolean("has_more"), reply.encode());
    assertTrue(reply.getJsonArray("messages").size() <= limit, reply.encode());
    return reply;
  }

  static List<JsonObject> messages(JsonObject inbound) {
    List<JsonObject> list = new ArrayList<>();
    inbound.getJsonArray("messages").forEach(m -> list.add((JsonObject) m));
    return list;
  }

  /**
   * What identifies a mailbox message against {@link #expectedView}: {@code event_id type}, with
   * the §5.2 type (an invite is {@code collaboration_invite} there, anything else a {@code
   * session_event} naming its type).
   */
  static String mailboxKey(JsonObject message) {
    String type = message.getString("type");
    return message.getString("id")
        + " "
        + (type.equals("collaboration_invite")
            ? "session_invite"
            : message.getJsonObject("payload").getString("event_type"));
  }

  /** The keys of {@link #expectedView} without their sequence, to compare with mailbox keys. */
  static List<String> withoutSequence(List<String> viewKeys) {
    return viewKeys.stream().map(k -> k.substring(0, k.lastIndexOf(' '))).toList();
  }

  /** {@code POST /a2a/mailbox/ack}; the number newly acknowledged. */
  static int ack(RawHttp http, Node node, List<String> ids) {
    JsonObject reply =
        ok(
            http.post(
                "/a2a/mailbox/ack",
                node.secret(),
                new JsonObject()
                    .put("sender_id", node.id())
                    .put("message_ids", new JsonArray(new ArrayList<Object>(ids)))));
    assertEquals("ok", reply.getString("status"), reply.encode());
    return reply.getInteger("acked");
  }

  /** One {@code session_message} of a mailbox batch, under the idempotency key {@code id}. */
  static JsonObject mailboxMessage(String id, String session, Object payload) {
    return new JsonObject()
        .put("id", id)
        .put("type", "session_message")
        .put("payload", new JsonObject().put("session_id", session).put("payload", payload))
        .put("priority", "normal")
        .putNull("ref_id");
  }

  /**
   * {@code POST /a2a/mailbox/outbound}; completes with the batch's {@code results}, each checked to
   * be {@code ok}.
   */
  static Future<JsonArray> outbound(RawHttp http, Node sender, JsonArray messages) {
    return http.postAsync(
            "/a2a/mailbox/outbound",
            sender.secret(),
            new JsonObject()
                .put("sender_id", sender.id())
                .put("proxy_protocol_version", "1.0.0")
                .put("messages", messages))
        .map(
            response -> {
              JsonArray results = ok(response).getJsonArray("results");
              assertEquals(messages.size(), results.size(), results.encode());
              for (Object result : results) {
                assertEquals("ok", ((JsonObject) result).getString("status"), results.encode());
              }
              return results;
            });
  }

  /** The request that holds the node's poll channel now, as committed (null before any poll). */
  static String activeRequest(TestSql sql, Node node) {
    return (String)
        sql.value(
            "SELECT active_request FROM a2a_channels"
                + " WHERE node = $1 AND view = 'pull' AND channel = 'poll'",
            node.handle());
  }

  /** Polls {@code condition} until it holds; fails after {@code within}. */
  static void await(String what, Duration within, BooleanSupplier condition) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, what + " within " + within);
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** Every text frame of a {@code WS /connect…} opened with {@code token}, as they arrive. */
  static List<String> frames(io.vertx.core.Vertx vertx, int port, String token, String uri) {
    List<String> frames = new java.util.concurrent.CopyOnWriteArrayList<>();
    io.vertx.core.http.WebSocket socket =
        vertx
            .createWebSocketClient()
            .connect(
                new io.vertx.core.http.WebSocketConnectOptions()
                    .setHost("127.0.0.1")
                    .setPort(port)
                    .setURI(uri)
                    .addHeader("Authorization", "Bearer " + token))
            .await();
    socket.textMessageHandler(frames::add);
    return frames;
  }
}
