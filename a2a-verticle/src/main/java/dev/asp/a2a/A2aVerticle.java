package dev.asp.a2a;

import dev.asp.a2a.impl.BoardCommands;
import dev.asp.a2a.impl.BoardLeave;
import dev.asp.a2a.impl.Deliberations;
import dev.asp.a2a.impl.Dialog;
import dev.asp.a2a.impl.DirectMessages;
import dev.asp.a2a.impl.Discover;
import dev.asp.a2a.impl.EventViews;
import dev.asp.a2a.impl.Inbox;
import dev.asp.a2a.impl.MailboxOutbound;
import dev.asp.a2a.impl.MailboxView;
import dev.asp.a2a.impl.Nodes;
import dev.asp.a2a.impl.Notices;
import dev.asp.a2a.impl.Pipelines;
import dev.asp.a2a.impl.Pulls;
import dev.asp.a2a.impl.Reminders;
import dev.asp.a2a.impl.SessionCommands;
import dev.asp.a2a.impl.SessionReads;
import dev.asp.a2a.impl.Subscriptions;
import dev.asp.a2a.impl.Sweeper;
import dev.asp.protocol.a2a.A2aAction;
import dev.asp.protocol.bus.ActionDispatcher;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.Drain;
import dev.asp.protocol.bus.HandedOver;
import dev.asp.session.log.EventAnnouncer;
import dev.asp.session.log.LeaveEffect;
import dev.asp.session.log.TrustGate;
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

  /** How often stored mailbox results past their retention are looked for. */
  private static final long SWEEP_MS = 60_000;

  private final A2aSettings settings;
  private Pool pool;
  private Pool discoverPool;
  private Pool reportPool;

  /** Connections of discover's own pool. */
  private static final int DISCOVER_POOL = 2;

  /** Connections of the write reports' pool (one statement each, no wait for the disk). */
  private static final int REPORT_POOL = 2;

  private Pulls pulls;
  private ActionDispatcher<A2aAction> dispatcher;
  private MessageConsumer<JsonObject> consumer;
  private MessageConsumer<JsonObject> committed;
  private MessageConsumer<JsonObject> superseded;
  private long sweeper = -1;
  private MessageConsumer<JsonObject> written;
  private Sweeper deadlines;
  private Notices notices;
  private Deliberations deliberations;

  public A2aVerticle(A2aSettings settings) {
    this.settings = settings;
  }

  /**
   * What a leave does beside the session module's own work, on every leave path (hub spec §2.4.5):
   * hand it to the session verticle of every node that runs this one.
   */
  public static LeaveEffect leaveEffect(A2aSettings settings) {
    return new BoardLeave(settings.nodeOwner());
  }

  @Override
  public Future<?> start() {
    pool = settings.db().pool(vertx, "asp-a2a-" + POOLS.incrementAndGet());
    BusClient bus = new BusClient(vertx, settings.busTimeoutMs());
    EventViews views = new EventViews(settings.nodeOwner());
    EventAnnouncer announcer = new EventAnnouncer(vertx.eventBus(), settings.meters());
    SessionCommands sessions =
        new SessionCommands(
            pool, bus, announcer, settings, views, new Reminders(views), leaveEffect(settings));
    notices = new Notices(pool, new TrustGate(bus), announcer, views);
    BoardCommands board =
        BoardCommands.create(pool, announcer, views, settings.convergeWindowMs(), notices);
    Pipelines pipelines =
        new Pipelines(
            pool,
            new TrustGate(bus),
            announcer,
            views,
            settings.offlineMs(),
            settings.maxTopicLength());
    deliberations =
        new Deliberations(pool, new TrustGate(bus), announcer, views, settings.offlineMs());
    // one timer finishes every durable deadline of the layer; notices a dying node left
    // undelivered go with them (each commit kicks its own delivery)
    deadlines =
        new Sweeper(
            vertx,
            pool,
            announcer,
            board,
            pipelines,
            settings.sweepMs(),
            settings.sessionIdleMs(),
            List.of(
                deliberations::sweepOnce,
                () -> {
                  notices.deliver();
                  return Future.succeededFuture();
                }));
    SessionReads reads = new SessionReads(pool, settings, views);
    Nodes nodes = new Nodes(pool, settings, pipelines);
    // a write report lost in a crash only makes its rows come again (at least once): it need not
    // wait for its commit to reach the disk, so it has a small pool that does not
    reportPool =
        settings
            .db()
            .pool(
                vertx,
                "asp-a2a-reports-" + POOLS.get(),
                REPORT_POOL,
                List.of("SET synchronous_commit = off"));
    pulls =
        new Pulls(
            vertx,
            pool,
            reportPool,
            views,
            settings.pollMaxWaitMs(),
            settings.pollLingerMs(),
            settings.busTimeoutMs(),
            settings.offlineMs());
    DirectMessages dms = new DirectMessages(pool, bus, announcer, views);
    Inbox inbox = new Inbox(pool, views);
    Dialog dialog = new Dialog(pool, announcer, views, deliberations);
    MailboxOutbound outbound = new MailboxOutbound(pool, bus, sessions, board, settings, nodes);
    MailboxView mailbox = new MailboxView(pool, views, settings);
    Subscriptions subscriptions = new Subscriptions(pool, settings.maxSubscriptions());
    // discover's ranked text search must be planned for its parameters: a generic plan of it (what
    // a cached statement gets after five runs) misjudges how many tasks a word matches and joins
    // them by nested loops, 100x slower; its own small pool plans each query for its values
    discoverPool =
        settings
            .db()
            .pool(
                vertx,
                "asp-a2a-discover-" + POOLS.get(),
                DISCOVER_POOL,
                List.of("SET plan_cache_mode = force_custom_plan"));
    Discover discover = new Discover(discoverPool, new TrustGate(bus), views);
    HandedOver.register(vertx); // a pull's batch reaches this node's gateway without a copy
    dispatcher =
        new ActionDispatcher<>(A2aAction.class, DbFailures::map)
            .on(A2aAction.NODE_SEEN, nodes::seen)
            .on(A2aAction.SET_LEVEL, nodes::setLevel)
            .on(A2aAction.SESSION_CREATE, sessions::create)
            .on(A2aAction.SESSION_JOIN, nodes.gated(2, sessions::join))
            .on(A2aAction.SESSION_LEAVE, nodes.gated(2, sessions::leave))
            .on(A2aAction.SESSION_MESSAGE, nodes.gated(2, sessions::message))
            .on(A2aAction.SESSION_LIST, reads::list)
            .on(A2aAction.SESSION_CONTEXT, nodes.gated(2, reads::context))
            .onHandedOver(A2aAction.PULL, pulls::pull)
            .on(A2aAction.PULL_WRITTEN, pulls::written)
            .on(A2aAction.DM_SEND, dms::send)
            .on(A2aAction.DM_INBOX, inbox::read)
            .on(A2aAction.MAILBOX_OUTBOUND, outbound::outbound)
            .on(A2aAction.MAILBOX_INBOUND, mailbox::inbound)
            .on(A2aAction.MAILBOX_ACK, mailbox::ack)
            .on(A2aAction.MAILBOX_STATUS, mailbox::status)
            .on(A2aAction.BOARD_READ, board::read)
            .on(A2aAction.BOARD_UPDATE, nodes.gated(2, board::update))
            .on(A2aAction.SUBMIT, nodes.gated(2, board::submit))
            .on(A2aAction.ORCHESTRATE, nodes.gated(3, board::orchestrate))
            .on(A2aAction.DIALOG_POST, nodes.gated(2, dialog::post))
            .on(A2aAction.DIALOG_HISTORY, dialog::history)
            .on(A2aAction.DIALOG_THREAD, dialog::thread)
            .on(A2aAction.SUBSCRIBE, nodes.gated(2, subscriptions::subscribe))
            .on(A2aAction.SUBSCRIPTIONS, subscriptions::list)
            .on(A2aAction.DISCOVER, discover::discover)
            .on(A2aAction.DELIBERATION_START, nodes.gated(3, deliberations::start))
            .on(A2aAction.DELIBERATION_READ, deliberations::get)
            .on(A2aAction.DELIBERATION_STATUS, deliberations::status)
            .on(A2aAction.PIPELINE_CREATE, nodes.gated(3, pipelines::create))
            .on(A2aAction.PIPELINE_ADVANCE, nodes.gated(3, pipelines::advance))
            .on(A2aAction.PIPELINE_READ, pipelines::read)
            .on(A2aAction.PIPELINE_TEMPLATES, pipelines::templates);
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
              // stored outbound results past their retention go in bounded batches; every node
              // sweeps, the statement is idempotent
              sweeper =
                  vertx.setPeriodic(
                      Math.min(SWEEP_MS, settings.mailboxTtlMs()),
                      t -> outbound.sweep().onFailure(f -> {})); // the next sweep tries again
              deadlines.start();
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
    if (sweeper != -1) {
      vertx.cancelTimer(sweeper);
    }
    Future<Void> swept = deadlines == null ? Future.succeededFuture() : deadlines.stop();
    Future<Void> unregistered = consumer == null ? Future.succeededFuture() : consumer.unregister();
    return unregistered
        .recover(f -> Future.succeededFuture())
        .compose(v -> pulls.close())
        .compose(v -> Drain.within(vertx, dispatcher.idle(), settings.busTimeoutMs()))
        .compose(v -> swept)
        .compose(v -> discoverPool.close())
        .compose(v -> reportPool.close())
        .compose(v -> pool.close());
  }
}
