package dev.asp.session;

import static dev.asp.session.SessionFixture.in;
import static dev.asp.session.SessionFixture.sequences;
import static dev.asp.session.SessionFixture.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.SessionAction;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Sending messages and the per-session sequence")
class MessagingTest {
  private static SessionFixture fx;

  @BeforeAll
  static void start() {
    fx = SessionFixture.start();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static long messages(String id) {
    return fx.count(
        "SELECT count(*) FROM events WHERE session_id = $1 AND type = 'session.message'", id);
  }

  @Test
  @DisplayName("a send replies {message_id, sequence}, equal to the event's and the payload's")
  void sendReply() {
    List<String> agents = fx.friends("alice", "bob");
    String id = fx.createJoined(agents.get(0), agents.get(1));
    JsonObject reply =
        fx.call(
            SessionAction.SEND,
            in(agents.get(1), id)
                .put(
                    Fields.CONTENT,
                    new JsonArray().add(new JsonObject().put("type", "text").put("text", "hi")))
                .put(Fields.METADATA, new JsonObject().put("lang", "en")));

    assertEquals(Set.of(Fields.MESSAGE_ID, Fields.SEQUENCE), reply.fieldNames());
    assertEquals(2L, reply.getLong(Fields.SEQUENCE), "invited 0, joined 1, message 2");
    JsonObject event = fx.announced(id, 3).get(2);
    assertEquals("session.message", event.getString(Fields.TYPE));
    assertEquals(2L, event.getLong(Fields.SEQUENCE));
    JsonObject message = event.getJsonObject(Fields.PAYLOAD);
    assertEquals(reply.getString(Fields.MESSAGE_ID), message.getString(Fields.ID));
    assertEquals(2L, message.getLong(Fields.SEQUENCE));
    assertEquals(agents.get(1), message.getString(Fields.SENDER), "sender is the caller");
    assertEquals(id, message.getString(Fields.SESSION_ID));
    assertEquals(
        Set.of(
            Fields.ID,
            Fields.SESSION_ID,
            Fields.SENDER,
            Fields.SEQUENCE,
            Fields.CONTENT,
            Fields.CREATED_AT,
            Fields.METADATA),
        message.fieldNames());
  }

  @Test
  @DisplayName("one counter is shared by every event type: 0, 1, 2... without gaps")
  void sharedSequence() {
    List<String> agents = fx.friends("alice", "bob", "carol");
    String alice = agents.get(0);
    String id = fx.create(alice, agents.get(1));
    fx.call(SessionAction.JOIN, in(agents.get(1), id));
    fx.send(alice, id, "one");
    fx.call(
        SessionAction.INVITE,
        in(alice, id).put(Fields.INVITE, SessionFixture.handles(agents.get(2))));
    fx.send(agents.get(1), id, "two");
    fx.call(SessionAction.LEAVE, in(agents.get(1), id));
    fx.call(SessionAction.END, in(alice, id));

    List<JsonObject> events = fx.events(alice, id);
    assertEquals(
        List.of(
            "session.invited",
            "session.joined",
            "session.message",
            "session.invited",
            "session.message",
            "session.left",
            "session.ended"),
        types(events));
    assertEquals(LongStream.range(0, 7).boxed().toList(), sequences(events));
    assertEquals(sequences(events), sequences(fx.announced(id, 7)));
  }

  @Test
  @DisplayName("50 concurrent sends from two participants get sequences 0..N-1, each once")
  void concurrentSends() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String id = fx.createJoined(alice, bob); // invited 0, joined 1
    List<Future<JsonObject>> replies = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String sender = i % 2 == 0 ? alice : bob;
      replies.add(fx.bus.session(SessionAction.SEND, in(sender, id).put(Fields.CONTENT, "m" + i)));
    }
    Future.all(replies).await();

