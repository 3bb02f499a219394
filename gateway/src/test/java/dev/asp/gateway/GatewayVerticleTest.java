package dev.asp.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.client.AspClient;
import dev.asp.client.RawResponse;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.SessionAction;
import dev.asp.protocol.bus.TrustAction;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gateway deployed alone, with fakes on the trust and session addresses: it authenticates,
 * validates, forwards the caller's identity and maps every contract error to HTTP. Bad input must
 * never reach the session verticle.
 */
@DisplayName("The gateway")
class GatewayVerticleTest {
  private static final String SESSION_ID = "sess_01HW7Z9KQX1MS2D9P5VC3GZ8AB";
  private static final String ALICE_TOKEN = "tok_alice_secret";
  private static final String ADMIN_TOKEN = "admin-token-for-tests";

  private Vertx vertx;
  private int port;
  private AspClient alice;
  private AspClient anonymous;
  private final List<JsonObject> sessionCalls = new CopyOnWriteArrayList<>();
  private final List<String> sessionActions = new CopyOnWriteArrayList<>();
  private final List<JsonObject> trustAdminCalls = new CopyOnWriteArrayList<>();
  private volatile ErrorCode sessionFailure;
  private MessageConsumer<JsonObject> sessionConsumer;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    vertx.eventBus().<JsonObject>consumer(Addresses.TRUST, this::fakeTrust).completion().await();
    sessionConsumer = vertx.eventBus().consumer(Addresses.SESSION, this::fakeSession);
    sessionConsumer.completion().await();
    GatewayVerticle gateway = new GatewayVerticle(TestGatewaySettings.of(60_000, null, null));
    vertx.deployVerticle(gateway).await();
    port = gateway.port();
    String url = "http://127.0.0.1:" + port;
    alice = AspClient.create(vertx, url, ALICE_TOKEN);
    anonymous = AspClient.create(vertx, url, null);
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private void fakeTrust(io.vertx.core.eventbus.Message<JsonObject> message) {
    String token = message.body().getString(BusFields.TOKEN);
    switch (TrustAction.valueOf(message.headers().get(Addresses.ACTION_HEADER))) {
      case AUTHENTICATE -> {
        if (ALICE_TOKEN.equals(token)) {
          message.reply(new JsonObject().put(Fields.HANDLE, "@alice.test"));
        } else {
          message.fail(ErrorCode.UNAUTHENTICATED.busCode(), "invalid token");
        }
      }
      case AUTHENTICATE_ADMIN -> {
        if (ADMIN_TOKEN.equals(token)) {
          message.reply(new JsonObject().put(BusFields.ROLE, BusFields.ROLE_ADMIN));
        } else {
          message.fail(ErrorCode.UNAUTHENTICATED.busCode(), "invalid token");
        }
      }
      default -> {
        trustAdminCalls.add(message.body());
        message.reply(new JsonObject().put(Fields.OK, true));
      }
    }
  }

  private void fakeSession(io.vertx.core.eventbus.Message<JsonObject> message) {
    sessionCalls.add(message.body());
    sessionActions.add(message.headers().get(Addresses.ACTION_HEADER));
    if (sessionFailure != null) {
      message.fail(sessionFailure.busCode(), "from the fake");
      return;
    }
    switch (SessionAction.valueOf(message.headers().get(Addresses.ACTION_HEADER))) {
      case CREATE -> message.reply(new JsonObject().put(Fields.SESSION_ID, SESSION_ID));
      case SEND ->
          message.reply(new JsonObject().put(Fields.MESSAGE_ID, "msg_1").put(Fields.SEQUENCE, 3));
      default -> message.reply(new JsonObject().put(Fields.OK, true));
    }
  }

  private RawResponse post(AspClient client, String path, String body) {
    return client
        .raw(HttpMethod.POST, path, body == null ? null : Buffer.buffer(body), Map.of())
        .await();
  }

  private static void assertError(RawResponse response, int status, ErrorCode code) {
    assertEquals(status, response.status(), () -> response.body().toString());
    assertEquals(code.wireCode(), response.errorCode(), () -> response.body().toString());
    assertNotNull(response.json().getJsonObject(Fields.ERROR).getString(Fields.MESSAGE));
  }

