package dev.asp.trust.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.Handle;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.NodeFields;
import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;

/**
 * A validated {@code NODE_HELLO} request. Everything is checked here, before any query, so bad
 * input never reaches the database (a NUL would fail there as an internal error) and never writes.
 * Messages name the field, never its value.
 *
 * @param bearer whether a Bearer was presented at all (absent and wrong are different outcomes)
 * @param token the presented Bearer if it could be a secret; {@code null} when absent or when it is
 *     too long to be one (then it is simply a wrong one)
 * @param senderId the {@code sender_id} as sent, {@code null} when absent
 * @param senderHandle the ASP handle {@code senderId} names, {@code null} when absent
 * @param nodeForm whether {@code senderId} is in {@code node_x} form (only those can be adopted)
 * @param rotate whether {@code rotate_secret} was asked
 */
record HelloRequest(
    boolean bearer,
    String token,
    String senderId,
    String senderHandle,
    boolean nodeForm,
    boolean rotate) {

  static final int MAX_SENDER_ID_CHARS = 200;

  /** Longer than any token this operator issues or a seed reasonably holds: not worth a hash. */
  static final int MAX_TOKEN_CHARS = 4096;

  static final String NODE_ID_PATTERN = "^node_[a-z0-9]{8,48}$";
  private static final Pattern NODE_ID = Pattern.compile(NODE_ID_PATTERN);
  private static final String RESERVED_PREFIX = "hub_";

  @Override
  public String toString() {
    return "HelloRequest[bearer=" + bearer + ", senderId=" + senderId + ", rotate=" + rotate + "]";
  }

  /**
   * Fails {@code validation_error} for wrong types or sizes, a NUL or lone surrogate in {@code
   * sender_id}, or a {@code sender_id} that is neither a node id nor a handle; {@code
   * hub_node_id_reserved} for the hub's id or any {@code hub_} id (checked before the form).
   *
   * @param nodeOwner owner of hub nodes: {@code node_x} names {@code @<nodeOwner>.node_x}
   */
  static HelloRequest parse(JsonObject body, String hubNodeId, String nodeOwner) {
    Object token = body.getValue(BusFields.TOKEN);
    if (token != null && !(token instanceof String)) {
      throw invalid(BusFields.TOKEN + ": expected a string");
    }
    String presented = (String) token;
    // An empty Bearer is no Bearer: clients send "Bearer " when they hold nothing yet.
    boolean bearer = presented != null && !presented.isEmpty();
    String candidate = bearer && presented.length() <= MAX_TOKEN_CHARS ? presented : null;

    Object rotate = body.getValue(NodeFields.ROTATE_SECRET);
    if (rotate != null && !(rotate instanceof Boolean)) {
      throw invalid(NodeFields.ROTATE_SECRET + ": expected a boolean");
    }

    Object sender = body.getValue(NodeFields.SENDER_ID);
    if (sender != null && !(sender instanceof String)) {
      throw invalid(NodeFields.SENDER_ID + ": expected a string");
    }
    String senderId = sender == null || ((String) sender).isEmpty() ? null : (String) sender;
    String senderHandle = null;
    boolean nodeForm = false;
    if (senderId != null) {
      if (senderId.length() > MAX_SENDER_ID_CHARS) {
        throw invalid(
            NodeFields.SENDER_ID + ": at most " + MAX_SENDER_ID_CHARS + " characters long");
      }
      if (!wellFormed(senderId)) {
        throw invalid(NodeFields.SENDER_ID + ": contains a NUL character or a lone surrogate");
      }
      if (senderId.equals(hubNodeId) || senderId.startsWith(RESERVED_PREFIX)) {
        throw new AspException(
            A2aError.HUB_NODE_ID_RESERVED, "node ids starting with hub_ are reserved for the hub");
      }
      if (NODE_ID.matcher(senderId).matches()) {
        nodeForm = true;
        senderHandle = "@" + nodeOwner + "." + senderId;
      } else if (Handle.isValid(senderId)) {
        senderHandle = senderId;
      } else {
        throw invalid(
            NodeFields.SENDER_ID
                + ": expected a node id matching "
                + NODE_ID_PATTERN
                + " or a handle @owner.agent");
      }
    }
    return new HelloRequest(
        bearer, candidate, senderId, senderHandle, nodeForm, Boolean.TRUE.equals(rotate));
  }

  /** No NUL (PostgreSQL text cannot hold it) and no unpaired UTF-16 surrogate. */
  static boolean wellFormed(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\0' || Character.isLowSurrogate(c)) {
        return false;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return false;
        }
        i++;
      }
    }
    return true;
  }

  private static AspException invalid(String message) {
    return new AspException(A2aError.VALIDATION_ERROR, message);
  }
}
