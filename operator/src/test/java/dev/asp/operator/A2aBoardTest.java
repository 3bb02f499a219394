package dev.asp.operator;

import static dev.asp.operator.HubNodes.error;
import static dev.asp.operator.HubNodes.events;
import static dev.asp.operator.HubNodes.flatPoll;
import static dev.asp.operator.HubNodes.ok;
import static dev.asp.operator.HubNodes.poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.operator.HubNodes.Node;
import dev.asp.storage.DatabaseSettings;
import dev.asp.testkit.RawHttp;
import dev.asp.testkit.TestDatabase;
import dev.asp.testkit.TestSql;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The task board (hub spec §8, §6.1, §6.6–§6.7) through the real gateway against a real PostgreSQL:
 * the board's shapes field by field, the status rules, submit, orchestrate, the leave side effects
 * on the A2A and the ASP leave paths, convergence to completion by the sweeper, and bad input that
 * answers its 4xx and stores nothing.
 */
@DisplayName("A2A task board, end to end")
class A2aBoardTest {
  private static final String ASSET = "sha256:" + "ab".repeat(32);
  private static final Duration WITHIN = Duration.ofSeconds(10);
  private static DatabaseSettings db;
  private static OperatorHarness operator;
  private static RawHttp http;
  private static TestSql sql;

  @BeforeAll
  static void start() {
    db = TestDatabase.fresh();
    operator =
        OperatorHarness.start(
            db,
            Map.of(
                "ASP_A2A_HEARTBEAT_LIMIT", "1000",
                "ASP_A2A_POLL_MAX_WAIT_MS", "5000",
                "ASP_A2A_CONVERGE_WINDOW_MS", "400",
                "ASP_A2A_SWEEP_MS", "50"));
    http = new RawHttp(operator.vertx, "127.0.0.1", operator.port());
    sql = new TestSql(operator.vertx, db);
  }

  @AfterAll
  static void stop() {
    sql.close();
    http.close();
    operator.close();
  }

  /** Owner a, b and c joined, in a public session. */
  private record Team(Node a, Node b, Node c, String session) {}

  private static Team team() {
    Node a = HubNodes.hello(http);
    Node b = HubNodes.hello(http);
    Node c = HubNodes.hello(http);
    String session = HubNodes.createSession(http, a, b, c);
    HubNodes.join(http, b, session);
    HubNodes.join(http, c, session);
    return new Team(a, b, c, session);
  }

  private static RawHttp.Response update(Node node, String session, JsonObject changes) {
    return http.post(
        "/a2a/session/board/update",
        node.secret(),
        changes.copy().put("sender_id", node.id()).put("session_id", session));
  }

  private static RawHttp.Response submit(Node node, String session, String task, Object asset) {
    JsonObject body =
        new JsonObject()
            .put("sender_id", node.id())
            .put("session_id", session)
            .put("task_id", task)
            .put("summary", "done");
    body.put("result_asset_id", asset);
    return http.post("/a2a/session/submit", node.secret(), body);
  }

  private static RawHttp.Response orchestrate(Node node, String session, JsonObject body) {
    return http.post(
        "/a2a/session/orchestrate",
        node.secret(),
        body.copy().put("sender_id", node.id()).put("session_id", session));
  }

  private static JsonObject board(String session, String bearer) {
    return ok(http.get("/a2a/session/board?session_id=" + session, bearer));
  }

  /** Three tasks: profile (unassigned), fix (b, after profile, by index), verify (after fix). */
  private static JsonArray plan(Node b) {
    return new JsonArray()
        .add(
            new JsonObject()
                .put("title", "Profile heap")
                .put("description", "find what grows")
                .put("signals", "Memory, Profiling ")
                .put("contribution_weight", 0.5)
                .put("ref", "profile"))
        .add(
            new JsonObject()
                .put("title", "Fix leak")
                .put("assigned_to", b.id())
                .put("depends_on", new JsonArray().add(0))
                .put("ref", "fix"))
        .add(
            new JsonObject()
                .put("title", "Verify")
                .put("signals", new JsonArray().add("testing"))
                .put("depends_on", new JsonArray().add("fix")));
  }

