package dev.asp.operator;

import static dev.asp.operator.HubNodes.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.client.AspClient;
import dev.asp.client.AspEventStream;
import dev.asp.client.EventRecorder;
import dev.asp.protocol.Event;
import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Hub spec §17.2, the mixed session: an ASP agent on {@code WS /connect?extensions=a2a} (and a
 * plain connection), node A long-polling and node B on SSE, in one A2A session. Each sees the
 * others' messages in sequence order with the payload mapping undone; a directed A→B message is on
 * B's stream and absent from every view of the ASP agent, and of a late joiner.
 */
@DisplayName("A2A mixed session: one ASP agent, a polling node and a streaming node")
class A2aMixedSessionTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String SECRET = "for B's eyes only";
  private static OperatorHarness operator;
  private static RawHttp http;
  private static HttpClient sseClient;

  @BeforeAll
  static void start() {
    operator =
        OperatorHarness.start(
            TestDatabase.fresh(),
            Map.of(
                "ASP_A2A_SSE_KEEPALIVE_MS", "500",
                "ASP_A2A_CONVERGE_WINDOW_MS", "300",
                "ASP_A2A_SWEEP_MS", "50"));
    http = new RawHttp(operator.vertx, "127.0.0.1", operator.port());
    sseClient = operator.vertx.createHttpClient();
  }

  @AfterAll
  static void stop() {
    sseClient.close().await();
    http.close();
    operator.close();
  }

  private static JsonObject hello() {
    return http.post("/a2a/hello", null, new JsonObject()).json();
  }

  private List<String> rawFrames(String token, String uri) {
    return HubNodes.frames(operator.vertx, operator.port(), token, uri);
  }

  private static void waitFor(java.util.function.BooleanSupplier done) {
    long deadline = System.currentTimeMillis() + WAIT.toMillis();
    while (!done.getAsBoolean() && System.currentTimeMillis() < deadline) {
      operator.vertx.timer(20).await();
    }
    assertTrue(done.getAsBoolean(), "not reached within " + WAIT);
  }

  @Test
  @DisplayName(
      "messages in all directions with the mapping undone; the directed one only on B's views")
  void mixedSession() {
    JsonObject a = hello();
    JsonObject b = hello();
    String botHandle = "@acme" + System.nanoTime() % 100000 + ".bot";
    // the ASP agent keeps its closed allowlist and lets hub nodes in by owner name
    String botToken =
        operator.admin.createAgent(botHandle, "allowlist", List.of("@a2a.*")).await().token();
    AspClient bot = operator.client(botToken);
    List<String> botExtended = rawFrames(botToken, "/connect?extensions=a2a");
    EventRecorder botPlain = new EventRecorder();
    AspEventStream plainStream = bot.connect(botPlain);
    plainStream.connected().await();

    // alive for the invite: its first A2A request (a heartbeat) creates its node record; its
    // live WebSocket would count too, once delivery has recorded it
    ok(http.post("/a2a/heartbeat", botToken, new JsonObject()));
    JsonObject created =
        ok(
            http.post(
                "/a2a/session/create",
                a.getString("node_secret"),
                new JsonObject()
                    .put("title", "mixed")
                    .put(
                        "invite_node_ids",
                        new JsonArray().add(b.getString("node_id")).add(botHandle))));
    assertEquals(new JsonArray(), created.getJsonArray("rejected_invites"));
    String session = created.getString("session_id");
    ok(
        http.post(
            "/a2a/session/join",
            b.getString("node_secret"),
            new JsonObject().put("session_id", session)));
    bot.join(session).await(); // the ASP way
    SseReader bStream =
        SseReader.open(
            sseClient,
            operator.port(),
            "/a2a/events/stream?duration_ms=30000",
            b.getString("node_secret"),
            null,
            false);
    ok(http.post("/a2a/events/poll", a.getString("node_secret"), new JsonObject())); // joins so far

    // broadcast in all directions: a string (A), an object (B), ASP content (the bot)
    ok(
        http.post(
            "/a2a/session/message",
            a.getString("node_secret"),
            new JsonObject().put("session_id", session).put("payload", "from A")));
    ok(
        http.post(
            "/a2a/session/message",
            b.getString("node_secret"),
            new JsonObject()
                .put("session_id", session)
                .put("payload", new JsonObject().put("from", "B"))));
    bot.send(session, "from the bot").await();
    // the directed one
    ok(
        http.post(
            "/a2a/session/message",
            a.getString("node_secret"),
            new JsonObject()
                .put("session_id", session)
                .put("to_node_id", b.getString("node_id"))
                .put("payload", SECRET)));
    long last = bot.send(session, "bot again").await().sequence();

    // A (long-poll) sees B's object and the bot's text, mapped back, in sequence order
    List<JsonObject> aEvents = new ArrayList<>();
    waitFor(
        () -> {
          JsonObject poll =
              ok(http.post("/a2a/events/poll", a.getString("node_secret"), new JsonObject()));
          poll.getJsonArray("events").forEach(e -> aEvents.add((JsonObject) e));
          return aEvents.stream().anyMatch(e -> e.getLong("sequence") == last);
        });
    List<Object> aPayloads = new ArrayList<>();
    long previous = -1;
    for (JsonObject event : aEvents) {
      if (event.getString("type").equals("session_message")) {
        assertTrue(event.getLong("sequence") > previous);
        previous = event.getLong("sequence");
        aPayloads.add(event.getJsonObject("payload").getValue("payload"));
      }
    }
    assertEquals(
        List.of(new JsonObject().put("from", "B"), "from the bot", "bot again"), aPayloads);
    JsonObject botMessage =
        aEvents.stream()
            .filter(e -> "from the bot".equals(e.getJsonObject("payload").getValue("payload")))
            .findFirst()
            .orElseThrow()
            .getJsonObject("payload");
    assertEquals("asp_message", botMessage.getString("msg_type"));
    assertEquals(botHandle, botMessage.getString("fromNodeId"));

    // B (SSE) sees A's string, the bot's messages and the directed one
    List<SseReader.Event> bFrames =
        bStream.eventsUntil(
            item -> item instanceof SseReader.Event e && e.json().getLong("sequence") == last,
            WAIT);
    List<Object> bPayloads = new ArrayList<>();
    bFrames.forEach(
        f -> {
          JsonObject event = f.json();
          if (event.getString("type").equals("session_message")) {
            bPayloads.add(event.getJsonObject("payload").getValue("payload"));
          }
        });
    assertEquals(List.of("from A", "from the bot", SECRET), bPayloads.subList(0, 3));
    bStream.close();

    // the ASP agent: both connections have the others' messages as ASP content, never the secret
    botPlain.await(e -> e.sequence() == last, WAIT);
    waitFor(() -> botExtended.stream().anyMatch(f -> f.contains("bot again")));
    assertTrue(
        botPlain.events(session).stream().noneMatch(e -> e.payload().encode().contains(SECRET)));
    assertTrue(botExtended.stream().noneMatch(f -> f.contains(SECRET)));
    Event fromB =
        botPlain.events(session).stream()
            .filter(e -> e.payload().encode().contains("\"from\":\"B\""))
            .findFirst()
            .orElseThrow();
    assertEquals(
        new JsonArray()
            .add(
                new JsonObject()
                    .put("type", "data")
                    .put("data", new JsonObject().put("from", "B"))),
        fromB.payload().getJsonArray("content"));
    assertTrue(
        bot.events(session, null, 1000).await().events().stream()
            .noneMatch(e -> e.payload().encode().contains(SECRET)));
    JsonObject botContext = ok(http.get("/a2a/session/context?session_id=" + session, botToken));
    assertTrue(
        botContext.getJsonArray("recent_messages").stream()
            .noneMatch(m -> m.toString().contains(SECRET)));
    JsonObject botPoll = ok(http.post("/a2a/events/poll", botToken, new JsonObject()));
    assertFalse(botPoll.encode().contains(SECRET));
    JsonObject botBeat = ok(http.post("/a2a/heartbeat", botToken, new JsonObject()));
    assertFalse(botBeat.encode().contains(SECRET));

    // a late joiner's transcript replay does not have it either
    JsonObject c = hello();
    ok(
        http.post(
            "/a2a/session/join",
            c.getString("node_secret"),
            new JsonObject().put("session_id", session)));
    AspClient late = operator.client(c.getString("node_secret"));
    EventRecorder lateEvents = new EventRecorder();
    AspEventStream lateStream = late.connect(lateEvents);
    lateStream.connected().await();
    lateEvents.await(e -> e.sequence() == last, WAIT);
    assertTrue(
        lateEvents.events(session).stream().noneMatch(e -> e.payload().encode().contains(SECRET)));
    JsonObject latePoll =
        ok(http.post("/a2a/events/poll", c.getString("node_secret"), new JsonObject()));
    assertFalse(latePoll.encode().contains(SECRET));
    assertTrue(
        latePoll.encode().contains("from A"), "the transcript is there, only the secret is not");
    lateStream.close().await();
    plainStream.close().await();
  }

  @Test
  @DisplayName(
      "a board with a dependency, submits by a node and by the ASP agent, convergence and"
          + " completion: the same events and payloads on poll, SSE, mailbox and the opted-in WS")
  void boardOnEveryView() {
    JsonObject a = hello();
    JsonObject b = hello();
    JsonObject d = hello();
    String botHandle = "@acme" + System.nanoTime() % 100000 + ".bot";
    String botToken =
        operator.admin.createAgent(botHandle, "allowlist", List.of("@a2a.*")).await().token();
    AspClient bot = operator.client(botToken);
    List<String> botExtended = rawFrames(botToken, "/connect?extensions=a2a");
    EventRecorder botPlain = new EventRecorder();
    AspEventStream plainStream = bot.connect(botPlain);
    plainStream.connected().await();
    ok(http.post("/a2a/heartbeat", botToken, new JsonObject()));
    String session =
        ok(http.post(
                "/a2a/session/create",
                a.getString("node_secret"),
                new JsonObject()
                    .put("title", "board everywhere")
                    .put(
                        "invite_node_ids",
                        new JsonArray()
                            .add(b.getString("node_id"))
                            .add(d.getString("node_id"))
                            .add(botHandle))))
            .getString("session_id");
    for (JsonObject node : List.of(b, d)) {
      ok(
          http.post(
              "/a2a/session/join",
              node.getString("node_secret"),
              new JsonObject().put("session_id", session)));
    }
    bot.join(session).await();
    SseReader bStream =
        SseReader.open(
            sseClient,
            operator.port(),
            "/a2a/events/stream?duration_ms=30000",
            b.getString("node_secret"),
            null,
            false);

    JsonArray tasks =
        ok(http.post(
                "/a2a/session/board/update",
                a.getString("node_secret"),
                new JsonObject()
                    .put("session_id", session)
                    .put(
                        "add_tasks",
                        new JsonArray()
                            .add(new JsonObject().put("title", "first"))
                            .add(
                                new JsonObject()
                                    .put("title", "the bot's")
                                    .put("assigned_to", botHandle)
                                    .put("depends_on", new JsonArray().add(0))))))
            .getJsonArray("added");
    String asset = "sha256:" + "12".repeat(32);
    ok(
        http.post(
            "/a2a/session/submit",
            b.getString("node_secret"),
            new JsonObject()
                .put("session_id", session)
                .put("task_id", tasks.getJsonObject(0).getString("task_id"))
                .put("result_asset_id", asset)));
    // the ASP agent works the board with its own token
    JsonObject botDone =
        ok(
            http.post(
                "/a2a/session/submit",
                botToken,
                new JsonObject()
                    .put("session_id", session)
                    .put("task_id", tasks.getJsonObject(1).getString("task_id"))
                    .put("result_asset_id", asset)));
    assertEquals("converging", botDone.getString("session_status"));

    // every view until session_ended, keyed by event id with the §5.2 payload
    Map<String, JsonObject> onPoll = new LinkedHashMap<>();
    waitFor(
        () -> {
          JsonObject poll =
              ok(
                  http.post(
                      "/a2a/events/poll",
                      a.getString("node_secret"),
                      new JsonObject().put("timeout_ms", 1000)));
          poll.getJsonArray("events")
              .forEach(e -> onPoll.put(((JsonObject) e).getString("event_id"), (JsonObject) e));
          return onPoll.values().stream()
              .anyMatch(e -> e.getString("type").equals("session_ended"));
        });
    Map<String, JsonObject> onSse = new LinkedHashMap<>();
    bStream
        .eventsUntil(
            item ->
                item instanceof SseReader.Event e
                    && e.json().getString("type").equals("session_ended"),
            WAIT)
        .forEach(f -> onSse.put(f.json().getString("event_id"), f.json()));
    bStream.close();
    Map<String, JsonObject> onMailbox = new LinkedHashMap<>();
    waitFor(
        () -> {
          JsonObject inbound =
              ok(
                  http.post(
                      "/a2a/mailbox/inbound",
                      d.getString("node_secret"),
                      new JsonObject().put("cursor", (Object) null).put("limit", 100)));
          inbound
              .getJsonArray("messages")
              .forEach(m -> onMailbox.put(((JsonObject) m).getString("id"), (JsonObject) m));
          return onMailbox.values().stream()
              .anyMatch(
                  m -> "session_ended".equals(m.getJsonObject("payload").getString("event_type")));
        });
    waitFor(() -> botExtended.stream().anyMatch(f -> f.contains("\"session.ended\"")));
    Map<String, JsonObject> onWs = new LinkedHashMap<>();
    botExtended.stream()
        .map(JsonObject::new)
        .filter(f -> f.getString("type", "").startsWith("a2a."))
        .forEach(f -> onWs.put(f.getString("event_id"), f));

    // the ASP agent's opted-in socket has every extension event, its own submit included
    List<String> wsTypes = onWs.values().stream().map(f -> f.getString("type")).toList();
    assertEquals(
        List.of(
            "a2a.task_board_update",
            "a2a.task_board_update",
            "a2a.task_board_update",
            "a2a.session_status",
            "a2a.session_converged"),
        wsTypes);
    // each view has the same events as the socket, minus the node's own board change, with the
    // same payloads; the mailbox adds the type as event_type
    List<String> ids = List.copyOf(onWs.keySet());
    assertEquals(withoutIndex(ids, 0), extensionIds(onPoll), "A: not its own add");
    assertEquals(withoutIndex(ids, 1), extensionIds(onSse), "B: not its own submit");
    for (String id : ids) {
      JsonObject payload = onWs.get(id).getJsonObject("payload");
      for (Map<String, JsonObject> view : List.of(onPoll, onSse)) {
        if (view.containsKey(id)) {
          assertEquals(payload, view.get(id).getJsonObject("payload"), id);
          assertEquals(onWs.get(id).getString("type").substring(4), view.get(id).getString("type"));
        }
      }
      JsonObject mail = onMailbox.get(id);
      assertTrue(mail != null, "on the mailbox: " + id);
      JsonObject mailPayload = mail.getJsonObject("payload").copy();
      assertEquals(
          onWs.get(id).getString("type").substring(4), mailPayload.remove("event_type"), id);
      assertEquals(payload, mailPayload, id);
    }
    JsonObject converged = onWs.get(ids.get(4)).getJsonObject("payload");
    assertEquals(2, converged.getJsonArray("results").size());
    assertEquals(
        "completed",
        onPoll.values().stream()
            .filter(e -> e.getString("type").equals("session_ended"))
            .findFirst()
            .orElseThrow()
            .getJsonObject("payload")
            .getString("status"));
    // the plain socket: the end, never an extension event
    botPlain.await(e -> e.type().equals("session.ended"), WAIT);
    assertTrue(botPlain.events(session).stream().noneMatch(e -> e.type().startsWith("a2a.")));
    plainStream.close().await();
  }

  @Test
  @DisplayName(
      "a deliberation ended by its deadlines, identical on poll, SSE, mailbox and WS"
          + " ?extensions=a2a (deliberation_started is the A2A views' deliberation_invite)")
  void deliberationOnEveryView() {
    JsonObject chair = hello();
    JsonObject a = hello();
    JsonObject b = hello();
    JsonObject d = hello();
    String botHandle = "@acme" + System.nanoTime() % 100000 + ".bot";
    String botToken =
        operator.admin.createAgent(botHandle, "allowlist", List.of("@a2a.*")).await().token();
    AspClient bot = operator.client(botToken);
    List<String> botExtended = rawFrames(botToken, "/connect?extensions=a2a");
    ok(http.post("/a2a/heartbeat", botToken, new JsonObject()));
    // a linked session restricts the candidates to its members: exactly these four
    String linked =
        ok(http.post(
                "/a2a/session/create",
                chair.getString("node_secret"),
                new JsonObject()
                    .put("title", "who decides")
                    .put(
                        "invite_node_ids",
                        new JsonArray()
                            .add(a.getString("node_id"))
                            .add(b.getString("node_id"))
                            .add(d.getString("node_id"))
                            .add(botHandle))))
            .getString("session_id");
    for (JsonObject node : List.of(a, b, d)) {
      ok(
          http.post(
              "/a2a/session/join",
              node.getString("node_secret"),
              new JsonObject().put("session_id", linked)));
    }
    bot.join(linked).await();
    SseReader bStream =
        SseReader.open(
            sseClient,
            operator.port(),
            "/a2a/events/stream?duration_ms=30000",
            b.getString("node_secret"),
            null,
            false);
    JsonObject started =
        ok(
            http.post(
                "/a2a/deliberation/start",
                chair.getString("node_secret"),
                new JsonObject()
                    .put("title", "decide it")
                    .put("body", "by the deadlines")
                    .put("session_id", linked)
                    .put("max_rounds", 1)
                    .put("min_agents", 4)
                    .put(
                        "config",
                        new JsonObject().put("timeout_per_round_ms", 1000).put("max_agents", 4))));
    assertEquals(4, started.getJsonArray("participants").size(), started.encode());
    String deliberation = started.getString("deliberation_id");

    java.util.function.Predicate<JsonObject> done =
        e -> "deliberation_completed".equals(e.getString("type"));
    Map<String, JsonObject> onPoll = new LinkedHashMap<>();
    waitFor(
        () -> {
          ok(http.post(
                  "/a2a/events/poll",
                  a.getString("node_secret"),
                  new JsonObject().put("timeout_ms", 1000)))
              .getJsonArray("events")
              .forEach(e -> onPoll.put(((JsonObject) e).getString("event_id"), (JsonObject) e));
          return onPoll.values().stream().anyMatch(done);
        });
    Map<String, JsonObject> onSse = new LinkedHashMap<>();
    bStream
        .eventsUntil(
            item -> {
              // the stop event is not among those returned: keep it as it goes by
              boolean last = item instanceof SseReader.Event e && done.test(e.json());
              if (last) {
                JsonObject e = ((SseReader.Event) item).json();
                onSse.put(e.getString("event_id"), e);
              }
              return last;
            },
            WAIT)
        .forEach(f -> onSse.putIfAbsent(f.json().getString("event_id"), f.json()));
    bStream.close();
    Map<String, JsonObject> onMailbox = new LinkedHashMap<>();
    waitFor(
        () -> {
          ok(http.post(
                  "/a2a/mailbox/inbound",
                  d.getString("node_secret"),
                  new JsonObject().put("cursor", (Object) null).put("limit", 100)))
              .getJsonArray("messages")
              .forEach(m -> onMailbox.put(((JsonObject) m).getString("id"), (JsonObject) m));
          return onMailbox.values().stream()
              .anyMatch(
                  m ->
                      "deliberation_completed"
                          .equals(m.getJsonObject("payload").getString("event_type")));
        });
    waitFor(() -> botExtended.stream().anyMatch(f -> f.contains("a2a.deliberation_completed")));
    Map<String, JsonObject> onWs = new LinkedHashMap<>();
    botExtended.stream()
        .map(JsonObject::new)
        .filter(f -> f.getString("type", "").startsWith("a2a.deliberation_"))
        .forEach(f -> onWs.put(f.getString("event_id"), f));
    assertEquals(
        List.of(
            "a2a.deliberation_started",
            "a2a.deliberation_phase",
            "a2a.deliberation_phase",
            "a2a.deliberation_completed"),
        onWs.values().stream().map(f -> f.getString("type")).toList());
    for (Map.Entry<String, JsonObject> ws : onWs.entrySet()) {
      String id = ws.getKey();
      String type =
          ws.getValue().getString("type").equals("a2a.deliberation_started")
              ? "deliberation_invite"
              : ws.getValue().getString("type").substring(4);
      JsonObject payload = ws.getValue().getJsonObject("payload");
      assertEquals(deliberation, payload.getString("deliberation_id"));
      for (Map<String, JsonObject> view : List.of(onPoll, onSse)) {
        assertTrue(
            view.containsKey(id),
            "on every pull view: "
                + type
                + " "
                + id
                + " in "
                + (view == onPoll ? "poll " : "SSE ")
                + view.values().stream().map(e -> e.getString("type")).toList());
        assertEquals(type, view.get(id).getString("type"));
        assertEquals(payload, view.get(id).getJsonObject("payload"), id);
      }
      JsonObject mail = onMailbox.get(id);
      assertTrue(mail != null, "on the mailbox: " + id);
      JsonObject mailPayload = mail.getJsonObject("payload").copy();
      assertEquals(type, mailPayload.remove("event_type"), id);
      assertEquals(payload, mailPayload, id);
    }
  }

  private static List<String> extensionIds(Map<String, JsonObject> view) {
    List<String> ids = new ArrayList<>();
    view.forEach(
        (id, event) -> {
          String type = event.getString("type");
          if (List.of("task_board_update", "session_status", "session_converged").contains(type)) {
            ids.add(id);
          }
        });
    return ids;
  }

  private static List<String> withoutIndex(List<String> ids, int index) {
    List<String> out = new ArrayList<>(ids);
    out.remove(index);
    return out;
  }
}
