package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Names have a length (item 10). Bodies sent as {@code curl -d} sends them ({@code
 * application/x-www-form-urlencoded}, as the README's own examples do) are read as JSON whatever
 * their size (issue 14 item 7): a JSON body over the form decoder's 8 KB attribute limit, or with
 * hundreds of {@code &} in a string, is a normal request on the ASP and the A2A surfaces, never a
 * 500.
 */
@DisplayName("Inputs that must not be a 500, or be let through (issue 14)")
class InputLimitsTest {
  private static final String FORM = "application/x-www-form-urlencoded";
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

  private static String agent(String handle) {
    return operator.admin.createAgent(handle, "open", List.of()).await().token();
  }

  @Test
  @DisplayName("a 20 KB message and one full of '&' are accepted, on /sessions and on /a2a")
  void largeFormEncodedJson() {
    String alice = agent("@forms.alice");
    RawHttp.Response created =
        http.send(
            HttpMethod.POST,
            "/sessions",
            alice,
            FORM,
            new JsonObject().put("invite", new JsonArray()).put("topic", "forms").encode());
    assertEquals(201, created.status(), created.text());
    String session = created.json().getString("session_id");
    for (String text : List.of("x".repeat(20_000), "a&b=c&".repeat(400))) {
      RawHttp.Response sent =
          http.send(
              HttpMethod.POST,
              "/sessions/" + session + "/messages",
              alice,
              FORM,
              new JsonObject().put("content", text).encode());
      assertEquals(201, sent.status(), sent.text());
      assertFalse(sent.text().contains("internal_error"), sent.text());
    }

    JsonObject node = http.post("/a2a/hello", null, new JsonObject()).json();
    String secret = node.getString("node_secret");
    String a2a =
        HubNodes.ok(
                http.send(
                    HttpMethod.POST,
                    "/a2a/session/create",
                    secret,
                    FORM,
                    new JsonObject()
                        .put("title", "forms")
                        .put("description", "y".repeat(9_000))
                        .encode()))
            .getString("session_id");
    HubNodes.ok(
        http.send(
            HttpMethod.POST,
            "/a2a/session/message",
            secret,
            FORM,
            new JsonObject().put("session_id", a2a).put("payload", "z&".repeat(5_000)).encode()));
  }

  @Test
  @DisplayName(
      "names are 1..64 characters a part (issue 14 item 10): a longer owner is invalid_request,"
          + " a longer agent invalid_handle; the longest allowed can be managed")
  void nameLimits() {
    String admin = OperatorHarness.ADMIN_TOKEN;
    String max = "a".repeat(64);
    String over = "a".repeat(65);
    RawHttp.Response owner = http.post("/admin/owners", admin, new JsonObject().put("owner", over));
    assertEquals(400, owner.status(), owner.text());
    assertEquals("invalid_request", owner.json().getJsonObject("error").getString("code"));
    RawHttp.Response agent =
        http.post("/admin/agents", admin, new JsonObject().put("handle", "@forms." + over));
    assertEquals(400, agent.status(), agent.text());
    assertEquals("invalid_handle", agent.json().getJsonObject("error").getString("code"));
    RawHttp.Response longest =
        http.post("/admin/agents", admin, new JsonObject().put("handle", "@forms." + max));
    assertEquals(201, longest.status(), longest.text());
    RawHttp.Response managed = http.get("/admin/agents/@forms." + max, admin);
    assertEquals(200, managed.status(), managed.text());
  }

  @Test
  @DisplayName(
      "a NUL or an unpaired surrogate anywhere in an ASP body is a 400, never a 500, and nothing"
          + " is stored (issue 14 item 8)")
  void unstorableText() {
    String bob = agent("@forms.bob");
    RawHttp.Response created =
        http.send(
            HttpMethod.POST,
            "/sessions",
            bob,
            "application/json",
            "{\"invite\":[],\"topic\":\"fine\"}");
    assertEquals(201, created.status(), created.text());
    String session = created.json().getString("session_id");
    List<String> bodies =
        List.of(
            "{\"content\":\"a\\u0000b\"}",
            "{\"content\":\"ok\",\"metadata\":{\"k\\u0000\":\"v\"}}",
            "{\"content\":\"ok\",\"metadata\":{\"k\":[\"v\\u0000\"]}}",
            "{\"content\":\"ok\",\"idempotency_key\":\"a\\u0000\"}",
            "{\"content\":\"a\\ud800b\"}",
            "{\"content\":[{\"type\":\"text\",\"text\":\"\\udc00\"}]}");
    for (String body : bodies) {
      RawHttp.Response sent =
          http.send(
              HttpMethod.POST, "/sessions/" + session + "/messages", bob, "application/json", body);
      assertEquals(400, sent.status(), body + " -> " + sent.text());
      assertEquals(
          "invalid_request", sent.json().getJsonObject("error").getString("code"), sent.text());
    }
    RawHttp.Response topic =
        http.send(
            HttpMethod.POST,
            "/sessions",
            bob,
            "application/json",
            "{\"invite\":[],\"topic\":\"a\\u0000\"}");
    assertEquals(400, topic.status(), topic.text());
    RawHttp.Response events = http.get("/sessions/" + session + "/events", bob);
    assertEquals(200, events.status(), events.text());
    assertFalse(
        events.text().contains("session.message"), "no message was stored: " + events.text());
  }

  @Test
  @DisplayName(
      "requests that cannot be decoded get the JSON error body (issue 14 item 11): a bad"
          + " percent-escape 400, a 9 KB request line 414, 9 KB of headers 431")
  void undecodableRequests() {
    RawHttp.Response escape = http.get("/sessions/%zz", null);
    assertEquals(400, escape.status(), escape.text());
    assertEquals("malformed_request", escape.json().getJsonObject("error").getString("code"));
    HubNodes.error(http.get("/a2a/session/board?session_id=%zz", null), 400, "validation_error");
    HubNodes.error(http.get("/a2a/dialog/thread/%zz", null), 400, "validation_error");
    RawHttp.Response line = http.get("/sessions/" + "a".repeat(9_000), null);
    assertEquals(414, line.status(), line.text());
    assertEquals("malformed_request", line.json().getJsonObject("error").getString("code"));
    // the header is sent as an over-long Content-Type, the one header RawHttp lets a test set
    RawHttp.Response headers =
        http.send(HttpMethod.GET, "/sessions", null, "text/" + "a".repeat(9_000), null);
    assertEquals(431, headers.status(), headers.text());
    assertEquals("malformed_request", headers.json().getJsonObject("error").getString("code"));
    // and the server still serves the next client
    assertEquals(200, http.get("/a2a/session/list", null).status());
  }

  @Test
  @DisplayName(
      "a refused WebSocket upgrade carries the JSON error body too (issue 14 item 11): no token"
          + " or a bad one is a 401 before any upgrade, and clients still see the 401")
  void refusedUpgradeIsJson() {
    io.vertx.core.http.HttpClient client = operator.vertx.createHttpClient();
    try {
      for (String authorization : new String[] {null, "Bearer not-a-token"}) {
        RequestOptions options =
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost("127.0.0.1")
                .setPort(operator.port())
                .setURI("/connect")
                .putHeader("Upgrade", "websocket")
                .putHeader("Connection", "Upgrade")
                .putHeader("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                .putHeader("Sec-WebSocket-Version", "13");
        if (authorization != null) {
          options.putHeader("Authorization", authorization);
        }
        RawHttp.Response response =
            client
                .request(options)
                .compose(r -> r.send())
                .compose(
                    (HttpClientResponse r) ->
                        r.body()
                            .map(
                                b ->
                                    new RawHttp.Response(
                                        r.statusCode(), r.headers(), b.toString())))
                .await();
        String body = response.text();
        assertEquals(401, response.status(), body);
        assertTrue(
            response.header("Content-Type").startsWith("application/json"),
            response.headers().toString());
        assertEquals(
            "unauthenticated", new JsonObject(body).getJsonObject("error").getString("code"));
      }
      var refused =
          assertThrows(
              Exception.class,
              () ->
                  operator
                      .vertx
                      .createWebSocketClient()
                      .connect(
                          new WebSocketConnectOptions()
                              .setHost("127.0.0.1")
                              .setPort(operator.port())
                              .setURI("/connect")
                              .addHeader("Authorization", "Bearer not-a-token"))
                      .await());
      assertTrue(
          refused instanceof UpgradeRejectedException rejected && rejected.getStatus() == 401,
          refused.toString());
    } finally {
      client.close().await();
    }
  }
}