  private static long nextSequence(String session) {
    return ((Number) sql.value("SELECT next_sequence FROM sessions WHERE id = $1", session))
        .longValue();
  }

  private static long taskCount(String session) {
    return ((Number) sql.value("SELECT count(*) FROM a2a_tasks WHERE session_id = $1", session))
        .longValue();
  }

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

  private static List<String> types(List<JsonObject> events) {
    return events.stream().map(e -> e.getString("type")).toList();
  }

  @Test
  @DisplayName(
      "a board with dependencies, submits unblocking in order, orchestrate, convergence and"
          + " completion, every shape field by field")
  void workflow() {
    Team t = team();
    drain(t.b());

    JsonObject added =
        ok(update(t.a(), t.session(), new JsonObject().put("add_tasks", plan(t.b()))));
    assertEquals(t.session(), added.getString("session_id"));
    JsonArray tasks = added.getJsonArray("added");
    assertEquals(3, tasks.size());
    assertEquals(new JsonArray(), added.getJsonArray("updated"));
    JsonObject profile = tasks.getJsonObject(0);
    JsonObject fix = tasks.getJsonObject(1);
    JsonObject verify = tasks.getJsonObject(2);
    assertTrue(profile.getString("task_id").startsWith("task_"), profile.encode());
    assertEquals(profile.getString("task_id"), profile.getString("id"));
    assertEquals(t.session(), profile.getString("session_id"));
    assertEquals("Profile heap", profile.getString("title"));
    assertEquals("find what grows", profile.getString("description"));
    assertEquals(new JsonArray().add("memory").add("profiling"), profile.getJsonArray("signals"));
    assertEquals(new JsonArray(), profile.getJsonArray("depends_on"));
    assertEquals(0.5, profile.getDouble("contribution_weight"));
    assertNull(profile.getValue("role"));
    assertEquals("pending", profile.getString("status"));
    assertNull(profile.getValue("assigned_to"));
    assertNull(profile.getValue("result_asset_id"));
    assertNull(profile.getValue("summary"));
    assertEquals(t.a().id(), profile.getString("created_by"));
    assertTrue(profile.containsKey("created_at") && profile.containsKey("updated_at"));
    assertNull(profile.getValue("completed_at"));
    assertTrue(profile.containsKey("completed_at"));
    assertEquals("blocked", fix.getString("status"), "a dependency is open: blocked, assigned");
    assertEquals(t.b().id(), fix.getString("assigned_to"));
    assertEquals(new JsonArray().add(profile.getString("task_id")), fix.getJsonArray("depends_on"));
    assertEquals(
        new JsonArray().add(fix.getString("task_id")),
        verify.getJsonArray("depends_on"),
        "a ref resolves to the task's id");
    assertEquals(
        new JsonObject()
            .put("completed", 0)
            .put("in_progress", 0)
            .put("pending", 1)
            .put("blocked", 2),
        added.getJsonObject("summary"));

    // the board, without auth for a public session
    JsonObject board = board(t.session(), null);
    assertEquals(t.session(), board.getString("session_id"));
    assertEquals("active", board.getString("status"));
    assertEquals(3, board.getInteger("count"));
    assertEquals(tasks, board.getJsonArray("tasks"));
    assertEquals(added.getJsonObject("summary"), board.getJsonObject("summary"));

    // b's views: the board update made by a, with its payload
    List<JsonObject> seen = drain(t.b());
    assertEquals(List.of("task_board_update"), types(seen));
    JsonObject change = seen.get(0).getJsonObject("payload");
    assertEquals(t.a().id(), change.getString("by"));
    assertEquals(tasks, change.getJsonArray("added"));
    assertEquals(new JsonArray(), change.getJsonArray("status_changes"));
    // a's own change is not on a's view (§18.6)
    assertFalse(types(drain(t.a())).contains("task_board_update"));

    // context: plan, my_tasks, tasks
    JsonObject context =
        ok(
            http.get(
                "/a2a/session/context?session_id=" + t.session() + "&node_id=" + t.b().id(),
                t.b().secret()));
    String p = profile.getString("task_id");
    String f = fix.getString("task_id");
    String v = verify.getString("task_id");
    assertEquals(
        new JsonObject()
            .put("order", new JsonArray().add(p).add(f).add(v))
            .put("ready", new JsonArray().add(p)),
        context.getJsonObject("plan"));
    assertEquals(List.of(f), ids(context.getJsonArray("my_tasks")));
    assertEquals(List.of(p, f, v), ids(context.getJsonArray("tasks")));

    // submit order of checks: blocked, then not the assignee
    error(submit(t.b(), t.session(), f, ASSET), 409, "task_blocked");
    error(submit(t.c(), t.session(), "task_nope", ASSET), 404, "task_not_found");
    JsonObject bad = error(submit(t.c(), t.session(), p, "sha256:xyz"), 400, "validation_error");
    assertEquals("result_asset_id", bad.getJsonArray("details").getJsonObject(0).getString("path"));

    // c submits the unassigned task: claimed and completed in one step, fix unblocked
    JsonObject done =
        ok(submit(t.c(), t.session(), p, ASSET.toUpperCase().replace("SHA256", "sha256")));
    assertEquals(t.session(), done.getString("session_id"));
    assertEquals(p, done.getString("task_id"));
    assertEquals("completed", done.getString("status"));
    assertEquals(ASSET, done.getString("result_asset_id"), "upper-case hex is lower-cased");
    assertEquals(new JsonArray().add(f), done.getJsonArray("unblocked"));
    assertEquals("active", done.getString("session_status"));
    JsonObject reminder = done.getJsonObject("session_reminder");
    assertEquals("across the cluster", reminder.getString("session_goal"));
    assertEquals("participant", reminder.getString("your_role"));
    assertEquals(
        new JsonObject()
            .put("completed", 1)
            .put("in_progress", 1)
            .put("pending", 0)
            .put("blocked", 1),
        reminder.getJsonObject("subtask_status_summary"));
    assertEquals(1, reminder.getJsonArray("your_subtasks").size());
    error(submit(t.c(), t.session(), p, ASSET), 409, "task_already_completed");
    error(submit(t.c(), t.session(), f, ASSET), 403, "not_task_assignee");

    // b sees the change with its status changes; b's reminder says what to submit
    JsonObject bChange = drain(t.b()).get(0).getJsonObject("payload");
    assertEquals(t.c().id(), bChange.getString("by"));
    assertEquals(
        new JsonArray()
            .add(
                new JsonObject()
                    .put("task_id", p)
                    .put("from", "pending")
                    .put("to", "completed")
                    .put("assigned_to", t.c().id()))
            .add(
                new JsonObject()
                    .put("task_id", f)
                    .put("from", "blocked")
                    .put("to", "in_progress")
                    .put("assigned_to", t.b().id())),
        bChange.getJsonArray("status_changes"));
    JsonObject bMessage =
        ok(
            http.post(
                "/a2a/session/message",
                t.b().secret(),
                new JsonObject()
                    .put("sender_id", t.b().id())
                    .put("session_id", t.session())
                    .put("payload", "on it")));
    assertEquals(
        "submit Fix leak (" + f + ") with POST /a2a/session/submit",
        bMessage.getJsonObject("session_reminder").getJsonArray("next_actions").getString(0));

    ok(submit(t.b(), t.session(), f, ASSET));

    // orchestrate: only the orchestrator; reassign verify to c, then c completes it
    error(
        orchestrate(t.b(), t.session(), new JsonObject().put("force_converge", true)),
        403,
        "not_session_orchestrator");
    JsonObject moved =
        ok(
            orchestrate(
                t.a(),
                t.session(),
                new JsonObject()
                    .put(
                        "reassign",
                        new JsonObject().put("task_id", v).put("to_node_id", t.c().id()))));
    assertEquals(
        new JsonArray()
            .add(
                new JsonObject()
                    .put("task_id", v)
                    .putNull("from")
                    .put("to", t.c().id())
                    .put("status", "in_progress")),
        moved.getJsonArray("reassigned"));
    assertEquals(false, moved.getBoolean("converging"));
    assertEquals("active", moved.getString("session_status"));
    assertEquals(new JsonArray(), moved.getJsonObject("board").getJsonArray("added"));
    assertEquals(1, moved.getJsonObject("board").getJsonArray("updated").size());

    JsonObject last = ok(submit(t.c(), t.session(), v, ASSET));
    assertEquals("converging", last.getString("session_status"), "every task completed");
    assertTrue(
        last.getJsonObject("session_reminder")
            .getJsonArray("next_actions")
            .getString(0)
            .startsWith("post final remarks: the session completes at "),
        last.encode());

    // the sweeper completes it after the window: session_converged, then session_ended
    HubNodes.await(
        "the session completes",
        WITHIN,
        () -> "completed".equals(board(t.session(), null).getString("status")));
    List<JsonObject> end = drain(t.b());
    List<String> endTypes = types(end);
    int status = endTypes.indexOf("session_status");
    int converged = endTypes.indexOf("session_converged");
    int ended = endTypes.indexOf("session_ended");
    assertTrue(status >= 0 && status < converged && converged < ended, "" + endTypes);
    JsonObject statusPayload = end.get(status).getJsonObject("payload");
    assertEquals("converging", statusPayload.getString("status"));
    assertEquals("active", statusPayload.getString("previous_status"));
    assertEquals("all_tasks_completed", statusPayload.getString("reason"));
    assertTrue(statusPayload.getString("completes_at").endsWith("Z"));
    JsonObject result = end.get(converged).getJsonObject("payload");
    assertEquals(t.session(), result.getString("session_id"));
    assertEquals("completed", result.getString("status"));
    assertEquals(false, result.getBoolean("forced"));
    assertEquals(3, result.getJsonArray("results").size());
    assertEquals(new JsonArray(), result.getJsonArray("incomplete_tasks"));
    // weights: profile 0.5 (c), fix and verify null = 1/3 each (b, c): c 5/6 of 7/6
    double total = 0.5 + 2.0 / 3;
    JsonArray shares = result.getJsonArray("contributions");
    assertEquals(2, shares.size());
    for (Object item : shares) {
      JsonObject share = (JsonObject) item;
      double expected =
          share.getString("node_id").equals(t.c().id())
              ? (0.5 + 1.0 / 3) / total
              : (1.0 / 3) / total;
      assertEquals(expected, share.getDouble("share"), 1e-9, share.encode());
    }
    assertEquals("completed", end.get(ended).getJsonObject("payload").getString("status"));

    // completed refuses every write
    error(
        update(
            t.a(),
            t.session(),
            new JsonObject()
                .put("add_tasks", new JsonArray().add(new JsonObject().put("title", "late")))),
        409,
        "session_closed");
  }

