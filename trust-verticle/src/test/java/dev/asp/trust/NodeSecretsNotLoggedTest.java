package dev.asp.trust;

import static dev.asp.trust.Nodes.anonymous;
import static dev.asp.trust.Nodes.newNodeId;
import static dev.asp.trust.Nodes.request;
import static dev.asp.trust.Nodes.rotation;
import static dev.asp.trust.Nodes.secretOf;
import static dev.asp.trust.Nodes.unknownSecret;
import static dev.asp.trust.Nodes.withToken;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.NodeFields;
import dev.asp.protocol.bus.TrustAction;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

@DisplayName("Node secrets never appear in a log line, an error message or a table")
class NodeSecretsNotLoggedTest {

  @Test
  @DisplayName("through registration, reissue, rotation, admin tokens and every refusal")
  void secretsStaySecret() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    root.addAppender(captured);
    List<String> secrets = new ArrayList<>();
    List<String> messages = new ArrayList<>();
    try (TrustFixture trust = TrustFixture.start()) {
      String nodeId = newNodeId();
      JsonObject first = trust.call(TrustAction.NODE_HELLO, anonymous(nodeId));
      secrets.add(secretOf(first));
      JsonObject reissued = trust.call(TrustAction.NODE_HELLO, anonymous(nodeId));
      secrets.add(secretOf(reissued));
      JsonObject rotated = trust.call(TrustAction.NODE_HELLO, rotation(secretOf(reissued)));
      secrets.add(secretOf(rotated));
      String handle = rotated.getString(Fields.HANDLE);
      secrets.add(
          trust
              .onAgent(TrustAction.ISSUE_TOKEN, handle, new JsonObject())
              .getString(BusFields.TOKEN));
      secrets.add(
          trust
              .onAgent(TrustAction.ROTATE_TOKENS, handle, new JsonObject())
              .getString(BusFields.TOKEN));
      String current = secrets.get(secrets.size() - 1);
      String wrong = unknownSecret();
      secrets.add(wrong);

      String other = secretOf(trust.call(TrustAction.NODE_HELLO, anonymous(null)));
      secrets.add(other);
      for (JsonObject refused :
          List.of(
              withToken(wrong, nodeId),
              withToken(secrets.get(0), nodeId),
              anonymous(nodeId),
              withToken(current, newNodeId()),
              withToken(other, nodeId),
              request(current, "hub_x", true),
              request(current, "node_\u0000abcdefg", true))) {
        messages.add(trust.error(TrustAction.NODE_HELLO, refused).getMessage());
      }
      String dump = trust.dumpTables();
      for (String secret : secrets) {
        assertFalse(dump.contains(secret), "a secret is stored in plaintext");
      }
      assertTrue(
          trust
              .call(TrustAction.NODE_HELLO, withToken(current, null))
              .containsKey(NodeFields.NODE_ID));
    } finally {
      root.detachAppender(captured);
      captured.stop();
    }

    List<String> lines = new ArrayList<>(messages);
    for (ILoggingEvent event : captured.list) {
      lines.add(event.getFormattedMessage());
      for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
        lines.add(String.valueOf(t.getMessage()));
      }
    }
    assertTrue(
        captured.list.stream().anyMatch(e -> e.getFormattedMessage().contains("registered")),
        "the registration was logged (so the check looked at real lines)");
    for (String line : lines) {
      for (String secret : secrets) {
        assertFalse(
            line.contains(secret), () -> "a secret in: " + line.replace(secret, "<secret>"));
      }
    }
  }
}
