package dev.asp.operator;

import static dev.asp.operator.HubNodes.error;
import static dev.asp.operator.HubNodes.events;
import static dev.asp.operator.HubNodes.flatPoll;
import static dev.asp.operator.HubNodes.ok;
import static dev.asp.operator.HubNodes.poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.operator.HubNodes.Node;
import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestSql;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Pipelines (hub spec §13, §5.2, §11, §18.14) through the real gateway against a real PostgreSQL:
 * the create, advance, read and template shapes field by field; assignment when a step becomes
 * current, shown as {@code pipeline_step_assigned} to the assignee and the creator only; the flow
 * to {@code pipeline_completed} seen by every member; a stalled pipeline taken by a matching node's
 * hello or heartbeat; dialog in the pipeline context; failure when the session ends; and every
 * error code with nothing stored. Every test uses keywords of its own, so nodes of other tests
 * never match its steps.
 */
@DisplayName("A2A pipelines, end to end")
class A2aPipelineTest {
  private static final String ASSET = "sha256:" + "ef".repeat(32);
  private static final Duration WITHIN = Duration.ofSeconds(10);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static HubOperator hub;
  private static OperatorHarness operator;
  private static RawHttp http;
  private static TestSql sql;

  @BeforeAll
  static void start() {
    hub = HubOperator.start(Map.of("ASP_A2A_LEVEL_GATING", "true"));
    operator = hub.operator;
    http = hub.http;
    sql = hub.sql;
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  /** A word no other test uses: a keyword only this test's nodes and steps share. */
  private static String word() {
    StringBuilder word = new StringBuilder("kw");
    for (int i = 0; i < 10; i++) {
      word.append((char) ('a' + RANDOM.nextInt(26)));
    }
    return word.toString();
  }

  /** A new hub node declaring {@code capabilities}. */
  private static Node node(String... capabilities) {
    JsonObject reply =
        ok(
            http.post(
                "/a2a/hello",
                null,
                new JsonObject()
                    .put("capabilities", new JsonArray(List.of((Object[]) capabilities)))));
    return new Node(reply.getString("your_node_id"), reply.getString("node_secret"));
  }

  private static RawHttp.Response create(Node node, JsonObject body) {
    return http.post(
        "/a2a/pipeline/create", node.secret(), body.copy().put("sender_id", node.id()));
  }

  private static RawHttp.Response advance(Node node, String pipeline, JsonObject body) {
    return http.post(
        "/a2a/pipeline/" + pipeline + "/advance",
        node.secret(),
        body.copy().put("sender_id", node.id()));
  }

  private static RawHttp.Response read(Node node, String pipeline) {
    return http.get("/a2a/pipeline/" + pipeline, node == null ? null : node.secret());
  }

  private static JsonObject step(String role, String... capabilities) {
    return new JsonObject()
        .put("role", role)
        .put("capabilities", new JsonArray(List.of((Object[]) capabilities)))
        .put("name", "do " + role)
        .put("description", "the " + role + " step");
  }

  private static JsonObject twoSteps(String first, String second) {
    return new JsonObject()
        .put("name", "research then write")
        .put("description", "a two-step pipeline")
        .put("steps", new JsonArray().add(step(first)).add(step("author", second)))
        .put("input_data", new JsonObject().put("topic", "memory leaks"));
  }

  /** Everything the node's poll view holds now. */
  private static List<JsonObject> drain(Node node) {
    List<JsonObject> all = new ArrayList<>();
    while (true) {
      List<JsonObject> got = events(ok(poll(http, node, flatPoll(node, null, null, 100)).await()));
      if (got.isEmpty()) {
        return all;
      }
      all.addAll(got);
    }
  }

  /** Long-polls until an event of {@code type} arrives; the events up to it, in order. */
  private static List<JsonObject> awaitEvent(Node node, String type) {
    List<JsonObject> seen = new ArrayList<>();
    long deadline = System.nanoTime() + WITHIN.toNanos();
    while (System.nanoTime() < deadline) {
      List<JsonObject> got = events(ok(poll(http, node, flatPoll(node, 1000L, null, 100)).await()));
      seen.addAll(got);
      if (got.stream().anyMatch(e -> type.equals(e.getString("type")))) {
        return seen;
      }
    }
    throw new AssertionError(node.id() + " never saw " + type + "; saw " + seen);
  }

  private static JsonObject only(List<JsonObject> events, String type) {
    List<JsonObject> matching =
        events.stream().filter(e -> type.equals(e.getString("type"))).toList();
    assertEquals(1, matching.size(), type + " once in " + events);
    return matching.get(0);
  }

  private static List<String> types(List<JsonObject> events) {
    return events.stream().map(e -> e.getString("type")).toList();
  }

  private static long count(String sqlText, Object... params) {
    return ((Number) sql.value(sqlText, params)).longValue();
  }

  /** Rows and events a refused request must not have added. */
  private record Stored(long pipelines, long steps, long sessions, long events) {
    static Stored now() {
      return new Stored(
          count("SELECT count(*) FROM a2a_pipelines"),
          count("SELECT count(*) FROM a2a_pipeline_steps"),
          count("SELECT count(*) FROM sessions"),
          count("SELECT count(*) FROM events"));
    }
  }

  @Test
  @DisplayName(
      "create → step 1 assigned (seen by assignee and creator only) → advance → step 2 → completed,"
          + " field by field")
  void fullFlow() {
    String research = word();
    String writing = word();
    Node creator = node();
    Node a = node(research);
    Node b = node(writing, "prose");
    Node third = node(word());
    drain(creator);
    drain(third);

    JsonObject created = ok(create(creator, twoSteps(research, writing)));
    String id = created.getString("pipeline_id");
    assertTrue(id.startsWith("pipe_"), created.encode());
    assertEquals(id, created.getString("id"));
    assertEquals("active", created.getString("status"));
    String session = created.getString("session_id");
    assertTrue(session.startsWith("sess_"), created.encode());
    assertEquals(1, created.getInteger("current_step"));
    assertNotNull(created.getString("created_at"));
    JsonArray steps = created.getJsonArray("steps");
    assertEquals(2, steps.size());
    JsonObject first = steps.getJsonObject(0);
    assertEquals(1, first.getInteger("position"));
    assertEquals(research, first.getString("role"));
    assertEquals(new JsonArray(), first.getJsonArray("capabilities"));
    assertEquals("do " + research, first.getString("name"));
    assertEquals("the " + research + " step", first.getString("description"));
    assertEquals("active", first.getString("status"));
    assertEquals(a.id(), first.getString("assignee"));
    assertEquals(new JsonObject().put("topic", "memory leaks"), first.getJsonObject("input"));
    assertNull(first.getValue("output"));
    assertNull(first.getValue("result_asset_id"));
    assertNotNull(first.getString("started_at"));
    assertNull(first.getValue("completed_at"));
    JsonObject second = steps.getJsonObject(1);
    assertEquals(2, second.getInteger("position"));
    assertEquals("pending", second.getString("status"));
    assertNull(second.getValue("assignee"));
    assertEquals(new JsonArray().add(writing), second.getJsonArray("capabilities"));
    for (String key :
        List.of("input", "output", "result_asset_id", "started_at", "completed_at", "assignee")) {
      assertTrue(second.containsKey(key), key + " present: " + second.encode());
    }

    // the assignee and the creator get pipeline_step_assigned; the hub's join is silent
    List<JsonObject> seenByA = awaitEvent(a, "pipeline_step_assigned");
    assertEquals(List.of("pipeline_step_assigned"), types(seenByA), "" + seenByA);
    JsonObject assigned = seenByA.get(0);
    assertEquals(session, assigned.getString("session_id"));
    JsonObject payload = assigned.getJsonObject("payload");
    assertEquals(id, payload.getString("pipeline_id"));
    assertEquals(session, payload.getString("session_id"));
    assertEquals(1, payload.getInteger("step"));
    assertEquals(research, payload.getString("role"));
    assertEquals(new JsonArray(), payload.getJsonArray("capabilities"));
    assertEquals("do " + research, payload.getString("name"));
    assertEquals("the " + research + " step", payload.getString("description"));
    assertEquals(a.id(), payload.getString("assignee"));
    assertEquals(new JsonObject().put("topic", "memory leaks"), payload.getJsonObject("input"));
    assertEquals(
        payload,
        only(awaitEvent(creator, "pipeline_step_assigned"), "pipeline_step_assigned")
            .getJsonObject("payload"));
    assertEquals(List.of(), drain(third), "a third node sees nothing of the pipeline");
    assertEquals(List.of(), drain(b), "the next step's node sees nothing before its turn");

    // members only: the creator and assignees read it; the others do not find it
    JsonObject view = ok(read(a, id));
    assertEquals(id, view.getString("pipeline_id"));
    assertEquals(id, view.getString("id"));
    assertEquals("research then write", view.getString("name"));
    assertEquals("a two-step pipeline", view.getString("description"));
    assertEquals("active", view.getString("status"));
    assertFalse(view.getBoolean("is_template"));
    assertTrue(view.containsKey("template_id"));
    assertNull(view.getValue("template_id"));
    assertEquals(creator.id(), view.getString("created_by"));
    assertEquals(session, view.getString("session_id"));
    assertEquals(1, view.getInteger("current_step"));
    assertEquals(new JsonObject().put("topic", "memory leaks"), view.getJsonObject("input_data"));
    assertEquals(steps, view.getJsonArray("steps"));
    assertEquals(created.getString("created_at"), view.getString("created_at"));
    assertTrue(view.containsKey("completed_at"));
    assertNull(view.getValue("completed_at"));
    assertEquals(view, ok(read(creator, id)));
    error(read(b, id), 404, "pipeline_not_found");
    error(read(third, id), 404, "pipeline_not_found");
    error(read(null, id), 404, "pipeline_not_found");

    // only the current step's assignee advances
    error(advance(creator, id, new JsonObject()), 403, "not_step_assignee");
    error(advance(b, id, new JsonObject()), 404, "pipeline_not_found");
    JsonObject output = new JsonObject().put("sources", new JsonArray().add("a").add("b"));
    JsonObject advanced =
        ok(
            advance(
                a,
                id,
                new JsonObject()
                    .put("result_asset_id", ASSET.toUpperCase().replace("SHA256", "sha256"))
                    .put("output_data", output)));
    assertEquals(id, advanced.getString("pipeline_id"));
    assertEquals("active", advanced.getString("status"));
    assertEquals(1, advanced.getInteger("completed_step"));
    assertEquals(2, advanced.getInteger("current_step"));
    assertEquals(b.id(), advanced.getString("next_assignee"));
    assertEquals(output, advanced.getJsonObject("output_data"));
    error(advance(a, id, new JsonObject()), 403, "not_step_assignee");

    JsonObject toB =
        only(awaitEvent(b, "pipeline_step_assigned"), "pipeline_step_assigned")
            .getJsonObject("payload");
    assertEquals(2, toB.getInteger("step"));
    assertEquals(b.id(), toB.getString("assignee"));
    assertEquals(output, toB.getJsonObject("input"), "input = the previous step's output");
    assertEquals(new JsonArray().add(writing), toB.getJsonArray("capabilities"));
    assertEquals(
        toB,
        only(awaitEvent(creator, "pipeline_step_assigned"), "pipeline_step_assigned")
            .getJsonObject("payload"));

    JsonObject last = ok(advance(b, id, new JsonObject().put("output_data", "the summary")));
    assertEquals("completed", last.getString("status"));
    assertEquals(2, last.getInteger("completed_step"));
    assertTrue(last.containsKey("current_step"));
    assertNull(last.getValue("current_step"), "§18.14");
    assertTrue(last.containsKey("next_assignee"));
    assertNull(last.getValue("next_assignee"), "§18.14");
    assertEquals("the summary", last.getString("output_data"));

    // pipeline_completed goes to every member, then the session ends completed
    for (Node member : List.of(creator, a, b)) {
      List<JsonObject> seen = awaitEvent(member, "session_ended");
      JsonObject done = only(seen, "pipeline_completed").getJsonObject("payload");
      assertEquals(id, done.getString("pipeline_id"));
      assertEquals("research then write", done.getString("name"));
      assertEquals("the summary", done.getString("output"));
      JsonArray results = done.getJsonArray("steps");
      assertEquals(
          new JsonObject()
              .put("position", 1)
              .put("role", research)
              .put("assignee", a.id())
              .put("result_asset_id", ASSET)
              .put("output", output),
          results.getJsonObject(0));
      assertEquals(
          new JsonObject()
              .put("position", 2)
              .put("role", "author")
              .put("assignee", b.id())
              .putNull("result_asset_id")
              .put("output", "the summary"),
          results.getJsonObject(1));
      assertEquals(
          "completed", only(seen, "session_ended").getJsonObject("payload").getString("status"));
      assertFalse(types(seen).contains("pipeline_step_assigned") && member == a, "" + seen);
    }
    assertEquals(List.of(), drain(third));

    JsonObject after = ok(read(creator, id));
    assertEquals("completed", after.getString("status"));
    assertNull(after.getValue("current_step"));
    assertNotNull(after.getString("completed_at"));
    for (Object s : after.getJsonArray("steps")) {
      assertEquals("completed", ((JsonObject) s).getString("status"));
      assertNotNull(((JsonObject) s).getString("completed_at"));
    }
    error(advance(b, id, new JsonObject()), 409, "pipeline_closed");

    // the ASP view with extensions carries the same events, audience applied
    JsonArray aspEvents =
        http.get("/sessions/" + session + "/events?extensions=a2a&limit=1000", a.secret())
            .json()
            .getJsonArray("events");
    List<String> aspTypes = new ArrayList<>();
    for (Object e : aspEvents) {
      aspTypes.add(((JsonObject) e).getString("type"));
    }
    assertEquals(
        1, aspTypes.stream().filter("a2a.pipeline_step_assigned"::equals).count(), "" + aspTypes);
    assertTrue(aspTypes.contains("a2a.pipeline_completed"), "" + aspTypes);
  }

  @Test
  @DisplayName("the mailbox carries pipeline events as session_event")
  void mailbox() {
    String role = word();
    Node creator = node();
    Node a = node(role);
    String id = ok(create(creator, twoSteps(role, word()))).getString("pipeline_id");
    long deadline = System.nanoTime() + WITHIN.toNanos();
    JsonObject found = null;
    while (found == null && System.nanoTime() < deadline) {
      for (JsonObject message : HubNodes.messages(HubNodes.inbound(http, a, null, 50))) {
        if ("pipeline_step_assigned"
            .equals(message.getJsonObject("payload").getString("event_type"))) {
          found = message;
        }
      }
    }
    assertNotNull(found, "a's mailbox has the assignment");
    assertEquals("session_event", found.getString("type"));
    assertEquals(id, found.getJsonObject("payload").getString("pipeline_id"));
  }

  @Test
  @DisplayName("steps are ordered by their positions and renumbered 1..n")
  void positions() {
    Node creator = node();
    JsonObject body =
        new JsonObject()
            .put("name", "ordered")
            .put(
                "steps",
                new JsonArray()
                    .add(step("second").put("position", 20))
                    .add(step("first").put("position", 10))
                    .add(step("third").put("position", 30)));
    JsonArray steps = ok(create(creator, body)).getJsonArray("steps");
    assertEquals("first", steps.getJsonObject(0).getString("role"));
    assertEquals(1, steps.getJsonObject(0).getInteger("position"));
    assertEquals("second", steps.getJsonObject(1).getString("role"));
    assertEquals(2, steps.getJsonObject(1).getInteger("position"));
    assertEquals(3, steps.getJsonObject(2).getInteger("position"));
  }

  @Test
  @DisplayName(
      "no match → stalled; a matching node's hello takes the step, and so does a heartbeat")
  void stalledThenTaken() {
    String role = word();
    Node creator = node();
    drain(creator);
    JsonObject created = ok(create(creator, twoSteps(role, word())));
    String id = created.getString("pipeline_id");
    assertEquals("stalled", created.getString("status"));
    assertEquals(1, created.getInteger("current_step"));
    JsonObject first = created.getJsonArray("steps").getJsonObject(0);
    assertEquals("active", first.getString("status"));
    assertNull(first.getValue("assignee"));
    error(advance(creator, id, new JsonObject()), 403, "not_step_assignee");

    // a node that matches says hello: it takes the step
    Node late = node("x " + role + " y");
    JsonObject assigned =
        only(awaitEvent(late, "pipeline_step_assigned"), "pipeline_step_assigned")
            .getJsonObject("payload");
    assertEquals(id, assigned.getString("pipeline_id"));
    assertEquals(late.id(), assigned.getString("assignee"));
    awaitEvent(creator, "pipeline_step_assigned");
    JsonObject view = ok(read(creator, id));
    assertEquals("active", view.getString("status"));
    assertEquals(late.id(), view.getJsonArray("steps").getJsonObject(0).getString("assignee"));

    // a matching node that was offline when the pipeline stalled takes it with its heartbeat
    String other = word();
    Node sleeper = node(other);
    sql.value("UPDATE a2a_nodes SET last_seen = 0 WHERE handle = $1 RETURNING 1", sleeper.handle());
    String second = ok(create(creator, twoSteps(other, word()))).getString("pipeline_id");
    assertEquals("stalled", ok(read(creator, second)).getString("status"));
    ok(
        http.post(
            "/a2a/heartbeat", sleeper.secret(), new JsonObject().put("node_id", sleeper.id())));
    JsonObject taken =
        only(awaitEvent(sleeper, "pipeline_step_assigned"), "pipeline_step_assigned")
            .getJsonObject("payload");
    assertEquals(second, taken.getString("pipeline_id"));
    assertEquals("active", ok(read(creator, second)).getString("status"));
  }

  @Test
  @DisplayName("the creator is never its own assignee; among matches the better score wins")
  void ranking() {
    String alpha = word();
    String beta = word();
    Node creator = node(alpha, beta);
    Node one = node(alpha);
    Node both = node(alpha, beta);
    JsonObject body =
        new JsonObject()
            .put("name", "rank")
            .put("steps", new JsonArray().add(step(alpha, beta)).add(step(word())));
    JsonObject created = ok(create(creator, body));
    assertEquals(
        both.id(), created.getJsonArray("steps").getJsonObject(0).getString("assignee"), "" + one);
  }

  @Test
  @DisplayName("templates: saved without a session, readable by anyone, listed, copied")
  void templates() {
    Node creator = node();
    Stored before = Stored.now();
    String role = word();
    JsonObject saved =
        ok(
            create(
                creator,
                twoSteps(role, "drafting")
                    .put("is_template", true)
                    .put("input_data", new JsonObject().put("default", true))));
    String id = saved.getString("pipeline_id");
    assertTrue(id.startsWith("pipe_"));
    assertEquals(id, saved.getString("template_id"));
    assertEquals("template", saved.getString("status"));
    assertEquals(2, saved.getJsonArray("steps").size());
    assertEquals("pending", saved.getJsonArray("steps").getJsonObject(0).getString("status"));
    assertEquals(before.sessions(), Stored.now().sessions(), "a template has no session");
    assertEquals(before.events(), Stored.now().events(), "nothing starts");

    JsonObject view = ok(read(null, id));
    assertEquals("template", view.getString("status"));
    assertTrue(view.getBoolean("is_template"));
    assertEquals(id, view.getString("template_id"));
    assertNull(view.getValue("session_id"));
    assertNull(view.getValue("current_step"));
    assertEquals(view, ok(http.get("/a2a/pipeline/" + id, "f".repeat(64))), "bad Bearer ignored");

    JsonObject listed = ok(http.get("/a2a/pipeline/templates?limit=50", null));
    JsonObject entry = listed.getJsonArray("templates").getJsonObject(0);
    assertEquals(id, entry.getString("template_id"), "newest first: " + listed.encode());
    assertEquals(id, entry.getString("pipeline_id"));
    assertEquals("research then write", entry.getString("name"));
    assertEquals("a two-step pipeline", entry.getString("description"));
    assertEquals(saved.getJsonArray("steps"), entry.getJsonArray("steps"));
    assertEquals(creator.id(), entry.getString("created_by"));
    assertNotNull(entry.getString("created_at"));
    assertEquals(listed.getJsonArray("templates").size(), listed.getInteger("count"));
    assertEquals(
        1, ok(http.get("/a2a/pipeline/templates?limit=1", "f".repeat(64))).getInteger("count"));
    error(http.get("/a2a/pipeline/templates?limit=0", null), 400, "validation_error");
    error(http.get("/a2a/pipeline/templates?limit=51", null), 400, "validation_error");

    // a pipeline from the template: its steps, given fields win
    Node worker = node(role);
    JsonObject copy =
        ok(
            create(
                creator, new JsonObject().put("template_id", id).put("name", "from the template")));
    String copyId = copy.getString("pipeline_id");
    assertEquals("active", copy.getString("status"));
    assertEquals(worker.id(), copy.getJsonArray("steps").getJsonObject(0).getString("assignee"));
    assertEquals(
        new JsonObject().put("default", true),
        copy.getJsonArray("steps").getJsonObject(0).getJsonObject("input"),
        "the template's input_data when none is given");
    JsonObject copied = ok(read(creator, copyId));
    assertEquals("from the template", copied.getString("name"));
    assertEquals("a two-step pipeline", copied.getString("description"));
    assertEquals(id, copied.getString("template_id"));
    assertFalse(copied.getBoolean("is_template"));
    error(advance(creator, id, new JsonObject()), 404, "pipeline_not_found");
  }

  @Test
  @DisplayName("every refused create and advance answers its code and stores nothing")
  void badInput() {
    Node creator = node();
    Node other = node();
    String template =
        ok(create(creator, twoSteps("keeper", "writer").put("is_template", true)))
            .getString("pipeline_id");
    Stored before = Stored.now();

    JsonObject noRole =
        new JsonObject()
            .put("name", "no role")
            .put(
                "steps",
                new JsonArray()
                    .add(step("fine"))
                    .add(new JsonObject().put("name", "write").put("assignee", other.id())));
    JsonObject refused = error(create(creator, noRole), 400, "validation_error");
    assertEquals(
        "steps[1].role", refused.getJsonArray("details").getJsonObject(0).getString("path"));
    assertTrue(refused.getJsonObject("correction").getString("problem").contains("role"));
    JsonObject example = refused.getJsonObject("correction").getJsonObject("example");
    assertNotNull(example.getJsonArray("steps").getJsonObject(0).getString("role"), "shows role");

    JsonArray eleven = new JsonArray();
    for (int i = 0; i < 11; i++) {
      eleven.add(step("r" + i));
    }
    List<JsonObject> invalid =
        List.of(
            new JsonObject().put("steps", new JsonArray().add(step("a")).add(step("b"))),
            new JsonObject()
                .put("name", "")
                .put("steps", new JsonArray().add(step("a")).add(step("b"))),
            new JsonObject()
                .put("name", "x".repeat(201))
                .put("steps", new JsonArray().add(step("a")).add(step("b"))),
            new JsonObject().put("name", "one step").put("steps", new JsonArray().add(step("a"))),
            new JsonObject().put("name", "eleven").put("steps", eleven),
            new JsonObject().put("name", "no steps"),
            new JsonObject().put("name", "steps not an array").put("steps", "a,b"),
            new JsonObject()
                .put("name", "role too long")
                .put("steps", new JsonArray().add(step("r".repeat(101))).add(step("b"))),
            new JsonObject()
                .put("name", "role not a string")
                .put("steps", new JsonArray().add(new JsonObject().put("role", 7)).add(step("b"))),
            new JsonObject()
                .put("name", "too many capabilities")
                .put(
                    "steps",
                    new JsonArray()
                        .add(
                            step("a")
                                .put(
                                    "capabilities",
                                    new JsonArray(
                                        new ArrayList<>(java.util.Collections.nCopies(21, "c")))))
                        .add(step("b"))),
            new JsonObject()
                .put("name", "duplicate positions")
                .put(
                    "steps",
                    new JsonArray()
                        .add(step("a").put("position", 1))
                        .add(step("b").put("position", 1))),
            new JsonObject()
                .put("name", "some positions")
                .put("steps", new JsonArray().add(step("a").put("position", 1)).add(step("b"))),
            new JsonObject()
                .put("name", "fractional position")
                .put(
                    "steps",
                    new JsonArray()
                        .add(step("a").put("position", 1.5))
                        .add(step("b").put("position", 2))),
            new JsonObject()
                .put("template_id", template)
                .put("steps", new JsonArray().add(step("a")).add(step("b"))),
            new JsonObject().put("template_id", template).put("is_template", true),
            new JsonObject()
                .put("name", "is_template not a boolean")
                .put("is_template", "yes")
                .put("steps", new JsonArray().add(step("a")).add(step("b"))));
    for (JsonObject body : invalid) {
      error(create(creator, body), 400, "validation_error");
    }
    JsonObject big =
        twoSteps("a", "b").put("input_data", new JsonObject().put("blob", "x".repeat(64 * 1024)));
    error(create(creator, big), 413, "payload_too_large");
    error(
        create(creator, new JsonObject().put("template_id", "pipe_01NOSUCHTEMPLATE")),
        404,
        "pipeline_not_found");
    error(create(creator, new JsonObject().put("template_id", "nope")), 404, "pipeline_not_found");
    error(
        http.post(
            "/a2a/pipeline/create",
            creator.secret(),
            twoSteps("a", "b").put("sender_id", other.id())),
        403,
        "sender_mismatch");
    error(http.post("/a2a/pipeline/create", null, twoSteps("a", "b")), 401, "node_secret_required");
    error(
        http.post("/a2a/pipeline/create", "f".repeat(64), twoSteps("a", "b")),
        403,
        "node_secret_invalid");
    error(
        http.send(
            HttpMethod.POST,
            "/a2a/pipeline/create",
            creator.secret(),
            "application/json",
            "{\"name\": "),
        400,
        "validation_error");
    assertEquals(before, Stored.now(), "refused creates store nothing");

    // advance: the asset's form and the output's size are checked before anything
    String role = word();
    Node worker = node(role);
    String id = ok(create(creator, twoSteps(role, word()))).getString("pipeline_id");
    Stored running = Stored.now();
    error(
        advance(worker, id, new JsonObject().put("result_asset_id", "md5:abc")),
        400,
        "validation_error");
    error(
        advance(worker, id, new JsonObject().put("output_data", "x".repeat(64 * 1024 + 1))),
        413,
        "payload_too_large");
    error(advance(worker, "pipe_01NOSUCHPIPELINE", new JsonObject()), 404, "pipeline_not_found");
    error(advance(worker, "not-a-pipeline", new JsonObject()), 404, "pipeline_not_found");
    error(
        http.post(
            "/a2a/pipeline/" + id + "/advance",
            worker.secret(),
            new JsonObject().put("sender_id", creator.id())),
        403,
        "sender_mismatch");
    error(advance(other, id, new JsonObject()), 404, "pipeline_not_found");
    error(advance(creator, id, new JsonObject()), 403, "not_step_assignee");
    assertEquals(running, Stored.now(), "refused advances store nothing");
    error(read(worker, "pipe_01NOSUCHPIPELINE"), 404, "pipeline_not_found");
    error(
        http.get("/a2a/pipeline/" + id + "?node_id=" + creator.id(), worker.secret()),
        403,
        "sender_mismatch");
  }

  @Test
  @DisplayName("dialog in the pipeline context: members post and read, the creator orchestrates")
  void dialog() {
    String role = word();
    Node creator = node();
    Node worker = node(role);
    Node outsider = node();
    JsonObject created = ok(create(creator, twoSteps(role, word())));
    String id = created.getString("pipeline_id");
    String session = created.getString("session_id");
    awaitEvent(creator, "pipeline_step_assigned");

    JsonObject post =
        new JsonObject()
            .put("pipeline_id", id)
            .put("dialog_type", "respond")
            .put("content", "on it");
    JsonObject reply =
        ok(http.post("/a2a/dialog", worker.secret(), post.copy().put("sender_id", worker.id())));
    assertEquals("pipeline", reply.getString("context_type"));
    assertEquals(id, reply.getString("context_id"));
    assertEquals(session, reply.getString("session_id"));
    assertEquals("all", reply.getString("visible_to"));

    JsonObject seen =
        only(awaitEvent(creator, "dialog_message"), "dialog_message").getJsonObject("payload");
    assertEquals("pipeline", seen.getString("context_type"));
    assertEquals(id, seen.getString("context_id"));
    assertEquals(id, seen.getString("pipeline_id"));
    assertNull(seen.getValue("deliberation_id"));
    assertEquals(worker.id(), seen.getString("from_node_id"));
    assertEquals("on it", seen.getString("content"));

    error(
        http.post("/a2a/dialog", outsider.secret(), post.copy().put("sender_id", outsider.id())),
        404,
        "pipeline_not_found");
    JsonObject orchestrate = post.copy().put("dialog_type", "orchestrate").put("content", "go");
    error(
        http.post("/a2a/dialog", worker.secret(), orchestrate.copy().put("sender_id", worker.id())),
        403,
        "not_session_orchestrator");
    ok(
        http.post(
            "/a2a/dialog", creator.secret(), orchestrate.copy().put("sender_id", creator.id())));

    JsonObject history = ok(http.get("/a2a/dialog/history?pipeline_id=" + id, creator.secret()));
    assertEquals(2, history.getInteger("count"), history.encode());
    assertEquals(
        List.of("respond", "orchestrate"),
        history.getJsonArray("messages").stream()
            .map(m -> ((JsonObject) m).getString("dialog_type"))
            .toList());
    error(
        http.get("/a2a/dialog/history?pipeline_id=" + id, outsider.secret()),
        404,
        "pipeline_not_found");
    error(
        http.get("/a2a/dialog/history?pipeline_id=pipe_01NOSUCH", creator.secret()),
        404,
        "pipeline_not_found");

    // a pipeline's session is not a session context
    error(
        http.post(
            "/a2a/dialog",
            creator.secret(),
            new JsonObject()
                .put("session_id", session)
                .put("dialog_type", "respond")
                .put("content", "x")),
        409,
        "unsupported_session_kind");

    ok(advance(worker, id, new JsonObject()));
    String last =
        ok(read(creator, id)).getJsonArray("steps").getJsonObject(1).getString("assignee");
    assertNull(last, "no node for the second step's keyword: stalled");
    assertEquals("stalled", ok(read(creator, id)).getString("status"));
  }

  @Test
  @DisplayName("the session ends before completion (every member left) → failed, and closed")
  void sessionEndFails() {
    String role = word();
    Node creator = node();
    Node worker = node(role);
    JsonObject created = ok(create(creator, twoSteps(role, word())));
    String id = created.getString("pipeline_id");
    String session = created.getString("session_id");
    // node secrets are ASP tokens: both leave through the ASP surface, which ends the session
    assertEquals(
        200,
        http.post("/sessions/" + session + "/leave", worker.secret(), new JsonObject()).status());
    assertEquals(
        200,
        http.post("/sessions/" + session + "/leave", creator.secret(), new JsonObject()).status());
    assertEquals("failed", ok(read(creator, id)).getString("status"));
    error(advance(worker, id, new JsonObject()), 409, "pipeline_closed");
    error(
        http.post(
            "/a2a/dialog",
            creator.secret(),
            new JsonObject()
                .put("sender_id", creator.id())
                .put("pipeline_id", id)
                .put("dialog_type", "respond")
                .put("content", "x")),
        404,
        "pipeline_not_found");
  }

  @Test
  @DisplayName("pipeline/create and advance are level 3; reads are level 1")
  void levels() {
    Node low = node();
    JsonObject profile =
        ok(http.post("/a2a/hello", low.secret(), new JsonObject()))
            .getJsonObject("capability_profile");
    JsonArray endpoints = profile.getJsonArray("endpoints");
    for (String route :
        List.of(
            "POST /a2a/pipeline/create",
            "POST /a2a/pipeline/:id/advance",
            "GET /a2a/pipeline/:id",
            "GET /a2a/pipeline/templates")) {
      assertTrue(endpoints.contains(route), route + " in " + endpoints);
    }
    assertEquals(
        200,
        http.send(
                HttpMethod.PUT,
                "/admin/agents/" + low.handle() + "/a2a",
                OperatorHarness.ADMIN_TOKEN,
                "application/json",
                new JsonObject().put("level", 2).encode())
            .status());
    Stored before = Stored.now();
    error(create(low, twoSteps("a", "b")), 403, "insufficient_capability_level");
    assertEquals(before, Stored.now());
    JsonArray lowEndpoints =
        ok(http.post("/a2a/hello", low.secret(), new JsonObject()))
            .getJsonObject("capability_profile")
            .getJsonArray("endpoints");
    assertFalse(lowEndpoints.contains("POST /a2a/pipeline/create"));
    assertTrue(lowEndpoints.contains("GET /a2a/pipeline/templates"));
    ok(http.get("/a2a/pipeline/templates", low.secret()));
  }

  @Test
  @DisplayName(
      "ten concurrent advances of one step: exactly one wins, and the next step's input is its"
          + " output")
  void concurrentAdvances() {
    String first = word();
    String second = word();
    Node creator = node();
    Node a = node(first);
    Node b = node(second);
    String id = ok(create(creator, twoSteps(first, second))).getString("pipeline_id");
    List<io.vertx.core.Future<RawHttp.Response>> racing = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      racing.add(
          http.postAsync(
              "/a2a/pipeline/" + id + "/advance",
              a.secret(),
              new JsonObject()
                  .put("sender_id", a.id())
                  .put("output_data", new JsonObject().put("attempt", i))));
    }
    io.vertx.core.Future.all(racing).await();
    List<JsonObject> won = new ArrayList<>();
    for (io.vertx.core.Future<RawHttp.Response> f : racing) {
      RawHttp.Response response = f.result();
      if (response.status() == 200) {
        won.add(response.json());
      } else {
        assertEquals(403, response.status(), response.text());
        assertEquals("not_step_assignee", response.json().getString("error"));
      }
    }
    assertEquals(1, won.size(), "one advance of step 1: " + won);
    JsonObject pipeline = ok(read(creator, id));
    assertEquals(2, pipeline.getInteger("current_step"));
    JsonObject step2 = pipeline.getJsonArray("steps").getJsonObject(1);
    assertEquals(b.id(), step2.getString("assignee"));
    assertEquals(won.get(0).getJsonObject("output_data"), step2.getJsonObject("input"));
    assertEquals(
        1L,
        count(
            "SELECT count(*) FROM events e JOIN a2a_pipelines p ON p.session_id = e.session_id"
                + " WHERE p.pipeline_id = $1 AND e.type = 'a2a.pipeline_step_assigned'"
                + " AND (e.payload ->> 'step')::int = 2",
            id),
        "step 2 assigned once");
  }
}
