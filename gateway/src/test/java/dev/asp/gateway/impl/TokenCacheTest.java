package dev.asp.gateway.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.TrustAction;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The token cache over a fake trust verticle on its address, which counts the lookups it answers
 * and can hold one back.
 */
@DisplayName("The gateway's token cache")
class TokenCacheTest {
  private static final String TOKEN = "tok_alice_secret";
  private static final String ALICE = "@alice.test";
  private static final long TTL_MS = 200;
  private static final long CONNECT_TTL_MS = 3_600_000;
  private static final MultiMap NO_HEADERS = MultiMap.caseInsensitiveMultiMap();
  private static final SocketAddress PEER = SocketAddress.inetSocketAddress(1, "127.0.0.1");

  private Vertx vertx;
  private final AtomicInteger lookups = new AtomicInteger();

  /** When set, the next lookup's answer waits until it completes. */
  private final AtomicReference<Promise<Void>> holdNext = new AtomicReference<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    vertx.eventBus().<JsonObject>consumer(Addresses.TRUST, this::fakeTrust).completion().await();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private void fakeTrust(Message<JsonObject> message) {
    if (TrustAction.valueOf(message.headers().get(Addresses.ACTION_HEADER))
        != TrustAction.AUTHENTICATE) {
      message.fail(ErrorCode.INVALID_REQUEST.busCode(), "unexpected");
      return;
    }
    lookups.incrementAndGet();
    Promise<Void> hold = holdNext.getAndSet(null);
    Future<Void> released = hold == null ? Future.succeededFuture() : hold.future();
    released.onComplete(
        v -> {
          if (TOKEN.equals(message.body().getString(BusFields.TOKEN))) {
            message.reply(new JsonObject().put(Fields.HANDLE, ALICE));
          } else {
            message.fail(ErrorCode.UNAUTHENTICATED.busCode(), "invalid token");
          }
        });
  }

  /** A cache as one gateway instance of the node builds it. */
  private TokenCache instance() {
    return TokenCache.of(vertx, new BusClient(vertx, 5_000), 100, TTL_MS, CONNECT_TTL_MS, null);
  }

  /** Lets the clock pass every TTL but the connect TTL. */
  private void pastTheTtl() {
    vertx.timer(TTL_MS * 2).await();
  }

  @Test
  @DisplayName(
      "the gateway instances of a node share their lookups: a token one verified, another answers"
          + " without asking trust")
  void sharedByTheNodesInstances() {
    TokenCache first = instance();
    TokenCache second = instance();
    assertEquals(ALICE, first.connecting(TOKEN, NO_HEADERS, PEER).await());
    assertEquals(ALICE, second.connecting(TOKEN, NO_HEADERS, PEER).await());
    assertEquals(ALICE, second.agent(TOKEN, NO_HEADERS, PEER).await());
    assertEquals(1, lookups.get());
  }

  @Test
  @DisplayName(
      "a lookup that opened WS /connect is still trusted after ASP_AUTH_CACHE_TTL_MS (the"
          + " reconnect finds it); one made for a REST request is not")
  void connectOutlivesTheTtl() {
    TokenCache cache = instance();
    cache.agent(TOKEN, NO_HEADERS, PEER).await();
    pastTheTtl();
    cache.agent(TOKEN, NO_HEADERS, PEER).await();
    assertEquals(2, lookups.get(), "a REST lookup lives for the TTL");

    cache.connecting(TOKEN, NO_HEADERS, PEER).await(); // cached: now kept for the connect TTL
    pastTheTtl();
    assertEquals(ALICE, cache.connecting(TOKEN, NO_HEADERS, PEER).await());
    assertEquals(ALICE, cache.agent(TOKEN, NO_HEADERS, PEER).await());
    assertEquals(2, lookups.get(), "the connect kept it");
  }

  @Test
  @DisplayName("a credentials change evicts a lookup kept for a connect at once")
  void revocationEvictsAConnectLookup() {
    TokenCache cache = instance();
    cache.connecting(TOKEN, NO_HEADERS, PEER).await();
    instance().forget(ALICE); // another instance's consumer of asp.trust.credentials
    cache.connecting(TOKEN, NO_HEADERS, PEER).await();
    assertEquals(2, lookups.get());
  }

  @Test
  @DisplayName(
      "a lookup answered after a credentials change it raced with is not kept: the change is never"
          + " undone by an answer given before it")
  void answerInFlightDuringRevocation() {
    TokenCache cache = instance();
    Promise<Void> hold = Promise.promise();
    holdNext.set(hold);
    Future<String> inFlight = cache.connecting(TOKEN, NO_HEADERS, PEER);
    while (lookups.get() == 0) {
      vertx.timer(5).await(); // the request reaches the fake trust
    }
    cache.forget(ALICE);
    hold.complete();
    assertEquals(ALICE, inFlight.await(), "it still answers its own request");
    assertFalse(inFlight.failed());
    cache.agent(TOKEN, NO_HEADERS, PEER).await();
    assertEquals(2, lookups.get(), "asked again: the racing answer was not cached");
  }
}
