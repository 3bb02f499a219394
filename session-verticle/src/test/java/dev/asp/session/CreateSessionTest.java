package dev.asp.session;

import static dev.asp.session.SessionFixture.as;
import static dev.asp.session.SessionFixture.handles;
import static dev.asp.session.SessionFixture.in;
import static dev.asp.session.SessionFixture.sequences;
import static dev.asp.session.SessionFixture.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import dev.asp.protocol.Ids;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.SessionAction;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Creating a session")
class CreateSessionTest {
  private static SessionFixture fx;

  @BeforeAll
  static void start() {
    fx = SessionFixture.start();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static long sessionsCreatedBy(String handle) {
    return fx.count("SELECT count(*) FROM sessions WHERE created_by = $1", handle);
  }

  @Test
  @DisplayName("replies {session_id} with a sess_ id; the creator is joined, invitees invited")
  void createReply() {
    List<String> agents = fx.friends("alice", "bob", "carol");
    String alice = agents.get(0);
    JsonObject reply =
        fx.call(
            SessionAction.CREATE,
            as(alice)
                .put(Fields.INVITE, handles(agents.get(1), agents.get(2)))
                .put(Fields.TOPIC, "lunch"));

    String id = reply.getString(Fields.SESSION_ID);
    assertTrue(Ids.isSessionId(id));
    assertEquals(Set.of(Fields.SESSION_ID), reply.fieldNames(), "no sequence without a message");
    assertEquals("active", fx.state(id));
    assertEquals("joined", fx.status(id, alice));
    assertEquals("invited", fx.status(id, agents.get(1)));
    assertEquals("invited", fx.status(id, agents.get(2)));

    List<JsonObject> events = fx.announced(id, 2);
    assertEquals(List.of("session.invited", "session.invited"), types(events));
    assertEquals(List.of(0L, 1L), sequences(events));
    JsonObject first = events.get(0);
    assertEquals(id, first.getString(Fields.SESSION_ID));
    assertTrue(first.getString(Fields.EVENT_ID).matches("^evt_[0-9A-Z]+$"));
    assertEquals(
        new JsonObject()
            .put(Fields.INVITEE, agents.get(1))
            .put(Fields.BY, alice)
            .put(Fields.TOPIC, "lunch"),
        first.getJsonObject(Fields.PAYLOAD));
    assertEquals(
        agents.get(2), events.get(1).getJsonObject(Fields.PAYLOAD).getString(Fields.INVITEE));
  }

  @Test
  @DisplayName("with an initial message replies its sequence; the message comes before invitations")
  void createWithInitialMessage() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    JsonObject reply =
        fx.call(
            SessionAction.CREATE,
            as(alice)
                .put(Fields.INVITE, handles(agents.get(1)))
                .put(
                    Fields.INITIAL_MESSAGE,
                    new JsonObject()
                        .put(Fields.CONTENT, "hello")
                        .put(Fields.METADATA, new JsonObject().put("k", "v"))));

    String id = reply.getString(Fields.SESSION_ID);
    assertEquals(0L, reply.getLong(Fields.SEQUENCE));
    List<JsonObject> events = fx.announced(id, 2);
    assertEquals(List.of("session.message", "session.invited"), types(events));
    JsonObject message = events.get(0).getJsonObject(Fields.PAYLOAD);
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
    assertTrue(message.getString(Fields.ID).matches("^msg_[0-9A-Z]+$"));
    assertEquals(alice, message.getString(Fields.SENDER));
    assertEquals(0L, message.getLong(Fields.SEQUENCE));
    assertEquals("hello", message.getString(Fields.CONTENT));
    assertEquals(events.get(0).getLong(Fields.CREATED_AT), message.getLong(Fields.CREATED_AT));
    assertFalse(
        events.get(1).getJsonObject(Fields.PAYLOAD).containsKey(Fields.INITIAL_MESSAGE),
        "the message is inlined only for send-and-end");
  }

  @Test
  @DisplayName("with zero invitees is fine: only the creator, no event")
  void zeroInvitees() {
    String alice = fx.agent("alice");
    JsonObject reply = fx.call(SessionAction.CREATE, as(alice));
    String id = reply.getString(Fields.SESSION_ID);
    assertEquals(1, fx.count("SELECT count(*) FROM participants WHERE session_id = $1", id));
    assertEquals("joined", fx.status(id, alice));
    assertEquals(0, fx.log(id).size());
  }

