package dev.asp.operator.management;

import java.util.List;

/**
 * Where the node is in its life, as readiness sees it: starting (roles being deployed), running
 * (every role's verticles deployed) or draining (shutting down: it must receive no new traffic);
 * and, for liveness, whether something the process cannot recover from alone happened (its embedded
 * PostgreSQL died). Written by the threads that start, stop or watch the node, read by the
 * management server: volatile.
 */
public final class NodeHealth {
  /** The node's phase; only {@link #RUNNING} is ready. */
  public enum Phase {
    STARTING,
    RUNNING,
    DRAINING;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private volatile Phase phase = Phase.STARTING;
  private volatile List<String> deployments = List.of();
  private volatile String lost;

  /** Every role's verticles are deployed (their deployment ids, to see that they stay). */
  public void running(List<String> deploymentIds) {
    deployments = List.copyOf(deploymentIds);
    if (phase == Phase.STARTING) {
      phase = Phase.RUNNING;
    }
  }

  /** The node is shutting down: readiness fails from now on, for good. */
  public void draining() {
    phase = Phase.DRAINING;
  }

  /**
   * The process cannot serve again without a restart ({@code reason} says why): liveness fails from
   * now on, for good, so that an orchestrator restarts it.
   */
  public void lost(String reason) {
    lost = reason;
  }

  /** Why the process must be restarted, or null while it is live. */
  public String lost() {
    return lost;
  }

  public Phase phase() {
    return phase;
  }

  List<String> deployments() {
    return deployments;
  }
}
