package dev.asp.gateway.impl.a2a;

import dev.asp.gateway.A2aGatewaySettings;
import dev.asp.gateway.impl.TokenCache;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.bus.BusClient;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The {@code /a2a} route set (hub spec §3–§13) with its own error body: everything under {@code
 * /a2a} fails through {@link A2aErrors}, and a path or method this operator does not serve there is
 * {@code route_not_found}. Without settings (A2A disabled) only that last rule is mounted.
 */
public final class A2aRoutes {
  private final BusClient bus;
  private final TokenCache tokens;
  private final A2aGatewaySettings settings;
  private final long busTimeoutMs;

  public A2aRoutes(
      BusClient bus, TokenCache tokens, A2aGatewaySettings settings, long busTimeoutMs) {
    this.bus = bus;
    this.tokens = tokens;
    this.settings = settings;
    this.busTimeoutMs = busTimeoutMs;
  }

  /**
   * The {@code /a2a} routes with a body limit of their own ({@code POST /a2a/mailbox/outbound}:
   * {@code ASP_A2A_MAILBOX_MAX_BYTES}, §10). Mount before the router's general body handler, which
   * then leaves those bodies alone; a body beyond the limit fails 413 into {@code
   * payload_too_large}.
   */
  public static void mountBodies(Router router, A2aGatewaySettings settings) {
    if (settings == null) {
      return;
    }
    router
        .route(MailboxRoutes.OUTBOUND)
        .handler(
            BodyHandler.create(false)
                .setBodyLimit(settings.mailboxMaxBytes())
                .setHandleFileUploads(false));
  }

  public void mount(Router router) {
    router.route("/a2a/*").failureHandler(A2aErrors::failure);
    router.route("/a2a").failureHandler(A2aErrors::failure);
    if (settings != null) {
      A2aAuth auth = new A2aAuth(tokens, settings.nodeOwner());
      Pulling pulling = new Pulling(bus, busTimeoutMs);
      SessionBodies bodies = new SessionBodies(auth, settings);
      new IdentityRoutes(bus, auth, settings, pulling).mount(router);
      BoardBodies board = new BoardBodies(auth);
      A2aCalls calls = new A2aCalls(bus, auth);
      new SessionRoutes(calls, bus, auth, settings, bodies, board).mount(router);
      new EventRoutes(auth, settings, pulling).mount(router);
      new DmRoutes(bus, auth, settings, pulling).mount(router);
      new EventStreamRoutes(auth, settings, pulling).mount(router);
      new MailboxRoutes(bus, auth, bodies, board, busTimeoutMs).mount(router);
      new DialogRoutes(calls, auth, bodies).mount(router);
      new DiscoverRoutes(calls).mount(router);
      new DeliberationRoutes(calls, settings).mount(router);
      new PipelineRoutes(calls, bus, auth).mount(router);
    }
    router
        .route("/a2a/*")
        .handler(
            ctx -> A2aErrors.write(ctx, A2aError.ROUTE_NOT_FOUND, "no such A2A route", null, null));
  }
}