  @Test
  @DisplayName("force_converge, a task added while converging returns it to active")
  void forcedAndBack() {
    Team t = team();
    ok(update(t.a(), t.session(), new JsonObject().put("add_tasks", plan(t.b()))));
    JsonObject forced =
        ok(orchestrate(t.a(), t.session(), new JsonObject().put("force_converge", 1)));
    assertEquals(true, forced.getBoolean("converging"));
    assertEquals("converging", forced.getString("session_status"));
    JsonObject again =
        ok(orchestrate(t.a(), t.session(), new JsonObject().put("force_converge", true)));
    assertEquals("converging", again.getString("session_status"), "reported, nothing changes");
    JsonObject back =
        ok(
            update(
                t.b(),
                t.session(),
                new JsonObject()
                    .put(
                        "add_tasks",
                        new JsonArray().add(new JsonObject().put("title", "one more")))));
    assertEquals(
        4, back.getJsonObject("summary").stream().mapToInt(e -> (Integer) e.getValue()).sum());
    assertEquals("active", board(t.session(), null).getString("status"));
    List<JsonObject> statuses =
        drain(t.c()).stream().filter(e -> e.getString("type").equals("session_status")).toList();
    assertEquals(2, statuses.size(), "" + statuses);
    assertEquals("force_converge", statuses.get(0).getJsonObject("payload").getString("reason"));
    assertEquals("tasks_added", statuses.get(1).getJsonObject("payload").getString("reason"));
    assertNull(statuses.get(1).getJsonObject("payload").getValue("completes_at"));
  }

