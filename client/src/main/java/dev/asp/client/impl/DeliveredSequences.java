package dev.asp.client.impl;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which sequences of which sessions an event stream has already handed to its consumer, so that an
 * event the operator sends again can be dropped. Not thread-safe: a stream confines it to its
 * context.
 *
 * <p><b>Why repeats happen.</b> Nodes save delivery cursors in batches, so after a node crashes the
 * node a client reconnects to replays the few events the dead one had written but not yet recorded.
 *
 * <p><b>Why not "drop what is below the highest sequence seen".</b> Per session, sequences arrive
 * in increasing order except for one restart: an agent that was only invited sees its invitation
 * (sequence N) first and, once it joins, the transcript from 0 (0..N-1 are new, N may come again).
 * A stream also does not start at 0: it starts wherever the agent's cursor was. So each session
 * keeps the delivered sequences as sorted, disjoint, non-adjacent <em>runs</em> {@code [first,
 * last]}: an in-order stream is one run (two longs) whatever its length, and the invitation case is
 * two runs until the transcript reaches the invitation and they merge.
 *
 * <p><b>Bounds.</b> Memory is bounded by {@code maxRunsPerSession} runs per session and {@code
 * maxSessions} sessions. Beyond them the tracker <em>forgets</em>: the lowest run of a session
 * (repeats come from replays after a cursor, so they are near the top), or the session least
 * recently seen (repeats follow a crash within moments, so they concern recently active sessions).
 * Forgetting can only let a repeat through again; the tracker never drops an event it has not seen.
 */
public final class DeliveredSequences {
  /** Sessions remembered per stream; about 150 bytes each in the usual one-run case. */
  public static final int DEFAULT_MAX_SESSIONS = 10_000;

  /** Runs remembered per session; more than a couple means an unusual eligibility history. */
  public static final int DEFAULT_MAX_RUNS_PER_SESSION = 32;

  private final int maxRunsPerSession;
  private final Map<String, Runs> sessions;

  public DeliveredSequences() {
    this(DEFAULT_MAX_SESSIONS, DEFAULT_MAX_RUNS_PER_SESSION);
  }

  public DeliveredSequences(int maxSessions, int maxRunsPerSession) {
    if (maxSessions < 1 || maxRunsPerSession < 1) {
      throw new IllegalArgumentException("bounds must be at least 1");
    }
    this.maxRunsPerSession = maxRunsPerSession;
    // access order: each event makes its session the most recently used
    this.sessions =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Runs> eldest) {
            return size() > maxSessions;
          }
        };
  }

  /**
   * Records that an event is being delivered. Returns true the first time a (session, sequence) is
   * offered, false when it has been delivered before (the caller drops it).
   */
  public boolean firstDelivery(String sessionId, long sequence) {
    Runs runs = sessions.get(sessionId);
    if (runs == null) {
      runs = new Runs();
      sessions.put(sessionId, runs);
    }
    return runs.add(sequence, maxRunsPerSession);
  }

  /** Sessions currently remembered. */
  public int sessions() {
    return sessions.size();
  }

  /**
   * Runs remembered for a session (0 if it is not remembered): a measure of its memory. Asking
   * counts as seeing the session, for the least-recently-seen order.
   */
  public int runs(String sessionId) {
    Runs runs = sessions.get(sessionId);
    return runs == null ? 0 : runs.count;
  }

  /**
   * The delivered sequences of one session: runs {@code i} is {@code [bounds[2i], bounds[2i+1]]},
   * sorted, disjoint and never adjacent (adjacent runs are merged).
   */
  private static final class Runs {
    private long[] bounds = new long[2];
    private int count;

    boolean add(long sequence, int maxRuns) {
      if (count > 0 && sequence == last(count - 1) + 1) {
        bounds[2 * count - 1] = sequence; // the usual case: the next in order
        return true;
      }
      int below = lastStartingAtOrBelow(sequence);
      if (below >= 0 && sequence <= last(below)) {
        return false;
      }
      boolean joinsBelow = below >= 0 && last(below) == sequence - 1;
      boolean joinsAbove = below + 1 < count && first(below + 1) == sequence + 1;
      if (joinsBelow && joinsAbove) {
        bounds[2 * below + 1] = last(below + 1);
        remove(below + 1);
      } else if (joinsBelow) {
        bounds[2 * below + 1] = sequence;
      } else if (joinsAbove) {
        bounds[2 * (below + 1)] = sequence;
      } else {
        insert(below + 1, sequence);
        if (count > maxRuns) {
          remove(0); // keep the highest runs
        }
      }
      return true;
    }

    private long first(int run) {
      return bounds[2 * run];
    }

    private long last(int run) {
      return bounds[2 * run + 1];
    }

    /** The highest run whose first sequence is at most {@code sequence}, or -1. */
    private int lastStartingAtOrBelow(long sequence) {
      int low = 0;
      int high = count - 1;
      while (low <= high) {
        int mid = (low + high) >>> 1;
        if (first(mid) <= sequence) {
          low = mid + 1;
        } else {
          high = mid - 1;
        }
      }
      return high;
    }

    private void insert(int run, long sequence) {
      if (2 * (count + 1) > bounds.length) {
        long[] larger = new long[bounds.length * 2];
        System.arraycopy(bounds, 0, larger, 0, 2 * count);
        bounds = larger;
      }
      System.arraycopy(bounds, 2 * run, bounds, 2 * run + 2, 2 * (count - run));
      bounds[2 * run] = sequence;
      bounds[2 * run + 1] = sequence;
      count++;
    }

    private void remove(int run) {
      System.arraycopy(bounds, 2 * run + 2, bounds, 2 * run, 2 * (count - run - 1));
      count--;
      if (count == 1 && bounds.length > 2) {
        bounds = new long[] {bounds[0], bounds[1]}; // back to the usual footprint
      }
    }
  }
}
