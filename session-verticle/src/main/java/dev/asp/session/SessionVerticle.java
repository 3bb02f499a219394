package dev.asp.session;

import dev.asp.protocol.bus.ActionDispatcher;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.Drain;
import dev.asp.protocol.bus.HandedOver;
import dev.asp.protocol.bus.SessionAction;
import dev.asp.session.impl.CreateSession;
import dev.asp.session.impl.DeliveryCursors;
import dev.asp.session.impl.ForceLeave;
import dev.asp.session.impl.GraceSweeper;
import dev.asp.session.impl.Participation;
import dev.asp.session.impl.Presence;
import dev.asp.session.impl.PresenceNotices;
import dev.asp.session.impl.Reads;
import dev.asp.session.impl.Reopen;
import dev.asp.session.impl.Requests;
import dev.asp.session.impl.SendBatcher;
import dev.asp.session.impl.SendMessage;
import dev.asp.session.impl.SessionMeters;
import dev.asp.session.log.Committed;
import dev.asp.session.log.EventAnnouncer;
import dev.asp.session.log.LeaveEffect;
import dev.asp.session.log.TrustGate;
import dev.asp.storage.DbFailures;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Owns sessions, participants and the per-session event log, and answers {@link SessionAction}s on
 * {@link Addresses#SESSION}.
 *
 * <p>Every command that changes a session commits its state change and its events in one
 * transaction, with sequences assigned under the session row lock (P2). The reply is sent, and the
 * events announced on {@link Addresses#EVENTS_COMMITTED}, only after that commit. The schema must
 * have been migrated with {@link SessionSchema#MODULE} before deployment (migration is blocking,
 * P8).
 *
 * <p>It also keeps the durable side of live delivery: presence per (agent, node), grace deadlines
 * (expired by a periodic sweep that any number of instances may run at once) and delivery cursors.
 */
public final class SessionVerticle extends VerticleBase {
  private static final AtomicInteger POOLS = new AtomicInteger();
  private final SessionSettings settings;
  private final LeaveEffect leaveEffect;
  private Pool pool;
  private ActionDispatcher<SessionAction> dispatcher;
  private MessageConsumer<JsonObject> consumer;
  private EventAnnouncer announcer;
  private GraceSweeper sweeper;

  public SessionVerticle(SessionSettings settings) {
    this(settings, LeaveEffect.NONE);
  }

  /**
   * @param leaveEffect what else a leave does, on every leave path of this verticle (ASP leave,
   *     block force-leave, grace expiry): the A2A layer's, when it runs
   */
  public SessionVerticle(SessionSettings settings, LeaveEffect leaveEffect) {
    this.settings = settings;
    this.leaveEffect = leaveEffect;
  }

  @Override
  public Future<?> start() {
    // one name per instance: it labels the pool's metrics, and equal names would collide there
    pool = settings.db().pool(vertx, "asp-session-" + POOLS.incrementAndGet());
    HandedOver.register(vertx);
    TrustGate trust = new TrustGate(new BusClient(vertx, settings.busTimeoutMs()));
    SessionMeters meters = new SessionMeters(settings.meters());
    announcer = new EventAnnouncer(vertx.eventBus(), settings.meters());
    CreateSession create = new CreateSession(pool, trust, settings);
    Participation participation = new Participation(pool, trust, leaveEffect);
    // half the pool at most for sends: groups grow under load, other commands keep connections
    SendBatcher send =
        new SendBatcher(
            new SendMessage(pool, settings.limits()),
            announcer,
            Math.max(1, settings.db().poolSize() / 2));
    Reopen reopen = new Reopen(pool, trust, settings.limits());
    Reads reads = new Reads(pool);
    ForceLeave forceLeave = new ForceLeave(pool, announcer, leaveEffect);
    Presence presence =
        new Presence(pool, new PresenceNotices(pool, announcer), settings.graceMs());
    DeliveryCursors cursors = new DeliveryCursors(pool);
    sweeper =
        new GraceSweeper(vertx, pool, announcer, meters, settings.sweepIntervalMs(), leaveEffect);

    ActionDispatcher<SessionAction> dispatcher =
        new ActionDispatcher<>(SessionAction.class, DbFailures::map)
            .on(SessionAction.CREATE, announced(create::handle))
            .on(SessionAction.JOIN, announced(participation::join))
            .on(SessionAction.INVITE, announced(participation::invite))
            .onHandedOver(SessionAction.SEND, announced(send::handle))
            .on(SessionAction.LEAVE, announced(participation::leave))
            .on(SessionAction.END, announced(participation::end))
            .on(SessionAction.REOPEN, announced(reopen::handle))
            .on(SessionAction.GET, reads::get)
            // pages of events reach delivery (and the gateway) of this node without a deep copy
            .onHandedOver(SessionAction.EVENTS, reads::events)
            .on(SessionAction.FORCE_LEAVE, forceLeave::handle)
            .on(SessionAction.AGENT_ONLINE, presence::online)
            .on(SessionAction.AGENT_OFFLINE, presence::offline)
            .on(SessionAction.PRESENCE_RESET, presence::reset)
            .on(SessionAction.DELIVERY_STATE, cursors::state)
            .onHandedOver(SessionAction.AGENT_CONNECT, body -> connect(presence, cursors, body))
            .on(SessionAction.SAVE_CURSORS, cursors::save);

    // The pool connects lazily; a first query proves the database answers before we take requests.
    this.dispatcher = dispatcher;
    return pool.query("SELECT 1")
        .execute()
        .compose(
            ready -> {
              consumer =
                  vertx.eventBus().<JsonObject>consumer(Addresses.SESSION, dispatcher::handle);
              return consumer.completion();
            })
        .onSuccess(registered -> sweeper.start());
  }

  /**
   * {@code AGENT_CONNECT}: online first, so the state and pages read next include the {@code
   * session.reconnected} events it committed.
   */
  private static Future<JsonObject> connect(
      Presence presence, DeliveryCursors cursors, JsonObject body) {
    DeliveryCursors.pageLimit(body);
    Requests.handle(body, BusFields.AGENT);
    return presence
        .online(body)
        .compose(
            online ->
                cursors
                    .stateWithPages(body)
                    .map(
                        state ->
                            state.put(
                                BusFields.RECONNECTED,
                                online.getJsonArray(BusFields.RECONNECTED))));
  }

  /** Announces what a command committed, then replies: never before the commit. */
  private Function<JsonObject, Future<JsonObject>> announced(
      Function<JsonObject, Future<Committed>> command) {
    return body ->
        command
            .apply(body)
            .map(
                committed -> {
                  announcer.announce(committed);
                  return committed.reply();
                });
  }

  @Override
  public Future<?> stop() {
    if (pool == null) {
      return Future.succeededFuture();
    }
    // Other nodes stop routing here first; requests already accepted are answered; a sweep under
    // way finishes (or fails); only then does the pool go away.
    Future<Void> unregistered = consumer == null ? Future.succeededFuture() : consumer.unregister();
    return unregistered
        .recover(f -> Future.succeededFuture())
        .compose(v -> Drain.within(vertx, dispatcher.idle(), settings.busTimeoutMs()))
        .compose(v -> sweeper == null ? Future.succeededFuture() : sweeper.stop())
        .compose(v -> pool.close());
  }
}
