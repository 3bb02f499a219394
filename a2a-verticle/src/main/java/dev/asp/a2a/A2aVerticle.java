package dev.asp.a2a;

import dev.asp.a2a.impl.EventViews;
import dev.asp.a2a.impl.Nodes;
import dev.asp.a2a.impl.Pulls;
import dev.asp.a2a.impl.Reminders;
import dev.asp.a2a.impl.SessionCommands;
import dev.asp.a2a.impl.SessionReads;
import dev.asp.protocol.a2a.A2aAction;
import dev.asp.protocol.bus.ActionDispatcher;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.Drain;
import dev.asp.session.log.EventAnnouncer;
import dev.asp.storage.DbFailures;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The A2A hub layer's commands and pull views, at {@link Addresses#A2A} ({@link A2aAction}). Every
 * command that changes a session runs in one transaction under the session row lock and appends
 * through the session module's log (P2); its events are announced like the session verticle's,
 * after commit. It also holds this node's open long-polls, woken by the commit announcements it
 * receives once per node (P4). Deploy one instance per node that runs the session role; the schema
 * ({@link A2aSchema#MODULE}, after the session module's) must be migrated before.
 */
public final class A2aVerticle extends VerticleBase {
  private static final AtomicInteger POOLS = new AtomicInteger();
  private final A2aSettings settings;
  private Pool pool;
  private Pulls pulls;
  private ActionDispatcher<A2aAction> dispatcher;
  private MessageConsumer<JsonObject> consumer;
  private MessageConsumer<JsonObject> committed;
  private MessageConsumer<JsonObject> superseded;
  private MessageConsumer<JsonObject> written;

  public A2aVerticle(A2aSettings settings) {
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    pool = settings.db().pool(vertx, "asp-a2a-" + POOLS.incrementAndGet());
    BusClient bus = new BusClient(vertx, settings.busTimeoutMs());
    EventViews views = new EventViews(settings.nodeOwner());
    EventAnnouncer announcer = new EventAnnouncer(vertx.eventBus(), null);
    SessionCommands sessions =
        new SessionCommands(pool, bus, announcer, settings, views, new Reminders(views));
    SessionReads reads = new SessionReads(pool, settings, views);
    Nodes nodes = new Nodes(pool, settings);
    pulls = new Pulls(vertx, pool, views, settings.pollMaxWaitMs(), settings.busTimeoutMs());
    dispatcher =
        new ActionDispatcher<>(A2aAction.class, DbFailures::map)
            .on(A2aAction.NODE_SEEN, nodes::seen)
            .on(A2aAction.SESSION_CREATE, sessions::create)
            .on(A2aAction.SESSION_JOIN, sessions::join)
            .on(A2aAction.SESSION_LEAVE, sessions::leave)
            .on(A2aAction.SESSION_MESSAGE, sessions::message)
            .on(A2aAction.SESSION_LIST, reads::list)
            .on(A2aAction.SESSION_CONTEXT, reads::context)
            .on(A2aAction.PULL, pulls::pull)
            .on(A2aAction.PULL_WRITTEN, pulls::written);
    return pool.query("SELECT 1 FROM a2a_views LIMIT 1")
        .execute()
        .compose(
            ready -> {
              committed =
                  vertx
                      .eventBus()
                      .consumer(Addresses.EVENTS_COMMITTED, m -> pulls.onCommitted(m.body()));
              superseded =
                  vertx
                      .eventBus()
                      .consumer(Addresses.A2A_SUPERSEDED, m -> pulls.onSuperseded(m.body()));
              written =
                  vertx.eventBus().consumer(Addresses.A2A_WRITTEN, m -> pulls.onWritten(m.body()));
              consumer = vertx.eventBus().consumer(Addresses.A2A, dispatcher::handle);
              return Future.all(
                  List.of(
                      committed.completion(),
                      superseded.completion(),
                      written.completion(),
                      consumer.completion()));
            });
  }

  @Override
  public Future<?> stop() {
    if (pool == null) {
      return Future.succeededFuture();
    }
    Future<Void> unregistered = consumer == null ? Future.succeededFuture() : consumer.unregister();
    return unregistered
        .recover(f -> Future.succeededFuture())
        .compose(v -> pulls.close())
        .compose(v -> Drain.within(vertx, dispatcher.idle(), settings.busTimeoutMs()))
        .compose(v -> pool.close());
  }
}
