package dev.asp.gateway;

import dev.asp.gateway.impl.AdminRoutes;
import dev.asp.gateway.impl.ConnectRoute;
import dev.asp.gateway.impl.ErrorResponses;
import dev.asp.gateway.impl.HttpConnections;
import dev.asp.gateway.impl.SessionRoutes;
import dev.asp.gateway.impl.TokenCache;
import dev.asp.gateway.impl.a2a.A2aErrors;
import dev.asp.gateway.impl.a2a.A2aRoutes;
import dev.asp.protocol.BuildInfo;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;

/**
 * The HTTP face of the operator: the ASP REST surface (spec §3) and the owner/admin API (spec §8).
 * It authenticates, validates and translates; every decision is made by the trust and session
 * verticles, reached over the event bus (P1) so the same gateway works on any node of a cluster.
 * {@code WS /connect} is authenticated here and the socket handed to the node's delivery verticle.
 * Several instances may be deployed; they share the listening port. A node of split roles serves
 * only its part: the REST API where the gateway role runs, {@code WS /connect} where delivery runs.
 * Every node serves the OpenAPI description of the whole HTTP surface at {@code GET /openapi.json}
 * (unauthenticated), the file {@value #DESCRIPTION} exactly as the module ships it.
 */
public final class GatewayVerticle extends VerticleBase {
  /** The OpenAPI 3.1 description of every route below, a classpath resource of this module. */
  public static final String DESCRIPTION = "openapi/asp.json";

  private final GatewaySettings settings;
  private HttpServer server;
  private HttpConnections connections;
  private Router router;

  public GatewayVerticle(GatewaySettings settings) {
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    BusClient bus = new BusClient(vertx, settings.busTimeoutMs());
    TokenCache tokens =
        TokenCache.of(
            vertx,
            bus,
            settings.authCacheSize(),
            settings.authCacheTtlMs(),
            settings.authCacheConnectTtlMs(),
            settings.authThrottle());
    Future<Void> invalidation =
        vertx
            .eventBus()
            .<JsonObject>consumer(
                Addresses.CREDENTIALS_CHANGED,
                m -> tokens.forget(m.body().getString(BusFields.AGENT)))
            .completion();
    connections = new HttpConnections(settings.http());
    Router router = Router.router(vertx);
    this.router = router;
    // before anything else: from here until its response is done the request is in flight, and
    // its connection not idle (a long-poll waits here for as long as it may)
    router.route().handler(connections::request);
    // first of all, before any route compares paths: a path or query that cannot be decoded
    // (/sessions/%zz, ?session_id=%zz) is the client's mistake, a JSON 400, not an unhandled
    // router exception with a stack trace, nor a 500 where a route reads the parameter
    router.route().handler(GatewayVerticle::requireDecodablePath);
    // before any body is read: an upgrade needs its request untouched until it is decided
    if (settings.serveStream()) {
      new ConnectRoute(vertx, tokens, connections).mount(router);
    } else {
      router
          .get("/connect")
          .handler(
              ctx ->
                  ErrorResponses.write(
                      ctx,
                      ErrorCode.NOT_FOUND,
                      "this node serves no event streams (it does not run delivery)"));
    }
    if (settings.serveApi()) {
      // routes with a body limit of their own come before the general one, which skips them
      A2aRoutes.mountBodies(router, settings.a2a());
    }
    router
        .route()
        .handler(
            BodyHandler.create(false)
                .setBodyLimit(settings.maxBodyBytes())
                .setHandleFileUploads(false));
    Future<Buffer> description = vertx.executeBlocking(GatewayVerticle::readDescription);
    router
        .get("/openapi.json")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(description.result()));
    // which build answers: for people, and for tools that record it (asp-bench's report). Open to
    // anyone, like the version in a Server header: nothing in it is a secret (SECURITY.md)
    router.get("/version").handler(GatewayVerticle::version);
    if (settings.serveApi()) {
      // first: /a2a/* has its own error body and its own not-found rule
      new A2aRoutes(bus, tokens, settings.a2a(), settings.busTimeoutMs()).mount(router);
      new SessionRoutes(bus, settings, tokens).mount(router);
      new AdminRoutes(bus, tokens, settings.adminPageLimit()).mount(router);
    }
    router.route().last().handler(ErrorResponses::notFound);
    router.route().failureHandler(ErrorResponses::failure);
    // a body sent form-encoded (curl -d, as the README's examples do) is still read as JSON; the
    // form decoder that parses it on the side must not refuse what the body limit allows (its 8 KB
    // attribute limit made such requests a 500)
    int largestBody =
        Math.max(
            settings.maxBodyBytes(), settings.a2a() == null ? 0 : settings.a2a().mailboxMaxBytes());
    HttpServer http =
        vertx.createHttpServer(
            new HttpServerOptions()
                .setHost(settings.host())
                .setPort(settings.port())
                .setMaxFormAttributeSize(largestBody)
                .setMaxFormBufferedBytes(largestBody)
                .setMaxFormFields(-1)
                .setCompressionSupported(false)
                // no HTTP/2 cleartext detection: with it Vert.x creates the connection only when
                // the first bytes arrive, so a socket that never sends any would be invisible to
                // the connection cap and the header timeout (our clients speak HTTP/1.1)
                .setHttp2ClearTextEnabled(false)
                // a WebSocket peer that does not answer our close frame (one that stopped reading
                // never even sees it) is dropped after this long; until then its cursor waits
                .setWebSocketClosingTimeout(settings.wsClosingTimeoutSeconds()));
    // a request Netty cannot decode (a request line or headers over its limits, a broken request)
    // gets the documented JSON error body too, not an empty 400, 414 or 431
    http.invalidRequestHandler(ErrorResponses::invalidRequest);
    http.connectionHandler(connections::opened);
    connections.start(vertx);
    return Future.all(invalidation, description)
        .compose(
            v -> http.requestHandler(router).listen().onSuccess(listening -> server = listening));
  }

  /** The routes as mounted, for the test that every one of them is described. */
  Router router() {
    return router;
  }

  private static Buffer readDescription() throws IOException {
    try (InputStream in = GatewayVerticle.class.getClassLoader().getResourceAsStream(DESCRIPTION)) {
      if (in == null) {
        throw new IllegalStateException(DESCRIPTION + " is missing from the gateway module");
      }
      return Buffer.buffer(in.readAllBytes());
    }
  }

  @Override
  public Future<?> stop() {
    if (connections != null) {
      connections.stop(vertx);
    }
    return Future.succeededFuture();
  }

  /** The port actually bound (useful when configured with 0). */
  public int port() {
    return server.actualPort();
  }

  private static void version(RoutingContext ctx) {
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
        .end(BuildInfo.current().toJson().encode());
  }

  private static void requireDecodablePath(RoutingContext ctx) {
    try {
      ctx.normalizedPath();
      ctx.queryParams();
    } catch (IllegalArgumentException | io.vertx.ext.web.handler.HttpException e) {
      String message = "the request path or query has an invalid percent-escape";
      String raw = ctx.request().path();
      if (raw != null && (raw.equals("/a2a") || raw.startsWith("/a2a/"))) {
        A2aErrors.malformed(ctx, message);
      } else {
        ErrorResponses.write(ctx, ErrorCode.MALFORMED_REQUEST, message);
      }
      return;
    }
    ctx.next();
  }
}