  @Test
  @DisplayName("a leaver's open tasks lose their assignee, on the A2A and on the ASP leave path")
  void leaveUnassigns() {
    Team t = team();
    JsonArray two =
        new JsonArray()
            .add(new JsonObject().put("title", "b's").put("assigned_to", t.b().id()))
            .add(new JsonObject().put("title", "c's").put("to_node_id", t.c().id()));
    JsonArray tasks =
        ok(update(t.a(), t.session(), new JsonObject().put("add_tasks", two)))
            .getJsonArray("added");
    assertEquals("in_progress", tasks.getJsonObject(0).getString("status"));
    drain(t.a());

    ok(
        http.post(
            "/a2a/session/leave",
            t.b().secret(),
            new JsonObject().put("sender_id", t.b().id()).put("session_id", t.session())));
    // the node secret is an ordinary ASP token: c leaves through the ASP surface
    RawHttp.Response aspLeave =
        http.post("/sessions/" + t.session() + "/leave", t.c().secret(), new JsonObject());
    assertEquals(200, aspLeave.status(), aspLeave.text());

    JsonArray after = board(t.session(), null).getJsonArray("tasks");
    for (Object item : after) {
      JsonObject task = (JsonObject) item;
      assertNull(task.getValue("assigned_to"), task.encode());
      assertEquals("pending", task.getString("status"));
    }
    List<JsonObject> updates =
        drain(t.a()).stream().filter(e -> e.getString("type").equals("task_board_update")).toList();
    assertEquals(2, updates.size());
    assertEquals(t.b().id(), updates.get(0).getJsonObject("payload").getString("by"));
    assertEquals(t.c().id(), updates.get(1).getJsonObject("payload").getString("by"));
  }