  @Test
  @DisplayName("answers 401 with a JSON error when the bearer token is missing or unknown")
  void unauthenticated() {
    assertError(post(anonymous, "/sessions", "{}"), 401, ErrorCode.UNAUTHENTICATED);
    RawResponse wrong =
        anonymous
            .raw(
                HttpMethod.POST,
                "/sessions",
                Buffer.buffer("{}"),
                Map.of("Authorization", "Bearer not-a-token"))
            .await();
    assertError(wrong, 401, ErrorCode.UNAUTHENTICATED);
    assertEquals("Bearer", wrong.headers().get("WWW-Authenticate"));
    assertError(
        anonymous
            .raw(
                HttpMethod.GET, "/sessions/" + SESSION_ID, null, Map.of("Authorization", "Basic x"))
            .await(),
        401,
        ErrorCode.UNAUTHENTICATED);
    assertTrue(sessionCalls.isEmpty());
  }

  @Test
  @DisplayName("takes the caller from the token and ignores X-ASP-Agent")
  void callerFromToken() {
    RawResponse created =
        alice
            .raw(
                HttpMethod.POST,
                "/sessions",
                Buffer.buffer("{\"invite\":[\"@bob.test\"],\"topic\":\"t\"}"),
                Map.of("X-ASP-Agent", "@mallory.evil"))
            .await();
    assertEquals(201, created.status());
    assertEquals(SESSION_ID, created.json().getString(Fields.SESSION_ID));
    assertEquals("@alice.test", sessionCalls.get(0).getString(BusFields.CALLER));
    assertEquals(new JsonArray().add("@bob.test"), sessionCalls.get(0).getJsonArray(Fields.INVITE));
  }