  @Test
  @DisplayName("is not_found and stores nothing when any invitee is unknown or unreachable")
  void allOrNothing() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    String stranger = fx.agent("stranger");

    assertEquals(
        ErrorCode.NOT_FOUND,
        fx.failure(
                SessionAction.CREATE,
                as(alice).put(Fields.INVITE, handles(agents.get(1), stranger)))
            .code());
    assertEquals(
        ErrorCode.NOT_FOUND,
        fx.failure(
                SessionAction.CREATE,
                as(alice).put(Fields.INVITE, handles(agents.get(1), "@nobody.home")))
            .code());
    assertEquals(0, sessionsCreatedBy(alice));
    assertEquals(0, fx.count("SELECT count(*) FROM participants WHERE handle = $1", alice));
  }

  @Test
  @DisplayName("drops the caller from its own invite list and de-duplicates invitees")
  void dedupe() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    String bob = agents.get(1);
    String id = fx.create(alice, bob, alice, bob);
    assertEquals(2, fx.count("SELECT count(*) FROM participants WHERE session_id = $1", id));
    assertEquals("joined", fx.status(id, alice));
    assertEquals(1, fx.log(id).size());
  }

  @Test
  @DisplayName("with more invitees than configured is invalid_request")
  void tooManyInvitees() {
    String alice = fx.agent("alice");
    List<String> many = new ArrayList<>();
    for (int i = 0; i <= SessionFixture.MAX_INVITEES; i++) {
      String other = fx.agent("guest");
      fx.trust.allow(alice, other);
      many.add(other);
    }
    assertEquals(
        ErrorCode.INVALID_REQUEST,
        fx.failure(
                SessionAction.CREATE,
                as(alice).put(Fields.INVITE, handles(many.toArray(String[]::new))))
            .code());
    assertEquals(0, sessionsCreatedBy(alice));
  }

  @Test
  @DisplayName("end_after_send without initial_message is invalid_request")
  void endAfterSendNeedsMessage() {
    String alice = fx.agent("alice");
    assertEquals(
        ErrorCode.INVALID_REQUEST,
        fx.failure(SessionAction.CREATE, as(alice).put(Fields.END_AFTER_SEND, true)).code());
    assertEquals(0, sessionsCreatedBy(alice));
  }

  @Test
  @DisplayName("send-and-end: message, invitations carrying it inline, then ended; sequences 0..n")
  void sendAndEnd() {
    List<String> agents = fx.friends("alice", "bob", "carol");
    String alice = agents.get(0);
    JsonObject reply =
        fx.call(
            SessionAction.CREATE,
            as(alice)
                .put(Fields.INVITE, handles(agents.get(1), agents.get(2)))
                .put(Fields.INITIAL_MESSAGE, new JsonObject().put(Fields.CONTENT, "fyi"))
                .put(Fields.END_AFTER_SEND, true));
    String id = reply.getString(Fields.SESSION_ID);
    assertEquals(0L, reply.getLong(Fields.SEQUENCE));

    List<JsonObject> events = fx.announced(id, 4);
    assertEquals(
        List.of("session.message", "session.invited", "session.invited", "session.ended"),
        types(events));
    assertEquals(List.of(0L, 1L, 2L, 3L), sequences(events));
    JsonObject message = events.get(0).getJsonObject(Fields.PAYLOAD);
    assertEquals(
        message, events.get(1).getJsonObject(Fields.PAYLOAD).getJsonObject(Fields.INITIAL_MESSAGE));
    assertEquals(
        message, events.get(2).getJsonObject(Fields.PAYLOAD).getJsonObject(Fields.INITIAL_MESSAGE));
    assertEquals(
        new JsonObject().put(Fields.ENDED_BY, alice), events.get(3).getJsonObject(Fields.PAYLOAD));
    assertEquals("ended", fx.state(id));
    assertEquals(
        1, fx.count("SELECT count(*) FROM sessions WHERE id = $1 AND ended_at IS NOT NULL", id));
    assertEquals(4L, fx.count("SELECT next_sequence FROM sessions WHERE id = $1", id));
    // An invitee cannot join first, but still sees its invitation (with the message) and the end.
    List<JsonObject> bobSees = fx.events(agents.get(1), id);
    assertEquals(List.of("session.invited", "session.ended"), types(bobSees));
  }

  @Test
  @DisplayName("a retry with the same key returns the first result, even after trust changed")
  void idempotentCreate() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    JsonObject request =
        as(alice)
            .put(Fields.INVITE, handles(agents.get(1)))
            .put(Fields.INITIAL_MESSAGE, new JsonObject().put(Fields.CONTENT, "hi"))
            .put(Fields.IDEMPOTENCY_KEY, "create-1");
    JsonObject first = fx.call(SessionAction.CREATE, request);
    fx.trust.deny(alice, agents.get(1));
    JsonObject second = fx.call(SessionAction.CREATE, request);

    assertEquals(first, second);
    assertEquals(1, sessionsCreatedBy(alice));
    assertEquals(2, fx.log(first.getString(Fields.SESSION_ID)).size());
    // the key is per agent: another agent's same key is another session
    String bob = agents.get(1);
    JsonObject other =
        fx.call(SessionAction.CREATE, as(bob).put(Fields.IDEMPOTENCY_KEY, "create-1"));
    assertFalse(other.getString(Fields.SESSION_ID).equals(first.getString(Fields.SESSION_ID)));
  }

  @Test
  @DisplayName("concurrent identical retries create exactly one session and all get its id")
  void concurrentIdempotentCreate() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    JsonObject request =
        as(alice)
            .put(Fields.INVITE, handles(agents.get(1)))
            .put(Fields.INITIAL_MESSAGE, new JsonObject().put(Fields.CONTENT, "once"))
            .put(Fields.IDEMPOTENCY_KEY, "race");
    List<Future<JsonObject>> replies = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      replies.add(fx.bus.session(SessionAction.CREATE, request.copy()));
    }
    Future.all(replies).await();
    Set<JsonObject> distinct = replies.stream().map(Future::result).collect(Collectors.toSet());
    assertEquals(1, distinct.size(), "every retry sees the same reply: " + distinct);
    assertEquals(1, sessionsCreatedBy(alice));
    assertEquals(1, fx.count("SELECT count(*) FROM idempotency_keys WHERE agent = $1", alice));
    String id = distinct.iterator().next().getString(Fields.SESSION_ID);
    assertEquals(2, fx.log(id).size());
  }

  @Test
  @DisplayName("is unavailable and stores nothing when trust does not answer")
  void trustDown() {
    List<String> agents = fx.friends("alice", "bob");
    String alice = agents.get(0);
    fx.trust.down(true);
    try {
      assertEquals(
          ErrorCode.UNAVAILABLE,
          fx.failure(SessionAction.CREATE, as(alice).put(Fields.INVITE, handles(agents.get(1))))
              .code());
    } finally {
      fx.trust.down(false);
    }
    assertEquals(0, sessionsCreatedBy(alice));
  }

  @Test
  @DisplayName("with invalid initial content is invalid_content and stores nothing")
  void invalidInitialMessage() {
    String alice = fx.agent("alice");
    assertEquals(
        ErrorCode.INVALID_CONTENT,
        fx.failure(
                SessionAction.CREATE,
                as(alice).put(Fields.INITIAL_MESSAGE, new JsonObject().put(Fields.CONTENT, "")))
            .code());
    assertEquals(0, sessionsCreatedBy(alice));
  }

  @Test
  @DisplayName("the new session is visible to its participants only")
  void visibility() {
    List<String> agents = fx.friends("alice", "bob");
    String id = fx.create(agents.get(0), agents.get(1));
    String stranger = fx.agent("eve");
    assertEquals(ErrorCode.NOT_FOUND, fx.failure(SessionAction.GET, in(stranger, id)).code());
    Row row = fx.rows("SELECT created_by, topic FROM sessions WHERE id = $1", id).get(0);
    assertEquals(agents.get(0), row.getString("created_by"));
    assertNull(row.getString("topic"));
    assertEquals(
        ErrorCode.INVALID_REQUEST,
        fx.failure(SessionAction.CREATE, new JsonObject().put(BusFields.TO, "x")).code());
  }
}