  @Test
  @DisplayName("the orchestrator role passes to the longest-joined participant when it leaves")
  void orchestratorHandOver() {
    Team t = team();
    ok(
        http.post(
            "/a2a/session/leave",
            t.a().secret(),
            new JsonObject().put("sender_id", t.a().id()).put("session_id", t.session())));
    error(
        orchestrate(t.c(), t.session(), new JsonObject().put("force_converge", true)),
        403,
        "not_session_orchestrator");
    JsonObject forced =
        ok(orchestrate(t.b(), t.session(), new JsonObject().put("force_converge", true)));
    assertEquals("converging", forced.getString("session_status"), "b joined first: b steers now");
  }

  @Test
  @DisplayName("bad input answers its 4xx with a correction and stores nothing")
  void badInputStoresNothing() {
    Team t = team();
    JsonArray base =
        ok(update(
                t.a(),
                t.session(),
                new JsonObject()
                    .put("add_tasks", new JsonArray().add(new JsonObject().put("title", "base")))))
            .getJsonArray("added");
    String existing = base.getJsonObject(0).getString("task_id");
    long sequence = nextSequence(t.session());
    long count = taskCount(t.session());

    JsonObject cycle =
        error(
            update(
                t.a(),
                t.session(),
                new JsonObject()
                    .put(
                        "add_tasks",
                        new JsonArray()
                            .add(
                                new JsonObject()
                                    .put("title", "x")
                                    .put("ref", "x")
                                    .put("depends_on", new JsonArray().add("y")))
                            .add(
                                new JsonObject()
                                    .put("title", "y")
                                    .put("ref", "y")
                                    .put("depends_on", new JsonArray().add("x"))))),
            400,
            "validation_error");
    assertTrue(
        cycle.getJsonArray("details").getJsonObject(0).getString("path").startsWith("add_tasks["),
        cycle.encode());
    JsonObject unknown =
        error(
            update(
                t.a(),
                t.session(),
                new JsonObject()
                    .put(
                        "add_tasks",
                        new JsonArray()
                            .add(new JsonObject().put("title", "ok"))
                            .add(
                                new JsonObject()
                                    .put("title", "z")
                                    .put(
                                        "depends_on",
                                        new JsonArray().add(existing).add("task_unknown"))))),
            400,
            "validation_error");
    assertEquals(
        "add_tasks[1].depends_on[1]",
        unknown.getJsonArray("details").getJsonObject(0).getString("path"),
        unknown.encode());
    error(
        update(
            t.a(),
            t.session(),
            new JsonObject()
                .put(
                    "add_tasks",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("title", "s")
                                .put("depends_on", new JsonArray().add(0))))),
        400,
        "validation_error");
    JsonArray six = new JsonArray();
    for (int i = 0; i < 6; i++) {
      six.add(new JsonObject().put("title", "t" + i));
    }
    error(
        update(t.a(), t.session(), new JsonObject().put("add_tasks", six)),
        400,
        "validation_error");
    JsonArray eleven = new JsonArray();
    for (int i = 0; i < 11; i++) {
      eleven.add(new JsonObject().put("task_id", existing).put("title", "u" + i));
    }
    error(
        update(t.a(), t.session(), new JsonObject().put("update_tasks", eleven)),
        400,
        "validation_error");
    error(
        update(
            t.a(),
            t.session(),
            new JsonObject()
                .put(
                    "update_tasks",
                    new JsonArray()
                        .add(new JsonObject().put("task_id", "task_nope").put("title", "x")))),
        404,
        "task_not_found");
    error(
        update(
            t.a(),
            t.session(),
            new JsonObject()
                .put(
                    "add_tasks",
                    new JsonArray().add(new JsonObject().put("title", "x".repeat(201))))),
        400,
        "validation_error");
    error(
        update(
            t.a(),
            t.session(),
            new JsonObject()
                .put(
                    "add_tasks",
                    new JsonArray()
                        .add(new JsonObject().put("title", "w").put("contribution_weight", 1.5)))),
        400,
        "validation_error");
    JsonArray signals = new JsonArray();
    for (int i = 0; i < 11; i++) {
      signals.add("s" + i);
    }
    error(
        update(
            t.a(),
            t.session(),
            new JsonObject()
                .put(
                    "add_tasks",
                    new JsonArray()
                        .add(new JsonObject().put("title", "w").put("signals", signals)))),
        400,
        "validation_error");
    Node outsider = HubNodes.hello(http);
    error(
        update(
            t.a(),
            t.session(),
            new JsonObject()
                .put(
                    "add_tasks",
                    new JsonArray()
                        .add(
                            new JsonObject().put("title", "w").put("assigned_to", outsider.id())))),
        400,
        "validation_error");
    error(update(outsider, t.session(), new JsonObject()), 403, "not_session_participant");
    error(
        orchestrate(
            t.a(),
            t.session(),
            new JsonObject()
                .put(
                    "task_board_updates",
                    new JsonObject()
                        .put(
                            "add_tasks",
                            new JsonArray().add(new JsonObject().put("title", "fine"))))
                .put(
                    "reassign",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("task_id", existing)
                                .put("to_node_id", outsider.id())))),
        400,
        "validation_error");
    error(submit(t.b(), t.session(), existing, null), 400, "validation_error");
    RawHttp.Response wrongSender =
        http.post(
            "/a2a/session/board/update",
            t.b().secret(),
            new JsonObject().put("sender_id", t.a().id()).put("session_id", t.session()));
    error(wrongSender, 403, "sender_mismatch");

    assertEquals(sequence, nextSequence(t.session()), "no sequence used");
    assertEquals(count, taskCount(t.session()), "no row stored");
  }

  @Test
  @DisplayName("a private board is its participants' only; a non-a2a session has no board")
  void privateBoard() {
    Node a = HubNodes.hello(http);
    Node b = HubNodes.hello(http);
    JsonObject created =
        ok(
            http.post(
                "/a2a/session/create",
                a.secret(),
                new JsonObject()
                    .put("sender_id", a.id())
                    .put("title", "private")
                    .put("visibility", "private")));
    String session = created.getString("session_id");
    board(session, a.secret());
    error(http.get("/a2a/session/board?session_id=" + session, null), 404, "session_not_found");
    error(
        http.get("/a2a/session/board?session_id=" + session, b.secret()), 404, "session_not_found");
    JsonObject dm =
        ok(
            http.post(
                "/a2a/dm",
                a.secret(),
                new JsonObject()
                    .put("sender_id", a.id())
                    .put("to_node_id", b.id())
                    .put("content", "hi")));
    error(
        http.get("/a2a/session/board?session_id=" + dm.getString("session_id"), a.secret()),
        409,
        "unsupported_session_kind");
  }

  private static List<String> ids(JsonArray tasks) {
    List<String> ids = new ArrayList<>();
    tasks.forEach(t -> ids.add(((JsonObject) t).getString("task_id")));
    return ids;
  }
}
