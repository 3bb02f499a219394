package dev.asp.client;

import static dev.asp.client.impl.HttpTransport.segment;

import dev.asp.client.Replies.EventsPage;
import dev.asp.client.Replies.MessageSent;
import dev.asp.client.Replies.SessionCreated;
import dev.asp.client.Replies.SessionView;
import dev.asp.client.impl.HttpTransport;
import dev.asp.protocol.Event;
import dev.asp.protocol.Fields;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A typed client of one agent on one ASP operator (the REST surface of spec §3). Every call returns
 * a Vert.x {@link Future}; an error reply fails it with {@link AspClientException} carrying the
 * status and error code. Works against any ASP operator, not only this one.
 *
 * <pre>{@code
 * AspClient alice = AspClient.create(vertx, "http://127.0.0.1:8080", "tok_alice");
 * String id = alice.createSession(NewSession.inviting("@bob.test")).await().sessionId();
 * }</pre>
 */
public final class AspClient implements AutoCloseable {
  private final Vertx vertx;
  private final String baseUrl;
  private final String token;
  private final HttpTransport http;

  private AspClient(Vertx vertx, String baseUrl, String token, int maxConnections) {
    this.vertx = vertx;
    this.baseUrl = baseUrl;
    this.token = token;
    this.http = new HttpTransport(vertx, baseUrl, token, maxConnections);
  }

  public static AspClient create(Vertx vertx, String baseUrl, String token) {
    return new AspClient(vertx, baseUrl, token, 16);
  }

  public static AspClient create(Vertx vertx, String baseUrl, String token, int maxConnections) {
    return new AspClient(vertx, baseUrl, token, maxConnections);
  }

  /**
   * Opens this agent's event stream ({@code WS /connect}, spec §6) with the default options:
   * reconnects forever with backoff, except after a 401. See {@link AspEventStream}.
   */
  public AspEventStream connect(Consumer<Event> onEvent) {
    return connect(onEvent, new EventStreamOptions());
  }

  /**
   * Opens this agent's event stream with the given options. In a cluster, {@link
   * EventStreamOptions#setEndpoints} lets the stream fail over between nodes while this client's
   * REST calls keep going to its own base URL (a load balancer, say).
   */
  public AspEventStream connect(Consumer<Event> onEvent, EventStreamOptions options) {
    return new AspEventStream(vertx, baseUrl, token, onEvent, options);
  }

  public Future<SessionCreated> createSession(NewSession request) {
    return http.json(HttpMethod.POST, "/sessions", request.toJson()).map(SessionCreated::fromJson);
  }

  public Future<Void> join(String sessionId) {
    return http.json(HttpMethod.POST, session(sessionId) + "/join", null).mapEmpty();
  }

  /** Returns the handles actually invited (unknown or unreachable ones are silently left out). */
  public Future<List<String>> invite(String sessionId, String... handles) {
    JsonObject body = new JsonObject().put(Fields.INVITE, new JsonArray(List.of(handles)));
    return http.json(HttpMethod.POST, session(sessionId) + "/invite", body)
        .map(reply -> reply.getJsonArray(Fields.INVITED).stream().map(String.class::cast).toList());
  }

  /** Sends content: a non-empty String or a JsonArray of parts. */
  public Future<MessageSent> send(String sessionId, Object content) {
    return send(sessionId, content, null, null);
  }

  public Future<MessageSent> send(
      String sessionId, Object content, String idempotencyKey, JsonObject metadata) {
    JsonObject body = new JsonObject().put(Fields.CONTENT, content);
    if (idempotencyKey != null) {
      body.put(Fields.IDEMPOTENCY_KEY, idempotencyKey);
    }
    if (metadata != null) {
      body.put(Fields.METADATA, metadata);
    }
    return http.json(HttpMethod.POST, session(sessionId) + "/messages", body)
        .map(MessageSent::fromJson);
  }

  public Future<Void> leave(String sessionId) {
    return http.json(HttpMethod.POST, session(sessionId) + "/leave", null).mapEmpty();
  }

  public Future<Void> end(String sessionId) {
    return http.json(HttpMethod.POST, session(sessionId) + "/end", null).mapEmpty();
  }

  /** Reopens an ended session, re-inviting prior participants and {@code invite}. */
  public Future<Void> reopen(String sessionId, List<String> invite, Object initialContent) {
    JsonObject body = new JsonObject();
    if (invite != null && !invite.isEmpty()) {
      body.put(Fields.INVITE, new JsonArray(invite));
    }
    if (initialContent != null) {
      body.put(Fields.INITIAL_MESSAGE, new JsonObject().put(Fields.CONTENT, initialContent));
    }
    return http.json(HttpMethod.POST, session(sessionId) + "/reopen", body).mapEmpty();
  }

  public Future<SessionView> getSession(String sessionId) {
    return http.json(HttpMethod.GET, session(sessionId), null).map(SessionView::fromJson);
  }

  /**
   * One page of the events this agent may see.
   *
   * @param afterSequence only events after this sequence, or null for the start
   * @param limit page size (1..1000), or null for the operator's default
   */
  public Future<EventsPage> events(String sessionId, Long afterSequence, Integer limit) {
    StringBuilder path = new StringBuilder(session(sessionId)).append("/events");
    char separator = '?';
    if (afterSequence != null) {
      path.append(separator).append(Fields.AFTER_SEQUENCE).append('=').append(afterSequence);
      separator = '&';
    }
    if (limit != null) {
      path.append(separator).append(Fields.LIMIT).append('=').append(limit);
    }
    return http.json(HttpMethod.GET, path.toString(), null).map(EventsPage::fromJson);
  }

  /** Any request, exactly as given: for probing an operator with unusual input. */
  public Future<RawResponse> raw(
      HttpMethod method, String path, Buffer body, Map<String, String> headers) {
    return http.raw(method, path, body, headers);
  }

  /** Closes the HTTP side; event streams are closed on their own ({@link AspEventStream#close}). */
  @Override
  public void close() {
    http.close();
  }

  private static String session(String sessionId) {
    return "/sessions/" + segment(sessionId);
  }
}
