package dev.asp.gateway.impl.a2a;

import dev.asp.protocol.AspException;
import dev.asp.protocol.a2a.A2aAction;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.a2a.A2aText;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The mailbox, the official client's transport (hub spec §10): {@code POST /a2a/mailbox/outbound}
 * (an idempotent command inbox), {@code POST /a2a/mailbox/inbound} and {@code POST
 * /a2a/mailbox/ack} (the explicitly acknowledged {@code mailbox} view of the node's stream) and
 * {@code GET /a2a/mailbox/status}. Every call needs the Bearer; {@code sender_id} in the body,
 * {@code ?sender_id=} and {@code ?node_id=} must name the caller ({@code sender_mismatch}).
 *
 * <p>Outbound: the batch itself is checked here (at most {@value #MAX_MESSAGES} messages, else
 * {@code 413 payload_too_large} and nothing is done; its body limit is {@code
 * ASP_A2A_MAILBOX_MAX_BYTES}); each message is then parsed exactly as its REST route parses a body
 * ({@link SessionBodies}), and a message that route would refuse travels on as that refusal, so the
 * A2A verticle stores it under the message's id like any other result.
 */
final class MailboxRoutes {
  static final String OUTBOUND = "/a2a/mailbox/outbound";

  /** Messages one outbound batch may carry (§10). */
  static final int MAX_MESSAGES = 50;

  /** Longest message id: the idempotency key (§10). */
  static final int MAX_MESSAGE_ID = 100;

  /** Longest message type accepted (longer ones are no type of ours). */
  private static final int MAX_TYPE = 100;

  /** Most ids one acknowledgement names (§10). */
  static final int MAX_ACK = 500;

  private final BusClient bus;
  private final A2aAuth auth;
  private final SessionBodies bodies;
  private final BoardBodies board;
  private final long busTimeoutMs;

  MailboxRoutes(
      BusClient bus, A2aAuth auth, SessionBodies bodies, BoardBodies board, long busTimeoutMs) {
    this.board = board;
    this.bus = bus;
    this.auth = auth;
    this.bodies = bodies;
    this.busTimeoutMs = busTimeoutMs;
  }

  void mount(Router router) {
    router.post(OUTBOUND).handler(this::outbound);
    router.post("/a2a/mailbox/inbound").handler(this::inbound);
    router.post("/a2a/mailbox/ack").handler(this::ack);
    router.get("/a2a/mailbox/status").handler(this::status);
  }

  // --- outbound

  private void outbound(RoutingContext ctx) {
    JsonObject body = A2aBodies.unchecked(ctx);
    // everything beside the messages is checked as in any body; each message on its own below
    for (String key : body.fieldNames()) {
      A2aBodies.check(key, "$", 1);
      if (!A2aFields.MESSAGES.equals(key)) {
        A2aBodies.check(body.getValue(key), "$." + key, 1);
      }
    }
    String sender = A2aBodies.string(body, A2aBodies.MAX_ID, A2aFields.SENDER_ID);
    String querySender = query(ctx, A2aFields.SENDER_ID);
    Object value = body.getValue(A2aFields.MESSAGES);
    if (!(value instanceof JsonArray messages)) {
      throw A2aErrors.invalid(
          A2aFields.MESSAGES, "array of messages", value, "messages must be an array");
    }
    if (messages.size() > MAX_MESSAGES) {
      throw new AspException(
          A2aError.PAYLOAD_TOO_LARGE,
          "a batch carries at most " + MAX_MESSAGES + " messages; send fewer");
    }
    auth.required(ctx)
        .compose(
            caller -> {
              auth.requireCaller(A2aFields.SENDER_ID, sender, caller);
              auth.requireCaller(A2aFields.SENDER_ID, querySender, caller);
              JsonArray parsed = new JsonArray();
              for (int i = 0; i < messages.size(); i++) {
                parsed.add(parse(messages.getValue(i), i, caller));
              }
              // the verticle starts messages for one bus timeout; the last may take two more
              return bus.request(
                  Addresses.A2A,
                  A2aAction.MAILBOX_OUTBOUND,
                  new JsonObject().put(BusFields.CALLER, caller).put(A2aFields.MESSAGES, parsed),
                  3 * busTimeoutMs);
            })
        .onSuccess(reply -> A2aReplies.ok(ctx, reply))
        .onFailure(ctx::fail);
  }

  /**
   * One message as the A2A verticle takes it: {@code {id, type, command}} or {@code {id, type,
   * rejection:{error, reason}}}; {@code id} null when it is unusable as a key (never stored).
   */
  private JsonObject parse(Object item, int index, String caller) {
    String path = A2aFields.MESSAGES + "[" + index + "]";
    JsonObject out = new JsonObject();
    if (!(item instanceof JsonObject message)) {
      return out.putNull(A2aFields.ID)
          .putNull(A2aFields.TYPE)
          .put(
              A2aFields.REJECTION, verdict(A2aError.VALIDATION_ERROR, path + " must be an object"));
    }
    Object typeValue = message.getValue(A2aFields.TYPE);
    String type =
        typeValue instanceof String text && text.length() <= MAX_TYPE && clean(text) ? text : null;
    out.put(A2aFields.TYPE, type);
    Object idValue = message.getValue(A2aFields.ID);
    if (!(idValue instanceof String id)
        || id.isEmpty()
        || id.length() > MAX_MESSAGE_ID
        || !clean(id)) {
      return out.putNull(A2aFields.ID)
          .put(
              A2aFields.REJECTION,
              verdict(
                  A2aError.VALIDATION_ERROR,
                  path + ".id must be a string of 1.." + MAX_MESSAGE_ID + " characters"));
    }
    out.put(A2aFields.ID, id);
    try {
      A2aBodies.check(message, path, 1);
      if (type == null) {
        throw A2aErrors.invalid(
            path + ".type", "a mailbox message type", typeValue, "type must be a message type");
      }
      SessionBodies.Parsed parsed = command(type, payload(message, path));
      auth.requireCaller(A2aFields.SENDER_ID, parsed.sender(), caller);
      if (parsed.action() == A2aAction.DM_SEND
          && caller.equals(parsed.command().getString(A2aFields.TO))) {
        throw A2aErrors.invalid(
            A2aFields.RECIPIENT_NODE_ID,
            "another node",
            parsed.command().getString(A2aFields.TO),
            "a direct message cannot be sent to yourself");
      }
      return out.put(A2aFields.COMMAND, parsed.command());
    } catch (A2aErrors.Validation invalid) {
      return out.put(A2aFields.REJECTION, verdict(A2aError.VALIDATION_ERROR, invalid.getMessage()));
    } catch (AspException refused) {
      return out.put(A2aFields.REJECTION, verdict(A2aError.of(refused), refused.getMessage()));
    }
  }

  /** The REST request a message type stands for, parsed as that route parses its body. */
  private SessionBodies.Parsed command(String type, JsonObject payload) {
    return switch (type) {
      case "session_create" -> bodies.create(payload);
      case "session_join" -> bodies.join(payload);
      case "session_leave" -> bodies.leave(payload);
      case "session_message" -> bodies.message(payload);
      case "session_delegate" -> board.delegate(payload);
      case "session_submit" -> board.mailboxSubmit(payload);
      case "dm" -> dm(payload);
      default ->
          throw new AspException(
              A2aError.UNSUPPORTED_MESSAGE_TYPE,
              "unknown mailbox message type; this operator applies session_create, session_join,"
                  + " session_leave, session_message, session_delegate, session_submit and dm");
    };
  }

  /**
   * A {@code dm} (§7): {@code {recipient_node_id | to_node_id | recipient_id | to, content |
   * message | payload, metadata?}}. A recipient that cannot be a node is unknown, like one that
   * does not exist ({@code node_not_found}: nothing is enumerated).
   */
  private SessionBodies.Parsed dm(JsonObject payload) {
    String to =
        A2aBodies.string(
            payload,
            A2aBodies.MAX_ID,
            A2aFields.RECIPIENT_NODE_ID,
            A2aFields.TO_NODE_ID,
            A2aFields.RECIPIENT_ID,
            A2aFields.TO);
    if (to == null) {
      throw A2aErrors.invalid(
          A2aFields.RECIPIENT_NODE_ID,
          "a node id",
          null,
          "recipient_node_id (or to_node_id) is required");
    }
    Object content = null;
    for (String name : new String[] {A2aFields.CONTENT, A2aFields.MESSAGE, A2aFields.PAYLOAD}) {
      content = payload.getValue(name);
      if (content != null) {
        break;
      }
    }
    if (content == null) {
      throw A2aErrors.invalid(
          A2aFields.CONTENT, "any JSON value but null", null, "content is required");
    }
    bodies.requireSize(content, "the content");
    JsonObject metadata = A2aBodies.optionalObject(payload, A2aFields.METADATA);
    if (metadata != null) {
      bodies.requireSize(metadata, "metadata");
    }
    String handle = auth.handleOf(to);
    if (handle == null) {
      throw new AspException(A2aError.NODE_NOT_FOUND, "no such node");
    }
    JsonObject command = new JsonObject().put(A2aFields.TO, handle).put(A2aFields.PAYLOAD, content);
    if (metadata != null) {
      command.put(A2aFields.METADATA, metadata);
    }
    return new SessionBodies.Parsed(
        A2aAction.DM_SEND,
        A2aBodies.string(payload, A2aBodies.MAX_ID, A2aFields.SENDER_ID),
        command);
  }

  /** A message's payload: the REST body it stands for ({@code {}} when absent). */
  private static JsonObject payload(JsonObject message, String path) {
    Object payload = message.getValue(A2aFields.PAYLOAD);
    if (payload == null) {
      return new JsonObject();
    }
    if (!(payload instanceof JsonObject object)) {
      throw A2aErrors.invalid(
          path + "." + A2aFields.PAYLOAD, "object", payload, "payload must be an object");
    }
    return object;
  }

  private static JsonObject verdict(A2aError code, String reason) {
    return new JsonObject().put(A2aFields.ERROR, code.wireCode()).put(A2aFields.REASON, reason);
  }

  private static boolean clean(String text) {
    return A2aText.problem(text, Integer.MAX_VALUE) == null;
  }

  // --- inbound, ack, status

  private void inbound(RoutingContext ctx) {
    JsonObject body = A2aBodies.object(ctx);
    String sender =
        A2aBodies.string(body, A2aBodies.MAX_ID, A2aFields.SENDER_ID, A2aFields.NODE_ID);
    String querySender = query(ctx, A2aFields.SENDER_ID);
    Long cursor = EventRoutes.cursor(body);
    Long limit = A2aBodies.integer(body, A2aFields.LIMIT, false);
    if (limit != null && (limit < 1 || limit > 100)) {
      throw A2aErrors.invalid(A2aFields.LIMIT, "1..100", limit, "limit must be between 1 and 100");
    }
    auth.required(ctx)
        .compose(
            caller -> {
              auth.requireCaller(A2aFields.SENDER_ID, sender, caller);
              auth.requireCaller(A2aFields.SENDER_ID, querySender, caller);
              JsonObject request =
                  new JsonObject()
                      .put(BusFields.CALLER, caller)
                      .put(A2aFields.LIMIT, limit == null ? 50 : limit.intValue());
              if (cursor != null) {
                request.put(A2aFields.CURSOR, cursor);
              }
              return bus.request(Addresses.A2A, A2aAction.MAILBOX_INBOUND, request);
            })
        .onSuccess(reply -> A2aReplies.ok(ctx, reply))
        .onFailure(ctx::fail);
  }

  private void ack(RoutingContext ctx) {
    JsonObject body = A2aBodies.object(ctx);
    String sender =
        A2aBodies.string(body, A2aBodies.MAX_ID, A2aFields.SENDER_ID, A2aFields.NODE_ID);
    String querySender = query(ctx, A2aFields.SENDER_ID);
    Object value = body.getValue(A2aFields.MESSAGE_IDS);
    if (!(value instanceof JsonArray ids)) {
      throw A2aErrors.invalid(
          A2aFields.MESSAGE_IDS, "array of message ids", value, "message_ids must be an array");
    }
    if (ids.size() > MAX_ACK) {
      throw A2aErrors.invalid(
          A2aFields.MESSAGE_IDS,
          "at most " + MAX_ACK + " ids",
          value,
          "message_ids lists more than " + MAX_ACK);
    }
    for (int i = 0; i < ids.size(); i++) {
      if (!(ids.getValue(i) instanceof String id) || id.length() > A2aBodies.MAX_ID) {
        throw A2aErrors.invalid(
            A2aFields.MESSAGE_IDS + "[" + i + "]",
            "a message id",
            ids.getValue(i),
            "message_ids must list message ids");
      }
    }
    auth.required(ctx)
        .compose(
            caller -> {
              auth.requireCaller(A2aFields.SENDER_ID, sender, caller);
              auth.requireCaller(A2aFields.SENDER_ID, querySender, caller);
              return bus.request(
                  Addresses.A2A,
                  A2aAction.MAILBOX_ACK,
                  new JsonObject().put(BusFields.CALLER, caller).put(A2aFields.MESSAGE_IDS, ids));
            })
        .onSuccess(reply -> A2aReplies.ok(ctx, reply))
        .onFailure(ctx::fail);
  }

  private void status(RoutingContext ctx) {
    String node = query(ctx, A2aFields.NODE_ID);
    String querySender = query(ctx, A2aFields.SENDER_ID);
    auth.required(ctx)
        .compose(
            caller -> {
              auth.requireCaller(A2aFields.NODE_ID, node, caller);
              auth.requireCaller(A2aFields.SENDER_ID, querySender, caller);
              return bus.request(
                  Addresses.A2A,
                  A2aAction.MAILBOX_STATUS,
                  new JsonObject().put(BusFields.CALLER, caller));
            })
        .onSuccess(
            reply -> {
              reply.remove(A2aFields.MAILBOX_CLIENT); // the heartbeat's, not on the wire
              A2aReplies.ok(ctx, reply);
            })
        .onFailure(ctx::fail);
  }

  /** A query parameter naming a node, bounded; null when absent or empty. */
  private static String query(RoutingContext ctx, String name) {
    String value = ctx.queryParams().get(name);
    if (value == null || value.isEmpty()) {
      return null;
    }
    if (value.length() > A2aBodies.MAX_ID) {
      throw A2aErrors.invalid(name, "a node id", value, name + " is too long");
    }
    return value;
  }
}
