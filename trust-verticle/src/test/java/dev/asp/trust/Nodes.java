package dev.asp.trust;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.NodeFields;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Requests and shapes of the hub-node actions, for the tests. */
final class Nodes {
  static final Pattern SECRET = Pattern.compile("^[0-9a-f]{64}$");
  static final Pattern ASSIGNED_ID = Pattern.compile("^node_[0-9a-f]{24}$");
  static final Pattern HUB_ID = Pattern.compile("^hub_[0-9a-f]{32}$");
  private static final SecureRandom RANDOM = new SecureRandom();

  private Nodes() {}

  /** A {@code NODE_HELLO} body; {@code null} leaves a field out. */
  static JsonObject request(String token, String senderId, Boolean rotate) {
    JsonObject body = new JsonObject();
    if (token != null) {
      body.put(BusFields.TOKEN, token);
    }
    if (senderId != null) {
      body.put(NodeFields.SENDER_ID, senderId);
    }
    if (rotate != null) {
      body.put(NodeFields.ROTATE_SECRET, rotate);
    }
    return body;
  }

  static JsonObject anonymous(String senderId) {
    return request(null, senderId, null);
  }

  static JsonObject withToken(String token, String senderId) {
    return request(token, senderId, null);
  }

  static JsonObject rotation(String token) {
    return request(token, null, true);
  }

  /** A node id no test used before, in the official client's form. */
  static String newNodeId() {
    byte[] random = new byte[6];
    RANDOM.nextBytes(random);
    return "node_" + HexFormat.of().formatHex(random);
  }

  /** A secret that was never issued (right shape, wrong value). */
  static String unknownSecret() {
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    return HexFormat.of().formatHex(random);
  }

  static String secretOf(JsonObject reply) {
    String secret = reply.getString(NodeFields.NODE_SECRET);
    assertTrue(secret != null && SECRET.matcher(secret).matches(), () -> "not a 64-hex secret");
    return secret;
  }
}
