package dev.asp.gateway.impl.a2a;

import dev.asp.gateway.A2aGatewaySettings;
import dev.asp.protocol.AspException;
import dev.asp.protocol.Ids;
import dev.asp.protocol.a2a.A2aAction;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.a2a.A2aFields;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The body of a session command (hub spec §6.2–§6.4), parsed once for both ways it arrives: as the
 * body of {@code POST /a2a/session/*} and as the {@code payload} of a mailbox message (§10), so a
 * mailbox message is checked exactly like the REST request. Aliases are resolved and every field is
 * checked here; a failure is a {@code validation_error} (with its detail), {@code
 * payload_too_large} or {@code session_not_found}, before anything is sent on.
 */
final class SessionBodies {
  /**
   * A parsed command: the A2A action, the body field that names the caller (null: absent), and the
   * bus request without {@code caller}.
   */
  record Parsed(A2aAction action, String sender, JsonObject command) {}

  private final A2aAuth auth;
  private final A2aGatewaySettings settings;

  SessionBodies(A2aAuth auth, A2aGatewaySettings settings) {
    this.auth = auth;
    this.settings = settings;
  }

  /** {@code session/create} (§6.2). */
  Parsed create(JsonObject body) {
    String sender = A2aBodies.string(body, A2aBodies.MAX_ID, A2aFields.SENDER_ID);
    String title =
        A2aBodies.string(
            body, settings.maxTopicLength(), A2aFields.TITLE, A2aFields.TOPIC, A2aFields.PURPOSE);
    String description =
        A2aBodies.string(body, A2aGatewaySettings.MAX_DESCRIPTION, A2aFields.DESCRIPTION);
    List<String> invitees =
        A2aBodies.strings(
            body,
            A2aGatewaySettings.MAX_INVITEES,
            A2aFields.INVITE_NODE_IDS,
            A2aFields.PARTICIPANTS,
            A2aFields.INVITEES);
    String visibility = A2aBodies.string(body, 20, A2aFields.VISIBILITY);
    if (visibility != null && !visibility.equals("public") && !visibility.equals("private")) {
      throw A2aErrors.invalid(
          A2aFields.VISIBILITY, "public or private", visibility, "visibility is public or private");
    }
    // lenient: a missing or non-numeric value is the default; a number is clamped to 2..20 (§6.2)
    Long max = A2aBodies.integer(body, A2aFields.MAX_PARTICIPANTS, true);
    long participants =
        max == null
            ? settings.maxParticipants()
            : Math.max(2, Math.min(settings.maxParticipants(), max));
    JsonObject command =
        new JsonObject()
            .put(A2aFields.TITLE, title)
            .put(A2aFields.DESCRIPTION, description)
            .put(A2aFields.INVITEES, new JsonArray(invitees))
            .put(A2aFields.MAX_PARTICIPANTS, participants)
            .put(A2aFields.VISIBILITY, visibility == null ? "public" : visibility);
    return new Parsed(A2aAction.SESSION_CREATE, sender, command);
  }

  /** {@code session/join} (§6.3). */
  Parsed join(JsonObject body) {
    return new Parsed(A2aAction.SESSION_JOIN, sender(body), inSession(body, new JsonObject()));
  }

  /** {@code session/leave} (§6.3). */
  Parsed leave(JsonObject body) {
    return new Parsed(A2aAction.SESSION_LEAVE, sender(body), inSession(body, new JsonObject()));
  }

  /** {@code session/message} (§6.4). */
  Parsed message(JsonObject body) {
    Object payload = null;
    for (String name : new String[] {A2aFields.PAYLOAD, A2aFields.CONTENT, A2aFields.MESSAGE}) {
      payload = body.getValue(name);
      if (payload != null) {
        break;
      }
    }
    if (payload == null) {
      throw A2aErrors.invalid(
          A2aFields.PAYLOAD,
          "any JSON value but null",
          null,
          "payload (or content, message) is required");
    }
    requireSize(payload, "the payload");
    String to = A2aBodies.string(body, A2aBodies.MAX_ID, A2aFields.TO_NODE_ID);
    String msgType = A2aBodies.string(body, 50, A2aFields.MSG_TYPE);
    JsonObject metadata = A2aBodies.optionalObject(body, A2aFields.METADATA);
    if (metadata != null && metadata.encode().length() > settings.maxMessageChars()) {
      throw new AspException(A2aError.PAYLOAD_TOO_LARGE, "metadata is too large");
    }
    JsonObject command = inSession(body, new JsonObject().put(A2aFields.PAYLOAD, payload));
    if (to != null) {
      String handle = auth.handleOf(to);
      if (handle == null) {
        throw A2aErrors.invalid(
            A2aFields.TO_NODE_ID, "a node id", to, "to_node_id must name a participant");
      }
      command.put(A2aFields.TO, handle);
    }
    if (msgType != null) {
      command.put(A2aFields.MSG_TYPE, msgType);
    }
    if (metadata != null) {
      command.put(A2aFields.METADATA, metadata);
    }
    return new Parsed(A2aAction.SESSION_MESSAGE, sender(body), command);
  }

  /**
   * A message's size as the official client counts it: its JSON encoding in UTF-16 units, at most
   * {@code ASP_A2A_MAX_MESSAGE_CHARS} (§6.4), else {@code payload_too_large}.
   */
  void requireSize(Object payload, String what) {
    String encoded = Json.encode(payload);
    if (encoded.length() > settings.maxMessageChars()) {
      throw new AspException(
          A2aError.PAYLOAD_TOO_LARGE,
          what
              + " is "
              + encoded.length()
              + " characters as JSON; at most "
              + settings.maxMessageChars());
    }
  }

  /**
   * The field naming the caller on join, leave and message: {@code sender_id} or {@code node_id}.
   */
  static String sender(JsonObject body) {
    return A2aBodies.string(body, A2aBodies.MAX_ID, A2aFields.SENDER_ID, A2aFields.NODE_ID);
  }

  /** A session id that cannot be one of ours is an unknown session, like any other. */
  static JsonObject inSession(JsonObject body, JsonObject command) {
    String id = A2aBodies.string(body, A2aBodies.MAX_ID, A2aFields.SESSION_ID);
    if (id == null) {
      throw A2aErrors.invalid(A2aFields.SESSION_ID, "a session id", null, "session_id is required");
    }
    if (!Ids.isSessionId(id)) {
      throw new AspException(A2aError.SESSION_NOT_FOUND, "no such session");
    }
    return command.put(A2aFields.SESSION_ID, id);
  }
}
