package dev.asp.operator.management;

import java.util.List;

/**
 * Where the node is in its life, as readiness sees it: starting (roles being deployed), running
 * (every role's verticles deployed) or draining (shutting down: it must receive no new traffic).
 * Written by the thread that starts or stops the node, read by the management server: volatile.
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

  public Phase phase() {
    return phase;
  }

  List<String> deployments() {
    return deployments;
  }
}