  @Test
  @DisplayName("answers 201 for create and send and 200 for the other commands")
  void statusCodes() {
    assertEquals(201, post(alice, "/sessions", null).status());
    assertEquals(
        201, post(alice, "/sessions/" + SESSION_ID + "/messages", "{\"content\":\"hi\"}").status());
    assertEquals(200, post(alice, "/sessions/" + SESSION_ID + "/join", null).status());
    assertEquals(200, post(alice, "/sessions/" + SESSION_ID + "/leave", null).status());
    assertEquals(200, post(alice, "/sessions/" + SESSION_ID + "/end", null).status());
    assertEquals(200, post(alice, "/sessions/" + SESSION_ID + "/reopen", null).status());
    assertEquals(
        200,
        post(alice, "/sessions/" + SESSION_ID + "/invite", "{\"invite\":[\"@b.c\"]}").status());
    assertEquals(
        List.of("CREATE", "SEND", "JOIN", "LEAVE", "END", "REOPEN", "INVITE"), sessionActions);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @DisplayName("rejects malformed bodies with 400 malformed_request")
  @ValueSource(strings = {"{", "[1,2]", "\"text\"", "nonsense", "{\"content\":}"})
  void malformed(String body) {
    assertError(
        post(alice, "/sessions/" + SESSION_ID + "/messages", body),
        400,
        ErrorCode.MALFORMED_REQUEST);
    assertTrue(sessionCalls.isEmpty());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @DisplayName("rejects wrong types and unknown fields on create with 400 invalid_request")
  @ValueSource(
      strings = {
        "{\"invite\":\"@bob.test\"}",
        "{\"invite\":[1]}",
        "{\"topic\":5}",
        "{\"end_after_send\":\"yes\"}",
        "{\"end_after_send\":true}",
        "{\"initial_message\":\"hi\"}",
        "{\"initial_message\":{\"content\":\"hi\",\"extra\":1}}",
        "{\"idempotency_key\":\"\"}",
        "{\"idempotency_key\":7}",
        "{\"surprise\":true}",
        "{\"invite\":[\"@a.b\",\"@a.c\",\"@a.d\",\"@a.e\",\"@a.f\",\"@a.g\"]}"
      })
  void invalidCreate(String body) {
    assertError(post(alice, "/sessions", body), 400, ErrorCode.INVALID_REQUEST);
    assertTrue(sessionCalls.isEmpty());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @DisplayName("rejects bad handles with 400 invalid_handle")
  @ValueSource(strings = {"bob", "@Bob.test", "@bob", "@bob.test.x", "@bo b.test", ""})
  void badHandle(String handle) {
    String body = new JsonObject().put("invite", new JsonArray().add(handle)).encode();
    assertError(post(alice, "/sessions", body), 400, ErrorCode.INVALID_HANDLE);
    assertError(
        post(alice, "/sessions/" + SESSION_ID + "/invite", body), 400, ErrorCode.INVALID_HANDLE);
    assertTrue(sessionCalls.isEmpty());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @DisplayName("rejects invalid content with 400 invalid_content")
  @ValueSource(
      strings = {
        "{}",
        "{\"content\":\"\"}",
        "{\"content\":[]}",
        "{\"content\":null}",
        "{\"content\":42}",
        "{\"content\":{\"type\":\"text\",\"text\":\"hi\"}}",
        "{\"content\":[{\"type\":\"text\",\"text\":\"\"}]}",
        "{\"content\":[{\"type\":\"video\",\"url\":\"https://x.test/v\"}]}",
        "{\"content\":[{\"type\":\"text\",\"text\":\"hi\",\"bold\":true}]}",
        "{\"content\":[{\"text\":\"no type\"}]}",
        "{\"content\":[{\"type\":\"image\"}]}",
        "{\"content\":[{\"type\":\"image\",\"data_uri\":\"http://x\"}]}",
        "{\"content\":[{\"type\":\"file\",\"name\":\"a.txt\"}]}",
        "{\"content\":[{\"type\":\"file\",\"url\":\"https://x.test/f\",\"size\":-1}]}",
        "{\"content\":[{\"type\":\"data\",\"data\":[1]}]}",
        "{\"content\":[\"hi\"]}"
      })
  void invalidContent(String body) {
    assertError(
        post(alice, "/sessions/" + SESSION_ID + "/messages", body), 400, ErrorCode.INVALID_CONTENT);
    assertTrue(sessionCalls.isEmpty());
  }

  @Test
  @DisplayName("accepts every part type of the spec")
  void validParts() {
    String body =
        "{\"content\":[{\"type\":\"text\",\"text\":\"hi\"},"
            + "{\"type\":\"image\",\"url\":\"https://x.test/i.png\",\"mime_type\":\"image/png\"},"
            + "{\"type\":\"file\",\"url\":\"https://x.test/f\",\"name\":\"f\",\"size\":3}],"
            + "\"metadata\":{\"k\":1},\"idempotency_key\":\"k1\"}";
    assertEquals(201, post(alice, "/sessions/" + SESSION_ID + "/messages", body).status());
    JsonObject forwarded = sessionCalls.get(0);
    assertEquals("k1", forwarded.getString(Fields.IDEMPOTENCY_KEY));
    assertEquals(3, forwarded.getJsonArray(Fields.CONTENT).size());
    assertEquals(SESSION_ID, forwarded.getString(Fields.SESSION_ID));
  }

  @Test
  @DisplayName("answers 413 for bodies, content, parts and metadata beyond the limits")
  void tooLarge() {
    String huge = "{\"content\":\"" + "x".repeat(5000) + "\"}";
    assertError(
        post(alice, "/sessions/" + SESSION_ID + "/messages", huge),
        413,
        ErrorCode.PAYLOAD_TOO_LARGE);
    String bigContent = "{\"content\":\"" + "x".repeat(600) + "\"}";
    assertError(
        post(alice, "/sessions/" + SESSION_ID + "/messages", bigContent),
        413,
        ErrorCode.PAYLOAD_TOO_LARGE);
    String manyParts =
        "{\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"text\",\"text\":\"b\"},"
            + "{\"type\":\"text\",\"text\":\"c\"},{\"type\":\"text\",\"text\":\"d\"}]}";
    assertError(
        post(alice, "/sessions/" + SESSION_ID + "/messages", manyParts),
        413,
        ErrorCode.PAYLOAD_TOO_LARGE);
    String bigMetadata = "{\"content\":\"x\",\"metadata\":{\"m\":\"" + "y".repeat(200) + "\"}}";
    assertError(
        post(alice, "/sessions/" + SESSION_ID + "/messages", bigMetadata),
        413,
        ErrorCode.PAYLOAD_TOO_LARGE);
    assertTrue(sessionCalls.isEmpty());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @DisplayName("rejects bad event queries with 400")
  @ValueSource(
      strings = {"limit=0", "limit=1001", "limit=abc", "after_sequence=-2", "after_sequence=x"})
  void badEventsQuery(String query) {
    RawResponse response =
        alice
            .raw(HttpMethod.GET, "/sessions/" + SESSION_ID + "/events?" + query, null, Map.of())
            .await();
    assertError(response, 400, ErrorCode.INVALID_REQUEST);
    assertTrue(sessionCalls.isEmpty());
  }

  @Test
  @DisplayName("forwards event queries with their defaults")
  void eventsDefaults() {
    alice.raw(HttpMethod.GET, "/sessions/" + SESSION_ID + "/events", null, Map.of()).await();
    assertEquals(-1L, sessionCalls.get(0).getLong(Fields.AFTER_SEQUENCE));
    assertEquals(100, sessionCalls.get(0).getInteger(Fields.LIMIT));
  }

  @Test
  @DisplayName("answers 404 for ids that cannot be session ids, without asking")
  void badSessionId() {
    assertError(post(alice, "/sessions/not-an-id/join", null), 404, ErrorCode.NOT_FOUND);
    assertError(post(alice, "/sessions/sess_lower/join", null), 404, ErrorCode.NOT_FOUND);
    assertTrue(sessionCalls.isEmpty());
  }

  @Test
  @DisplayName("maps contract errors to their HTTP statuses")
  void mapsErrors() {
    for (ErrorCode code :
        List.of(
            ErrorCode.NOT_FOUND,
            ErrorCode.FORBIDDEN,
            ErrorCode.SESSION_ENDED,
            ErrorCode.CONFLICT,
            ErrorCode.UNAVAILABLE,
            ErrorCode.INTERNAL)) {
      sessionFailure = code;
      assertError(post(alice, "/sessions/" + SESSION_ID + "/join", null), code.httpStatus(), code);
    }
  }

  @Test
  @DisplayName("answers 503 with Retry-After when the session verticle is gone")
  void unavailable() {
    sessionConsumer.unregister().await();
    RawResponse response = post(alice, "/sessions/" + SESSION_ID + "/join", null);
    assertError(response, 503, ErrorCode.UNAVAILABLE);
    assertEquals("1", response.headers().get("Retry-After"));
  }

  @Test
  @DisplayName("refuses agent tokens on the admin API and forwards admin principals")
  void admin() {
    assertError(
        alice.raw(HttpMethod.GET, "/admin/agents", null, Map.of()).await(),
        401,
        ErrorCode.UNAUTHENTICATED);
    RawResponse blocked =
        anonymous
            .raw(
                HttpMethod.POST,
                "/admin/agents/%40alice.test/blocks",
                Buffer.buffer("{\"handle\":\"@bob.test\"}"),
                Map.of("Authorization", "Bearer " + ADMIN_TOKEN))
            .await();
    assertEquals(200, blocked.status());
    JsonObject call = trustAdminCalls.get(0);
    assertEquals("@alice.test", call.getString(Fields.HANDLE));
    assertEquals("@bob.test", call.getString(BusFields.BLOCKED));
    assertEquals(
        BusFields.ROLE_ADMIN, call.getJsonObject(BusFields.PRINCIPAL).getString(BusFields.ROLE));
  }

  @Test
  @DisplayName("answers unknown paths with a JSON 404")
  void unknownPath() {
    assertError(
        alice.raw(HttpMethod.GET, "/nowhere", null, Map.of()).await(), 404, ErrorCode.NOT_FOUND);
  }

  private int upgradeStatus(String token) {
    WebSocketConnectOptions options =
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/connect");
    if (token != null) {
      options.addHeader("Authorization", "Bearer " + token);
    }
    Throwable failure =
        vertx
            .createWebSocketClient()
            .connect(options)
            .<Throwable>transform(r -> Future.succeededFuture(r.cause()))
            .await();
    return failure instanceof UpgradeRejectedException rejected ? rejected.getStatus() : 101;
  }

  @Test
  @DisplayName(
      "refuses WS /connect with 401 before upgrading when the bearer is missing or unknown")
  void connectNeedsAToken() {
    assertEquals(401, upgradeStatus(null));
    assertEquals(401, upgradeStatus("not-a-token"));
  }

  @Test
  @DisplayName(
      "answers WS /connect with 503 on a node without delivery, and 400 without an upgrade")
  void connectWithoutDelivery() {
    assertEquals(503, upgradeStatus(ALICE_TOKEN));
    assertError(
        alice.raw(HttpMethod.GET, "/connect", null, Map.of()).await(),
        400,
        ErrorCode.INVALID_REQUEST);
  }
}