    Set<Long> replied =
        replies.stream().map(f -> f.result().getLong(Fields.SEQUENCE)).collect(Collectors.toSet());
    assertEquals(LongStream.range(2, 52).boxed().collect(Collectors.toSet()), replied);
    List<Long> stored = fx.log(id).stream().map(row -> row.getLong("sequence")).toList();
    assertEquals(LongStream.range(0, 52).boxed().toList(), stored);
    assertEquals(52L, fx.count("SELECT next_sequence FROM sessions WHERE id = $1", id));
  }

  @Test
  @DisplayName(
      "sends that arrive together commit together, each with its own checks, key and reply, in"
          + " arrival order")
  void groupCommit() {
    List<String> agents = fx.friends("alice", "bob", "carol", "dave");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String carol = agents.get(2);
    String dave = agents.get(3);
    String id = fx.create(alice, bob, carol); // invited bob 0, invited carol 1
    fx.call(SessionAction.JOIN, in(bob, id)); // joined 2
    JsonObject stored =
        fx.call(
            SessionAction.SEND,
            in(alice, id).put(Fields.CONTENT, "before").put(Fields.IDEMPOTENCY_KEY, "old"));
    assertEquals(3L, stored.getLong(Fields.SEQUENCE));

    List<JsonObject> requests = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String sender = i % 2 == 0 ? alice : bob;
      requests.add(in(sender, id).put(Fields.CONTENT, "m" + i));
    }
    requests.add(5, in(carol, id).put(Fields.CONTENT, "invited")); // forbidden
    requests.add(9, in(dave, id).put(Fields.CONTENT, "stranger")); // not_found
    requests.add(12, in(alice, id).put(Fields.CONTENT, "again").put(Fields.IDEMPOTENCY_KEY, "old"));
    List<Future<JsonObject>> replies = new ArrayList<>();
    for (JsonObject request : requests) {
      replies.add(fx.bus.session(SessionAction.SEND, request));
    }
    Future.join(replies).otherwiseEmpty().await(); // all done, some failed

    assertEquals(ErrorCode.FORBIDDEN, ((AspException) replies.get(5).cause()).code());
    assertEquals(ErrorCode.NOT_FOUND, ((AspException) replies.get(9).cause()).code());
    assertEquals(stored, replies.get(12).result());
    // The 30 others got 4..33 in the order they were sent.
    List<Long> sequences = new ArrayList<>();
    for (int i = 0; i < replies.size(); i++) {
      if (i != 5 && i != 9 && i != 12) {
        sequences.add(replies.get(i).result().getLong(Fields.SEQUENCE));
      }
    }
    assertEquals(LongStream.range(4, 34).boxed().toList(), sequences);
    List<Row> log = fx.log(id);
    assertEquals(
        LongStream.range(0, 34).boxed().toList(),
        log.stream().map(r -> r.getLong("sequence")).toList());
    assertEquals("m0", log.get(4).getJsonObject("payload").getString(Fields.CONTENT));
    assertEquals("m29", log.get(33).getJsonObject("payload").getString(Fields.CONTENT));
    // Announced once each, in order, several to an announcement: they shared commits.
    assertEquals(LongStream.range(0, 34).boxed().toList(), sequences(fx.announced(id, 34)));
    assertTrue(
        fx.announcementsOf(id).stream().anyMatch(a -> a.getJsonArray(Fields.EVENTS).size() > 1),
        "some sends were committed together");
  }

  @Test
  @DisplayName(
      "one key twice in sends committed together: the group is retried one by one, one message")
  void groupCommitWithOneKeyTwice() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    String id = fx.createJoined(alice, agents.get(1));
    List<Future<JsonObject>> replies = new ArrayList<>();
    replies.add(fx.bus.session(SessionAction.SEND, in(alice, id).put(Fields.CONTENT, "first")));
    for (int i = 0; i < 2; i++) {
      replies.add(
          fx.bus.session(
              SessionAction.SEND,
              in(alice, id).put(Fields.CONTENT, "dup").put(Fields.IDEMPOTENCY_KEY, "dup")));
    }
    Future.all(replies).await();
    assertEquals(replies.get(1).result(), replies.get(2).result());
    assertEquals(2, messages(id));
    assertEquals(
        1,
        fx.count(
            "SELECT count(*) FROM idempotency_keys WHERE agent = $1 AND scope = $2", alice, id));
  }

  /**
   * Holds the row locks of {@code n} fresh sessions in an open transaction and puts one send to
   * each under way, so every group slot of the verticle instance waits on this transaction and the
   * sends made meanwhile queue up; {@link #releaseSlots} lets them go, together.
   */
  private static Transaction occupySlots(String alice, String bob, List<Future<JsonObject>> sends) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < SLOTS; i++) {
      ids.add(fx.createJoined(alice, bob));
    }
    SqlConnection conn = fx.sql.getConnection().await();
    Transaction tx = conn.begin().await();
    conn.preparedQuery("SELECT id FROM sessions WHERE id = ANY($1) FOR UPDATE")
        .execute(Tuple.tuple().addArrayOfString(ids.toArray(String[]::new)))
        .await();
    for (String id : ids) {
      sends.add(fx.bus.session(SessionAction.SEND, in(alice, id).put(Fields.CONTENT, "slot")));
    }
    awaitLockWaiters(SLOTS);
    return tx;
  }

  /** The fixture's pool has 4 connections; half of them carry groups. */
  private static final int SLOTS = 2;

  private static void awaitLockWaiters(int n) {
    SessionFixture.eventually(
        n + " transactions waiting for a lock",
        () -> fx.count("SELECT count(*) FROM pg_locks WHERE NOT granted") >= n);
  }

  /** Returns once every send made before has reached the verticle (its bus is in order). */
  private static void afterArrival(String caller, String sessionId) {
    fx.call(SessionAction.GET, in(caller, sessionId));
  }

  @Test
  @DisplayName(
      "sends to several sessions commit together; one that fails leaves the others committed and"
          + " is reported alone")
  void groupAcrossSessions() {
    List<String> agents = fx.friends("alice", "bob", "carol", "dave");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String carol = agents.get(2);
    String one = fx.createJoined(alice, bob);
    String two = fx.createJoined(alice, bob);
    String invitedOnly = fx.create(alice, carol);
    String ended = fx.createJoined(alice, bob);
    fx.call(SessionAction.END, in(alice, ended));

    List<Future<JsonObject>> slots = new ArrayList<>();
    Transaction blocker = occupySlots(alice, bob, slots);
    List<Future<JsonObject>> replies = new ArrayList<>();
    replies.add(fx.bus.session(SessionAction.SEND, in(alice, one).put(Fields.CONTENT, "a")));
    replies.add(
        fx.bus.session(SessionAction.SEND, in(carol, invitedOnly).put(Fields.CONTENT, "x")));
    replies.add(fx.bus.session(SessionAction.SEND, in(bob, two).put(Fields.CONTENT, "b")));
    replies.add(fx.bus.session(SessionAction.SEND, in(alice, ended).put(Fields.CONTENT, "y")));
    replies.add(
        fx.bus.session(SessionAction.SEND, in(agents.get(3), one).put(Fields.CONTENT, "z")));
    replies.add(fx.bus.session(SessionAction.SEND, in(bob, one).put(Fields.CONTENT, "c")));
    afterArrival(alice, one);
    blocker.commit().await();
    Future.all(slots).await();
    Future.join(replies).otherwiseEmpty().await();

    assertEquals(2L, replies.get(0).result().getLong(Fields.SEQUENCE));
    assertEquals(ErrorCode.FORBIDDEN, ((AspException) replies.get(1).cause()).code());
    assertEquals(2L, replies.get(2).result().getLong(Fields.SEQUENCE));
    assertEquals(ErrorCode.SESSION_ENDED, ((AspException) replies.get(3).cause()).code());
    assertEquals(ErrorCode.NOT_FOUND, ((AspException) replies.get(4).cause()).code());
    assertEquals(3L, replies.get(5).result().getLong(Fields.SEQUENCE));
    assertEquals(List.of(0L, 1L, 2L, 3L), sequences(fx.announced(one, 4)));
    assertEquals(List.of(0L, 1L, 2L), sequences(fx.announced(two, 3)));
    assertEquals(0, messages(invitedOnly) + messages(ended));
    // one transaction wrote the messages of both sessions: they share its id
    assertEquals(
        1L,
        fx.count(
            "SELECT count(DISTINCT xmin::text) FROM events"
                + " WHERE session_id = ANY($1) AND type = 'session.message'",
            (Object) new String[] {one, two}));
  }

  @Test
  @DisplayName(
      "a group that fails as a whole commits nothing and is retried send by send: a key a"
          + " concurrent request took returns that request's reply, the others commit once")
  void groupFailsAsAWhole() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String one = fx.createJoined(alice, bob);
    String two = fx.createJoined(alice, bob);
    JsonObject winner =
        new JsonObject().put(Fields.MESSAGE_ID, "m_winner").put(Fields.SEQUENCE, 77);
    // a concurrent request holding the key, not yet committed
    SqlConnection rival = fx.sql.getConnection().await();
    Transaction rivalTx = rival.begin().await();
    rival
        .preparedQuery(
            "INSERT INTO idempotency_keys (agent, scope, key, result, created_at)"
                + " VALUES ($1, $2, 'k', $3, 0)")
        .execute(Tuple.of(alice, one, winner))
        .await();

    List<Future<JsonObject>> slots = new ArrayList<>();
    Transaction blocker = occupySlots(alice, bob, slots);
    List<Future<JsonObject>> replies = new ArrayList<>();
    replies.add(fx.bus.session(SessionAction.SEND, in(bob, two).put(Fields.CONTENT, "first")));
    replies.add(
        fx.bus.session(
            SessionAction.SEND,
            in(alice, one).put(Fields.CONTENT, "keyed").put(Fields.IDEMPOTENCY_KEY, "k")));
    replies.add(fx.bus.session(SessionAction.SEND, in(bob, one).put(Fields.CONTENT, "after")));
    afterArrival(alice, one);
    long waitingBefore = fx.count("SELECT count(*) FROM pg_locks WHERE NOT granted");
    blocker.commit().await();
    Future.all(slots).await();
    // the group's insert of the key now waits for the rival
    awaitLockWaiters(1);
    assertEquals(0, messages(one) + messages(two), "nothing of the group is visible yet");
    rivalTx.commit().await();
    Future.all(replies).await();

    assertTrue(waitingBefore >= SLOTS);
    assertEquals(winner, replies.get(1).result());
    assertEquals(2L, replies.get(0).result().getLong(Fields.SEQUENCE));
    assertEquals(2L, replies.get(2).result().getLong(Fields.SEQUENCE), "no sequence was spent");
    assertEquals(1, messages(one));
    assertEquals(1, messages(two));
    assertEquals(List.of(0L, 1L, 2L), sequences(fx.announced(one, 3)));
    rival.close().await();
  }

  @Test
  @DisplayName("a retried send with the same key returns the same reply and appends nothing")
  void idempotentSend() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    String id = fx.createJoined(alice, agents.get(1));
    JsonObject request =
        in(alice, id).put(Fields.CONTENT, "once").put(Fields.IDEMPOTENCY_KEY, "k1");
    JsonObject first = fx.call(SessionAction.SEND, request);
    JsonObject second = fx.call(SessionAction.SEND, request);
    assertEquals(first, second);
    assertEquals(1, messages(id));
    JsonObject payload = fx.announced(id, 3).get(2).getJsonObject(Fields.PAYLOAD);
    assertEquals("k1", payload.getString(Fields.IDEMPOTENCY_KEY));

    // The key is scoped by session and by agent.
    String other = fx.createJoined(alice, agents.get(1));
    JsonObject elsewhere =
        fx.call(
            SessionAction.SEND,
            in(alice, other).put(Fields.CONTENT, "once").put(Fields.IDEMPOTENCY_KEY, "k1"));
    assertNotEquals(first.getString(Fields.MESSAGE_ID), elsewhere.getString(Fields.MESSAGE_ID));
    JsonObject bobs =
        fx.call(
            SessionAction.SEND,
            in(agents.get(1), id).put(Fields.CONTENT, "once").put(Fields.IDEMPOTENCY_KEY, "k1"));
    assertNotEquals(first.getString(Fields.MESSAGE_ID), bobs.getString(Fields.MESSAGE_ID));
    assertEquals(2, messages(id));
  }

  @Test
  @DisplayName("a retry after the session ended still returns the stored result")
  void idempotentSendAfterEnd() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    String id = fx.createJoined(alice, agents.get(1));
    JsonObject request = in(alice, id).put(Fields.CONTENT, "last").put(Fields.IDEMPOTENCY_KEY, "k");
    JsonObject first = fx.call(SessionAction.SEND, request);
    fx.call(SessionAction.END, in(alice, id));
    assertEquals(first, fx.call(SessionAction.SEND, request));
    assertEquals(
        ErrorCode.SESSION_ENDED,
        fx.failure(SessionAction.SEND, request.copy().put(Fields.IDEMPOTENCY_KEY, "new")).code());
  }

  @Test
  @DisplayName("ten concurrent sends with one key store one message and all get the same reply")
  void concurrentIdempotentSend() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    String id = fx.createJoined(alice, agents.get(1));
    JsonObject request =
        in(alice, id).put(Fields.CONTENT, "once").put(Fields.IDEMPOTENCY_KEY, "same");
    List<Future<JsonObject>> replies = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      replies.add(fx.bus.session(SessionAction.SEND, request.copy()));
    }
    Future.all(replies).await();
    Set<JsonObject> distinct = replies.stream().map(Future::result).collect(Collectors.toSet());
    assertEquals(1, distinct.size());
    assertEquals(1, messages(id));
    assertEquals(
        1,
        fx.count(
            "SELECT count(*) FROM idempotency_keys WHERE agent = $1 AND scope = $2", alice, id));
  }

  @Test
  @DisplayName("only joined participants send: invited and left are forbidden, others not_found")
  void whoMaySend() {
    List<String> agents = fx.friends("alice", "bob", "carol");
    String alice = agents.get(0);
    String id = fx.create(alice, agents.get(1), agents.get(2));
    fx.call(SessionAction.JOIN, in(agents.get(2), id));
    fx.call(SessionAction.LEAVE, in(agents.get(2), id));

    assertEquals(ErrorCode.FORBIDDEN, sendFailure(agents.get(1), id));
    assertEquals(ErrorCode.FORBIDDEN, sendFailure(agents.get(2), id));
    assertEquals(ErrorCode.NOT_FOUND, sendFailure(fx.agent("eve"), id));
    assertEquals(ErrorCode.NOT_FOUND, sendFailure(alice, "sess_UNKNOWN0000000000000000"));
    assertEquals(ErrorCode.NOT_FOUND, sendFailure(alice, "not-a-session"));
    assertEquals(0, messages(id));
  }

  @Test
  @DisplayName("messages to an ended session are rejected with session_ended")
  void endedSession() {
    List<String> agents = fx.friends("alice", "bob");
    String id = fx.createJoined(agents.get(0), agents.get(1));
    fx.call(SessionAction.END, in(agents.get(0), id));
    assertEquals(ErrorCode.SESSION_ENDED, sendFailure(agents.get(1), id));
    assertEquals(0, messages(id));
  }

  @Test
  @DisplayName("invalid content is invalid_content and stores nothing")
  void invalidContent() {
    String alice = fx.agent("alice");
    String id = fx.create(alice);
    List<Object> invalid =
        List.of(
            "",
            new JsonArray(),
            new JsonArray().add(new JsonObject().put("type", "text").put("text", "")),
            new JsonArray().add(new JsonObject().put("type", "video").put("url", "https://x")),
            new JsonArray()
                .add(new JsonObject().put("type", "text").put("text", "a").put("extra", 1)),
            42);
    for (Object content : invalid) {
      assertEquals(
          ErrorCode.INVALID_CONTENT,
          fx.failure(SessionAction.SEND, in(alice, id).put(Fields.CONTENT, content)).code(),
          "content " + content);
    }
    assertEquals(
        ErrorCode.INVALID_CONTENT, fx.failure(SessionAction.SEND, in(alice, id)).code(), "missing");
    assertEquals(0, messages(id));
  }

  @Test
  @DisplayName("content, parts or metadata beyond the limits are payload_too_large, nothing stored")
  void limits() {
    String alice = fx.agent("alice");
    String id = fx.create(alice);
    String big = "x".repeat(SessionFixture.LIMITS.maxContentBytes());
    assertEquals(
        ErrorCode.PAYLOAD_TOO_LARGE,
        fx.failure(SessionAction.SEND, in(alice, id).put(Fields.CONTENT, big)).code());
    JsonArray parts = new JsonArray();
    for (int i = 0; i <= SessionFixture.LIMITS.maxParts(); i++) {
      parts.add(new JsonObject().put("type", "text").put("text", "p"));
    }
    assertEquals(
        ErrorCode.PAYLOAD_TOO_LARGE,
        fx.failure(SessionAction.SEND, in(alice, id).put(Fields.CONTENT, parts)).code());
    JsonObject metadata =
        new JsonObject().put("m", "y".repeat(SessionFixture.LIMITS.maxMetadataBytes()));
    assertEquals(
        ErrorCode.PAYLOAD_TOO_LARGE,
        fx.failure(
                SessionAction.SEND,
                in(alice, id).put(Fields.CONTENT, "ok").put(Fields.METADATA, metadata))
            .code());
    assertEquals(0, messages(id));
    assertTrue(fx.send(alice, id, "ok").containsKey(Fields.MESSAGE_ID));
  }

  private static ErrorCode sendFailure(String caller, String id) {
    return fx.failure(SessionAction.SEND, in(caller, id).put(Fields.CONTENT, "hi")).code();
  }
}
