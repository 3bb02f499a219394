package dev.asp.gateway.impl;

import dev.asp.gateway.GatewaySettings;
import dev.asp.protocol.AspException;
import dev.asp.protocol.Fields;
import dev.asp.protocol.Ids;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.SessionAction;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The ASP REST surface of spec §3: each route authenticates, validates, asks the session verticle
 * and writes its reply with the status the spec requires (201 for create and send, 200 otherwise).
 */
public final class SessionRoutes {
  private static final String SESSION = "/sessions/:id";

  private final BusClient bus;
  private final Authenticator auth;
  private final SessionRequests requests;

  public SessionRoutes(BusClient bus, GatewaySettings settings, TokenCache tokens) {
    this.bus = bus;
    this.auth = new Authenticator(bus, tokens);
    this.requests = new SessionRequests(settings);
  }

  public void mount(Router router) {
    router.post("/sessions").handler(auth::agent).handler(this::create);
    router.post(SESSION + "/join").handler(auth::agent).handler(this::join);
    router.post(SESSION + "/invite").handler(auth::agent).handler(this::invite);
    router.post(SESSION + "/messages").handler(auth::agent).handler(this::send);
    router.post(SESSION + "/leave").handler(auth::agent).handler(this::leave);
    router.post(SESSION + "/end").handler(auth::agent).handler(this::end);
    router.post(SESSION + "/reopen").handler(auth::agent).handler(this::reopen);
    router.get(SESSION + "/events").handler(auth::agent).handler(this::events);
    router.get(SESSION).handler(auth::agent).handler(this::get);
  }

  private void create(RoutingContext ctx) {
    JsonObject command = requests.create(Bodies.object(ctx, true));
    reply(ctx, 201, call(ctx, SessionAction.CREATE, command));
  }

  private void join(RoutingContext ctx) {
    reply(ctx, 200, call(ctx, SessionAction.JOIN, inSession(ctx, new JsonObject())));
  }

  private void invite(RoutingContext ctx) {
    JsonObject command = requests.invite(Bodies.object(ctx, false));
    reply(ctx, 200, call(ctx, SessionAction.INVITE, inSession(ctx, command)));
  }

  private void send(RoutingContext ctx) {
    JsonObject command = requests.send(Bodies.object(ctx, false));
    reply(ctx, 201, call(ctx, SessionAction.SEND, inSession(ctx, command)));
  }

  private void leave(RoutingContext ctx) {
    reply(ctx, 200, call(ctx, SessionAction.LEAVE, inSession(ctx, new JsonObject())));
  }

  private void end(RoutingContext ctx) {
    reply(ctx, 200, call(ctx, SessionAction.END, inSession(ctx, new JsonObject())));
  }

  private void reopen(RoutingContext ctx) {
    JsonObject command = requests.reopen(Bodies.object(ctx, true));
    reply(ctx, 200, call(ctx, SessionAction.REOPEN, inSession(ctx, command)));
  }

  private void get(RoutingContext ctx) {
    reply(ctx, 200, call(ctx, SessionAction.GET, inSession(ctx, new JsonObject())));
  }

  private void events(RoutingContext ctx) {
    JsonObject command = requests.eventsQuery(ctx.queryParams());
    reply(ctx, 200, call(ctx, SessionAction.EVENTS, inSession(ctx, command)));
  }

  /** A path id that cannot be a session id is an unknown session: 404, like any other. */
  private static JsonObject inSession(RoutingContext ctx, JsonObject command) {
    String id = ctx.pathParam("id");
    if (!Ids.isSessionId(id)) {
      throw AspException.notFound();
    }
    return command.put(Fields.SESSION_ID, id);
  }

  private Future<JsonObject> call(RoutingContext ctx, SessionAction action, JsonObject command) {
    return bus.session(action, command.put(BusFields.CALLER, Authenticator.caller(ctx)));
  }

  static void reply(RoutingContext ctx, int status, Future<JsonObject> result) {
    result
        .onSuccess(
            body ->
                ctx.response()
                    .setStatusCode(status)
                    .putHeader(HttpHeaders.CONTENT_TYPE, ErrorResponses.Json.TYPE)
                    .end(body.encode()))
        .onFailure(failure -> ErrorResponses.send(ctx, failure));
  }
}
