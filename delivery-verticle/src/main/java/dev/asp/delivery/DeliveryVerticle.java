package dev.asp.delivery;

import dev.asp.delivery.impl.LocalHub;
import dev.asp.protocol.DeliveryHub;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.Admission;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;

/**
 * The node's live delivery: owns the WebSockets the gateway hands over ({@link DeliveryHub}),
 * listens once per node to committed-event announcements (never one consumer per socket, P4),
 * delivers per (agent, session) in cursor order (P5), pings connections, closes slow consumers (P7)
 * and persists cursors in batches. One instance per node: all its state lives on one context.
 */
public final class DeliveryVerticle extends VerticleBase {
  private final DeliverySettings settings;
  private LocalHub hub;
  private MessageConsumer<JsonObject> consumer;
  private MessageConsumer<JsonObject> credentials;
  private MessageConsumer<JsonObject> resync;
  private long pingTimer = -1;
  private long flushTimer = -1;

  public DeliveryVerticle(DeliverySettings settings) {
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    hub =
        new LocalHub(
            context,
            new BusClient(vertx, settings.busTimeoutMs())
                .paced(new Admission(settings.sessionRequests())),
            settings);
    consumer =
        vertx
            .eventBus()
            .<JsonObject>consumer(Addresses.EVENTS_COMMITTED, m -> hub.onCommitted(m.body()));
    credentials =
        vertx
            .eventBus()
            .<JsonObject>consumer(
                Addresses.CREDENTIALS_CHANGED,
                m -> hub.credentialsChanged(m.body().getString(BusFields.AGENT)));
    resync = vertx.eventBus().localConsumer(Addresses.DELIVERY_RESYNC, m -> hub.resync());
    return Future.all(consumer.completion(), credentials.completion(), resync.completion())
        .onSuccess(
            v -> {
              LocalMap<String, DeliveryHub> local =
                  vertx.sharedData().getLocalMap(DeliveryHub.LOCAL_MAP);
              local.put(DeliveryHub.KEY, hub);
              long checkEvery = Math.min(settings.pingIntervalMs(), settings.slowConsumerMs());
              pingTimer = vertx.setPeriodic(checkEvery, t -> hub.ping());
              flushTimer = vertx.setPeriodic(settings.cursorFlushMs(), t -> hub.flushCursors());
            });
  }

  @Override
  public Future<?> stop() {
    vertx.sharedData().getLocalMap(DeliveryHub.LOCAL_MAP).remove(DeliveryHub.KEY);
    vertx.cancelTimer(pingTimer);
    vertx.cancelTimer(flushTimer);
    return Future.all(consumer.unregister(), credentials.unregister(), resync.unregister())
        .compose(v -> hub.shutdown());
  }
}
