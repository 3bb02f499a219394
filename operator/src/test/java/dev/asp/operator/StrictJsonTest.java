package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Request bodies are strict RFC 8259 JSON, and a number is stored exactly as sent or refused (issue
 * 14 item 9): on the ASP surface {@code malformed_request} for what is not JSON, {@code
 * invalid_request} for a number that cannot be stored; on /a2a {@code validation_error}. Nothing is
 * stored for any of them.
 */
@DisplayName("Strict JSON bodies (issue 14 item 9)")
class StrictJsonTest {
  private static final String JSON = "application/json";
  private static final String EVENTS = "SELECT count(*) FROM events WHERE session_id = $1";

  /** Not RFC 8259 JSON: {@code %s} is where a message's members go. */
  private static final List<String> NOT_JSON =
      List.of(
          "\uFEFF{%s}", // a byte-order mark
          "{%s /* a comment */}",
          "{%s} // a comment",
          "{%s}\n# a comment",
          "{%s, \"metadata\":{\"n\":NaN}}",
          "{%s, \"metadata\":{\"n\":Infinity}}",
          "{%s, \"metadata\":{\"n\":-Infinity}}",
          "{%s, \"metadata\":{\"n\":012}}",
          "{%s, \"metadata\":{\"n\":+1}}",
          "{%s, \"metadata\":{\"n\":.5}}",
          "{%s, \"metadata\":{'n':1}}",
          "{%s, \"metadata\":{n:1}}",
          "{%s, \"metadata\":{\"n\":[1,]}}",
          "{%s,}",
          "{%s} x",
          "{%s}{}",
          "{%s, \"metadata\":{\"n\":1, \"n\":2}}");

  /** JSON whose number cannot be stored exactly as sent. */
  private static final List<String> INEXACT =
      List.of(
          "1e400",
          "-1e400",
          "1e-400",
          "0.1000000000000000000001",
          "3.14159265358979323846",
          "9223372036854775808",
          "-9223372036854775809",
          "18446744073709551616",
          "1e99999999999");

  private static OperatorHarness operator;
  private static RawHttp http;

  @BeforeAll
  static void start() {
    operator = OperatorHarness.start(TestDatabase.fresh());
    http = new RawHttp(operator.vertx, "127.0.0.1", operator.port());
  }

  @AfterAll
  static void stop() {
    http.close();
    operator.close();
  }

  @Test
  @DisplayName(
      "ASP: a byte-order mark, comments, NaN, leading zeros, trailing commas or text, duplicate"
          + " keys are malformed_request; 1e400, long decimals, integers beyond 2^63"
          + " invalid_request; nothing is stored")
  void asp() {
    String token = operator.admin.createAgent("@strict.alice", "open", List.of()).await().token();
    RawHttp.Response created =
        http.send(HttpMethod.POST, "/sessions", token, JSON, "{\"invite\":[],\"topic\":\"json\"}");
    assertEquals(201, created.status(), created.text());
    String session = created.json().getString("session_id");
    String messages = "/sessions/" + session + "/messages";
    long before = operator.count(EVENTS, session);

    for (String shape : NOT_JSON) {
      String body = shape.formatted("\"content\":\"c\"");
      RawHttp.Response sent = http.send(HttpMethod.POST, messages, token, JSON, body);
      assertEquals(400, sent.status(), body + " -> " + sent.text());
      assertEquals("malformed_request", code(sent), body + " -> " + sent.text());
    }
    for (String number : INEXACT) {
      String body = "{\"content\":\"c\",\"metadata\":{\"n\":[" + number + "]}}";
      RawHttp.Response sent = http.send(HttpMethod.POST, messages, token, JSON, body);
      assertEquals(400, sent.status(), body + " -> " + sent.text());
      assertEquals("invalid_request", code(sent), body + " -> " + sent.text());
    }
    RawHttp.Response topic =
        http.send(HttpMethod.POST, "/sessions", token, JSON, "{\"invite\":[],\"topic\":\"a\"/**/}");
    assertEquals(400, topic.status(), topic.text());
    assertEquals(before, operator.count(EVENTS, session), "nothing was stored");

    // what a double or a long holds exactly is stored as sent (the value; not the spelling)
    String exact =
        "{\"content\":\"c\",\"metadata\":{\"a\":1.5e3,\"b\":0.1,\"c\":9223372036854775807,"
            + "\"d\":-9223372036854775808,\"e\":0.30000000000000004,\"f\":1E-300,\"g\":-0.0}}";
    RawHttp.Response stored = http.send(HttpMethod.POST, messages, token, JSON, exact);
    assertEquals(201, stored.status(), stored.text());
    JsonObject metadata = lastMessage(session, token).getJsonObject("metadata");
    assertEquals(1500.0, metadata.getDouble("a"));
    assertEquals(0.1, metadata.getDouble("b"));
    assertEquals(Long.MAX_VALUE, metadata.getLong("c"));
    assertEquals(Long.MIN_VALUE, metadata.getLong("d"));
    assertEquals(0.30000000000000004, metadata.getDouble("e"));
    assertEquals(1e-300, metadata.getDouble("f"));
  }

  @Test
  @DisplayName("A2A: the same bodies are validation_error with a correction; nothing is stored")
  void a2a() {
    HubNodes.Node node = HubNodes.hello(http);
    String session =
        HubNodes.ok(
                http.post(
                    "/a2a/session/create",
                    node.secret(),
                    new JsonObject().put("sender_id", node.id()).put("title", "json")))
            .getString("session_id");
    long before = operator.count(EVENTS, session);
    String members =
        "\"sender_id\":\"" + node.id() + "\",\"session_id\":\"" + session + "\",\"payload\":\"p\"";
    for (String shape : NOT_JSON) {
      String body = shape.formatted(members);
      HubNodes.error(
          http.send(HttpMethod.POST, "/a2a/session/message", node.secret(), JSON, body),
          400,
          "validation_error");
    }
    for (String number : INEXACT) {
      String body =
          "{\"sender_id\":\""
              + node.id()
              + "\",\"session_id\":\""
              + session
              + "\",\"payload\":{\"n\":"
              + number
              + "}}";
      JsonObject error =
          HubNodes.error(
              http.send(HttpMethod.POST, "/a2a/session/message", node.secret(), JSON, body),
              400,
              "validation_error");
      assertEquals(
          "$.payload.n",
          error.getJsonArray("details").getJsonObject(0).getString("path"),
          error.encode());
    }
    assertEquals(before, operator.count(EVENTS, session), "nothing was stored");
  }

  private static String code(RawHttp.Response response) {
    return response.json().getJsonObject("error").getString("code");
  }

  private static JsonObject lastMessage(String session, String token) {
    RawHttp.Response events = http.get("/sessions/" + session + "/events", token);
    assertEquals(200, events.status(), events.text());
    var list = events.json().getJsonArray("events");
    JsonObject last = null;
    for (int i = 0; i < list.size(); i++) {
      JsonObject event = list.getJsonObject(i);
      if ("session.message".equals(event.getString("type"))) {
        last = event;
      }
    }
    return last == null ? null : last.getJsonObject("payload");
  }
}
