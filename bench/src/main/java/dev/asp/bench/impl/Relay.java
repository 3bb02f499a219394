package dev.asp.bench.impl;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ceiling reference: a do-nothing relay speaking the subset of the ASP wire that {@code pairs}
 * and {@code fanout} use — create (with invitations), join (with the transcript replayed to the
 * joiner), send (pushed to every joined participant's sockets) and {@code WS /connect}. No
 * persistence beyond memory, no trust, no presence, no replay on reconnect, no validation beyond
 * what it needs: what an operator costs above this is the price of durability, trust and delivery
 * guarantees. One instance, one event loop, so all state is confined to it without locks.
 */
public final class Relay extends VerticleBase {
  private final String host;
  private final int requestedPort;
  private final Map<String, String> handleByToken;
  private final Map<String, List<ServerWebSocket>> sockets = new HashMap<>();
  private final Map<String, Session> sessions = new HashMap<>();
  private long ids;
  private HttpServer server;

  /** One session: its event log (for joiners) and its participants. */
  private static final class Session {
    final List<JsonObject> log = new ArrayList<>();
    final Set<String> joined = new LinkedHashSet<>();
    final Set<String> invited = new HashSet<>();
  }

  public Relay(String host, int port, Map<String, String> handleByToken) {
    this.host = host;
    this.requestedPort = port;
    this.handleByToken = Map.copyOf(handleByToken);
  }

  public int port() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    server =
        vertx
            .createHttpServer(new HttpServerOptions().setHost(host).setPort(requestedPort))
            .webSocketHandshakeHandler(
                handshake -> {
                  if (!"/connect".equals(handshake.path())
                      || agent(handshake.headers().get(HttpHeaders.AUTHORIZATION)) == null) {
                    handshake.reject(401);
                  } else {
                    handshake.accept();
                  }
                })
            .webSocketHandler(this::connected)
            .requestHandler(this::request);
    return server.listen();
  }

  private String agent(String authorization) {
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      return null;
    }
    return handleByToken.get(authorization.substring("Bearer ".length()));
  }

  private void connected(ServerWebSocket ws) {
    String agent = agent(ws.headers().get(HttpHeaders.AUTHORIZATION));
    sockets.computeIfAbsent(agent, a -> new ArrayList<>()).add(ws);
    ws.closeHandler(v -> sockets.getOrDefault(agent, new ArrayList<>()).remove(ws));
    ws.exceptionHandler(e -> {});
  }

  private void request(HttpServerRequest req) {
    String agent = agent(req.getHeader(HttpHeaders.AUTHORIZATION));
    if (agent == null) {
      reply(req, 401, error("unauthenticated"));
      return;
    }
    String[] path = req.path().split("/");
    req.body()
        .onSuccess(
            body -> {
              JsonObject json = body.length() == 0 ? new JsonObject() : body.toJsonObject();
              if (path.length == 2 && "sessions".equals(path[1])) {
                create(req, agent, json);
              } else if (path.length == 4 && "join".equals(path[3])) {
                join(req, agent, path[2]);
              } else if (path.length == 4 && "messages".equals(path[3])) {
                message(req, agent, path[2], json);
              } else {
                reply(req, 404, error("not_found"));
              }
            })
        .onFailure(e -> reply(req, 400, error("malformed_request")));
  }

  private void create(HttpServerRequest req, String agent, JsonObject body) {
    String id = "sess_" + nextId();
    Session session = new Session();
    sessions.put(id, session);
    session.joined.add(agent);
    for (Object invitee : body.getJsonArray("invite", new JsonArray())) {
      session.invited.add((String) invitee);
      JsonObject payload = new JsonObject().put("invitee", invitee).put("by", agent);
      append(id, session, "session.invited", payload, List.of(agent, (String) invitee));
    }
    reply(req, 201, new JsonObject().put("session_id", id));
  }

  private void join(HttpServerRequest req, String agent, String id) {
    Session session = sessions.get(id);
    if (session == null || !session.invited.remove(agent)) {
      reply(req, 404, error("not_found"));
      return;
    }
    for (JsonObject event : session.log) {
      JsonObject payload = event.getJsonObject("payload");
      if (!agent.equals(payload.getString("invitee"))) {
        push(agent, event.encode()); // the transcript, but its own invitation it already has
      }
    }
    session.joined.add(agent);
    append(id, session, "session.joined", new JsonObject().put("agent", agent), session.joined);
    reply(req, 200, new JsonObject().put("ok", true));
  }

  private void message(HttpServerRequest req, String agent, String id, JsonObject body) {
    Session session = sessions.get(id);
    if (session == null || !session.joined.contains(agent)) {
      reply(req, 404, error("not_found"));
      return;
    }
    String messageId = "msg_" + nextId();
    long sequence = session.log.size();
    JsonObject payload =
        new JsonObject()
            .put("id", messageId)
            .put("session_id", id)
            .put("sender", agent)
            .put("sequence", sequence)
            .put("content", body.getValue("content"))
            .put("created_at", System.currentTimeMillis());
    if (body.getJsonObject("metadata") != null) {
      payload.put("metadata", body.getJsonObject("metadata"));
    }
    append(id, session, "session.message", payload, session.joined);
    reply(req, 201, new JsonObject().put("message_id", messageId).put("sequence", sequence));
  }

  private void append(
      String id, Session session, String type, JsonObject payload, Iterable<String> to) {
    JsonObject event =
        new JsonObject()
            .put("type", type)
            .put("session_id", id)
            .put("event_id", "evt_" + nextId())
            .put("sequence", session.log.size())
            .put("created_at", System.currentTimeMillis())
            .put("payload", payload);
    session.log.add(event);
    String text = event.encode();
    for (String agent : to) {
      push(agent, text);
    }
  }

  private void push(String agent, String text) {
    for (ServerWebSocket ws : sockets.getOrDefault(agent, List.of())) {
      ws.writeTextMessage(text);
    }
  }

  private String nextId() {
    return Long.toString(++ids, 36).toUpperCase(java.util.Locale.ROOT);
  }

  private static JsonObject error(String code) {
    return new JsonObject().put("error", new JsonObject().put("code", code).put("message", code));
  }

  private static void reply(HttpServerRequest req, int status, JsonObject body) {
    req.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.toBuffer());
  }
}
