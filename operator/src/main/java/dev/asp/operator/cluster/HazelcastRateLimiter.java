package dev.asp.operator.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.asp.gateway.limits.Buckets;
import dev.asp.gateway.limits.Decision;
import dev.asp.gateway.limits.Limit;
import dev.asp.gateway.limits.RateLimiter;
import dev.asp.protocol.AspException;
import dev.asp.protocol.a2a.A2aError;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.grid.hazelcast.Bucket4jHazelcast;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rate limits that hold across the cluster (hub spec §4): each bucket is an entry of the {@link
 * HazelcastConfigs#RATE_LIMIT_MAP} map, keyed {@code limitName:key}, and every consumption is one
 * Bucket4j entry processor run on the entry's owning member, so two nodes taking from one bucket at
 * once are serialized there and never both get the last token. Any number of instances, on any
 * members, see the same buckets.
 *
 * <p>Asynchronous throughout: the request goes out with Hazelcast's {@code submitToKey} and the
 * answer comes back on the caller's Vert.x context (or on a Hazelcast thread when called from
 * outside Vert.x). Costs one round trip to the owning member per request, two the first time a key
 * is seen (Bucket4j then sends the bucket's configuration).
 *
 * <p>Buckets untouched for longer than the map's time-to-live (set by {@link HazelcastConfigs} from
 * the longest window) disappear; they would have been full again by then. A limit's capacity or
 * window changed in the settings reaches an existing bucket only once it has expired.
 */
public final class HazelcastRateLimiter implements RateLimiter {
  private static final Logger LOG = LoggerFactory.getLogger(HazelcastRateLimiter.class);

  private final AsyncProxyManager<String> buckets;
  private final long timeToLiveMs;
  private final Set<String> warnedLimits = ConcurrentHashMap.newKeySet();

  /** Limits on the node's Hazelcast member, configured by {@link HazelcastConfigs#build}. */
  public HazelcastRateLimiter(HazelcastInstance hazelcast) {
    this(hazelcast, HazelcastConfigs.RATE_LIMIT_MAP);
  }

  HazelcastRateLimiter(HazelcastInstance hazelcast, String mapName) {
    IMap<String, byte[]> map = hazelcast.getMap(mapName);
    this.buckets = Bucket4jHazelcast.entryProcessorBasedBuilder(map).build().asAsync();
    this.timeToLiveMs = hazelcast.getConfig().findMapConfig(mapName).getTimeToLiveSeconds() * 1000L;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Fails with {@code server_busy} when the owning member cannot be reached (this member is
   * shutting down, the cluster is partitioned and the invocation timed out, ...).
   */
  @Override
  public Future<Decision> tryConsume(Limit limit, String key) {
    AspException invalid = Buckets.invalidKey(key);
    if (invalid != null) {
      return Future.failedFuture(invalid);
    }
    warnIfOutlived(limit);
    BucketConfiguration configuration = Buckets.configuration(limit);
    CompletionStage<ConsumptionProbe> probe;
    try {
      probe =
          buckets
              .getProxy(
                  limit.name() + ":" + key, () -> CompletableFuture.completedFuture(configuration))
              .tryConsumeAndReturnRemaining(1);
    } catch (RuntimeException e) { // an inactive member refuses before any future exists
      probe = CompletableFuture.failedFuture(e);
    }
    Context context = Vertx.currentContext();
    Future<ConsumptionProbe> answer =
        context == null
            ? Future.fromCompletionStage(probe)
            : Future.fromCompletionStage(probe, context);
    return answer.map(Buckets::decision).recover(failure -> unavailable(limit, failure));
  }

  private static Future<Decision> unavailable(Limit limit, Throwable failure) {
    // the limit name only: the key may be a client address
    LOG.warn("rate limit '{}' could not be checked: {}", limit.name(), failure.toString());
    return Future.failedFuture(
        new AspException(A2aError.SERVER_BUSY, "rate limits unavailable, try again"));
  }

  /**
   * A window longer than the map's time-to-live would let a bucket expire before it refilled, so a
   * key would get more than the limit: say so once per limit rather than fail every request.
   */
  private void warnIfOutlived(Limit limit) {
    if (timeToLiveMs > 0 && limit.windowMs() > timeToLiveMs && warnedLimits.add(limit.name())) {
      LOG.warn(
          "rate limit '{}' has a {} ms window, longer than the {} ms its buckets are kept: pass"
              + " the longest window to HazelcastConfigs.build, or the limit is not enforced in full",
          limit.name(),
          limit.windowMs(),
          timeToLiveMs);
    }
  }
}
