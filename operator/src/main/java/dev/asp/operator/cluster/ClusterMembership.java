package dev.asp.operator.cluster;

import com.hazelcast.cluster.Cluster;
import com.hazelcast.cluster.ClusterState;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this node learns from the Hazelcast membership (P6): which operator nodes are alive, and
 * when one is gone. A node that runs the session role turns a departed member into a presence reset
 * naming the dead node: that node's connections count as dropped, so its agents' grace windows
 * start (and end in {@code session.left} unless they reconnect elsewhere in time). Every session
 * node does this; the reset is idempotent, so the first to act wins and the others change nothing.
 *
 * <p>After a healed partition, each half has taken the other's agents offline; the merged node asks
 * its delivery to announce its live connections again ({@link Addresses#DELIVERY_RESYNC}).
 */
public final class ClusterMembership implements MembershipListener, LifecycleListener {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterMembership.class);
  private static final int RESET_ATTEMPTS = 5;
  private static final long RESET_RETRY_MS = 1000;

  /**
   * Vert.x drops the dead member's event-bus registrations in its own listener of the same event; a
   * reset sent at once could still be routed to the dead node's session verticle and time out.
   */
  private static final long RESET_DELAY_MS = 500;

  private final Vertx vertx;
  private final Context context;
  private final HazelcastInstance hazelcast;
  private final ClusterManager manager;
  private final BusClient bus;
  private final boolean resetsPresence;
  private final long presenceCheckMs;
  private long presenceTimer = -1;
  private UUID membershipRegistration;
  private UUID lifecycleRegistration;

  /**
   * @param manager the node's Vert.x cluster manager, over {@code hazelcast}
   */
  public ClusterMembership(
      Vertx vertx,
      HazelcastInstance hazelcast,
      ClusterManager manager,
      BusClient bus,
      boolean resetsPresence,
      long presenceCheckMs) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.hazelcast = hazelcast;
    this.manager = manager;
    this.bus = bus;
    this.resetsPresence = resetsPresence;
    this.presenceCheckMs = presenceCheckMs;
  }

  /** The operator node ids of the current members. */
  public List<String> liveNodes() {
    List<String> nodes = new ArrayList<>();
    for (Member member : hazelcast.getCluster().getMembers()) {
      String node = member.getAttribute(HazelcastConfigs.NODE_ATTRIBUTE);
      if (node != null) {
        nodes.add(node);
      }
    }
    return nodes;
  }

  /**
   * Whether this node can serve as a member of the cluster, for readiness: its Hazelcast member
   * runs and is in the member list, the cluster is not shutting down ({@code PASSIVE}), its Vert.x
   * node is joined, and its event-bus address can be read from the cluster's data, where every
   * other node looks it up to route to it (so the partitions holding it answer). Completes with the
   * member count, or fails saying why not; the caller bounds it with a timeout.
   *
   * <p>Deliberately not {@code isClusterSafe()} ("every partition has its backups"): after a
   * member's crash Hazelcast re-creates the lost backups for minutes while the survivors serve
   * within seconds, and reporting them not ready meanwhile takes every survivor out of service.
   * Every Hazelcast call runs on a worker, never on an event loop.
   */
  public Future<Integer> serving() {
    return vertx
        .executeBlocking(this::memberCount, false)
        .compose(
            members -> {
              Promise<NodeInfo> info = Promise.promise();
              manager.getNodeInfo(manager.getNodeId(), info);
              return info.future()
                  .compose(
                      published ->
                          published == null
                              ? Future.failedFuture(
                                  "this node's event-bus address is not published")
                              : Future.succeededFuture(members));
            });
  }

  private int memberCount() {
    if (!hazelcast.getLifecycleService().isRunning()) {
      throw new IllegalStateException("the Hazelcast member is not running");
    }
    Cluster cluster = hazelcast.getCluster();
    Set<Member> members = cluster.getMembers();
    if (!members.contains(cluster.getLocalMember())) {
      throw new IllegalStateException("this member is not in the cluster's member list");
    }
    if (cluster.getClusterState() == ClusterState.PASSIVE) {
      throw new IllegalStateException("the cluster is shutting down (passive)");
    }
    if (!manager.isActive()) {
      throw new IllegalStateException("Vert.x is not joined to the cluster");
    }
    return members.size();
  }

  public void listen() {
    membershipRegistration = hazelcast.getCluster().addMembershipListener(this);
    lifecycleRegistration = hazelcast.getLifecycleService().addLifecycleListener(this);
    if (resetsPresence) {
      context.runOnContext(
          v -> presenceTimer = vertx.setPeriodic(presenceCheckMs, t -> sweepAbsentNodes()));
    }
  }

  /**
   * The safety net behind membership events: a dead node's last request may have recorded a
   * connection after its departure was handled. Rows at least one period old of nodes that are not
   * members now are forgotten; younger rows may belong to a node that joined a moment ago.
   */
  private void sweepAbsentNodes() {
    JsonObject request =
        new JsonObject()
            .put(BusFields.LIVE_NODES, new JsonArray(new ArrayList<>(liveNodes())))
            .put(BusFields.MIN_AGE_MS, presenceCheckMs);
    bus.presenceReset(request)
        .onSuccess(
            reply -> {
              int offline = reply.getJsonArray(BusFields.OFFLINE, new JsonArray()).size();
              if (offline > 0) {
                LOG.warn("{} agent(s) recorded on departed nodes are now offline", offline);
              }
            })
        .onFailure(failure -> LOG.debug("presence sweep failed: {}", failure.toString()));
  }

  public void stop() {
    if (presenceTimer != -1) {
      vertx.cancelTimer(presenceTimer);
    }
    if (membershipRegistration != null && hazelcast.getLifecycleService().isRunning()) {
      hazelcast.getCluster().removeMembershipListener(membershipRegistration);
      hazelcast.getLifecycleService().removeLifecycleListener(lifecycleRegistration);
    }
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    LOG.info(
        "cluster member joined: node {} ({} members)",
        event.getMember().getAttribute(HazelcastConfigs.NODE_ATTRIBUTE),
        event.getMembers().size());
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    String node = event.getMember().getAttribute(HazelcastConfigs.NODE_ATTRIBUTE);
    LOG.warn("cluster member left: node {} ({} members remain)", node, event.getMembers().size());
    if (node != null && resetsPresence) {
      context.runOnContext(v -> vertx.setTimer(RESET_DELAY_MS, t -> forget(node, 1)));
    }
  }

  @Override
  public void stateChanged(LifecycleEvent event) {
    if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
      LOG.warn("rejoined the cluster after a partition: announcing this node's connections again");
      context.runOnContext(v -> vertx.eventBus().send(Addresses.DELIVERY_RESYNC, new JsonObject()));
    }
  }

  private void forget(String node, int attempt) {
    JsonObject request = new JsonObject().put(BusFields.DEAD_NODES, new JsonArray().add(node));
    bus.presenceReset(request)
        .onSuccess(
            reply -> {
              int offline = reply.getJsonArray(BusFields.OFFLINE, new JsonArray()).size();
              if (offline > 0) {
                LOG.info("{} agent(s) lost their connections with node {}", offline, node);
              }
            })
        .onFailure(
            failure -> {
              if (attempt >= RESET_ATTEMPTS) {
                LOG.error(
                    "could not take node {}'s agents offline ({}); the next start of any node"
                        + " will",
                    node,
                    failure.toString());
                return;
              }
              LOG.warn(
                  "taking node {}'s agents offline failed ({}), retrying",
                  node,
                  failure.toString());
              vertx.setTimer(RESET_RETRY_MS * attempt, t -> forget(node, attempt + 1));
            });
  }

  /** Forgets the connections of nodes that are not members now (any earlier run of the cluster). */
  public Future<JsonObject> forgetAbsentNodes() {
    JsonArray live = new JsonArray(new ArrayList<>(liveNodes()));
    return bus.presenceReset(new JsonObject().put(BusFields.LIVE_NODES, live));
  }
}
