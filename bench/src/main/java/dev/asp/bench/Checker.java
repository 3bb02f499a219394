package dev.asp.bench;

import dev.asp.protocol.Event;
import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The delivery verdict of a run. Every event received is recorded per (agent, session); every
 * acknowledged POST is recorded with its sequence; each workload declares which agents are joined
 * participants of which session. At the end, for every declared (agent, session):
 *
 * <ul>
 *   <li>no duplicate: a sequence is delivered at most once;
 *   <li>no reordering and no gap: after the join, sequences arrive as 0, 1, 2, … (docs/delivery.md:
 *       a joiner first sees its own invitation, then the transcript from 0; that invitation is the
 *       only event allowed before the restart, and its sequence is skipped afterwards);
 *   <li>nothing missing: every acknowledged message of the session was delivered;
 *   <li>POST sequence equals delivered sequence: a message id is delivered with the sequence its
 *       POST returned, and event sequence equals {@code payload.sequence}.
 * </ul>
 *
 * Thread-safe for recording (streams run on several event loops); {@link #verdict()} is called
 * once, after the streams are quiet. Pure: no I/O, so it is tested by feeding histories.
 */
public final class Checker {
  /** What went wrong. */
  public enum Kind {
    MISSING,
    DUPLICATE,
    GAP,
    REORDERED,
    SEQUENCE_MISMATCH
  }

  /** One offence, naming the (agent, session, sequence) it concerns. */
  public record Violation(Kind kind, String agent, String sessionId, long sequence, String detail) {
    @Override
    public String toString() {
      return kind
          + " agent="
          + agent
          + " session="
          + sessionId
          + " sequence="
          + sequence
          + (detail == null ? "" : " (" + detail + ")");
    }
  }

  /** The outcome: violations in a stable order (sessions as declared, then agents), capped. */
  public record Verdict(int checkedHistories, long violationCount, List<Violation> violations) {
    public boolean clean() {
      return violationCount == 0;
    }

    public Violation first() {
      return violations.isEmpty() ? null : violations.get(0);
    }
  }

  private static final int KEPT_VIOLATIONS = 100;

  private final Map<String, List<String>> participants = new LinkedHashMap<>();
  private final Map<String, Map<Long, String>> acked = new ConcurrentHashMap<>();
  private final Map<String, History> histories = new ConcurrentHashMap<>();
  private final Map<String, Long> deliveredSequenceOfMessage = new ConcurrentHashMap<>();
  private final List<Violation> onReceipt = new ArrayList<>();

  /** Declares the joined participants of a session whose deliveries are judged. */
  public synchronized void expect(String sessionId, List<String> joinedAgents) {
    participants.put(sessionId, List.copyOf(joinedAgents));
  }

  /** A POST that succeeded: the message {@code messageId} has {@code sequence} in the session. */
  public void acknowledged(String sessionId, String messageId, long sequence) {
    acked.computeIfAbsent(sessionId, id -> new ConcurrentHashMap<>()).put(sequence, messageId);
  }

  /** An event received by {@code agent} on its stream. */
  public void received(String agent, Event event) {
    History history = histories.computeIfAbsent(key(agent, event.sessionId()), k -> new History());
    boolean ownInvitation =
        EventType.INVITED.wire().equals(event.type())
            && event.payload() != null
            && agent.equals(event.payload().getString(Fields.INVITEE));
    history.add(event.sequence(), ownInvitation);
    if (EventType.MESSAGE.wire().equals(event.type()) && event.payload() != null) {
      JsonObject message = event.payload();
      Long payloadSequence = message.getLong(Fields.SEQUENCE);
      String id = message.getString(Fields.ID);
      if (payloadSequence == null || payloadSequence != event.sequence()) {
        mismatch(agent, event, "payload.sequence=" + payloadSequence);
      }
      if (id != null) {
        Long before = deliveredSequenceOfMessage.putIfAbsent(id, event.sequence());
        if (before != null && before != event.sequence()) {
          mismatch(agent, event, id + " was also delivered as " + before);
        }
      }
    }
  }

  /** Events received so far by one agent in one session. */
  public int count(String agent, String sessionId) {
    History history = histories.get(key(agent, sessionId));
    return history == null ? 0 : history.size();
  }

  private synchronized void mismatch(String agent, Event event, String detail) {
    onReceipt.add(
        new Violation(Kind.SEQUENCE_MISMATCH, agent, event.sessionId(), event.sequence(), detail));
  }

  public synchronized Verdict verdict() {
    List<Violation> found = new ArrayList<>(onReceipt);
    long[] count = {onReceipt.size()};
    int checked = 0;
    for (Map.Entry<String, List<String>> session : participants.entrySet()) {
      String sessionId = session.getKey();
      Map<Long, String> messages = acked.getOrDefault(sessionId, Map.of());
      for (Map.Entry<Long, String> ack : new java.util.TreeMap<>(messages).entrySet()) {
        Long delivered = deliveredSequenceOfMessage.get(ack.getValue());
        if (delivered != null && delivered.longValue() != ack.getKey()) {
          add(
              found,
              count,
              new Violation(
                  Kind.SEQUENCE_MISMATCH,
                  null,
                  sessionId,
                  ack.getKey(),
                  ack.getValue()
                      + " acknowledged as "
                      + ack.getKey()
                      + ", delivered as "
                      + delivered));
        }
      }
      for (String agent : session.getValue()) {
        checked++;
        History history = histories.get(key(agent, sessionId));
        BitSet seen =
            history == null ? new BitSet() : judge(agent, sessionId, history, found, count);
        for (Long sequence : new java.util.TreeSet<>(messages.keySet())) {
          if (!seen.get(Math.toIntExact(sequence))) {
            add(found, count, new Violation(Kind.MISSING, agent, sessionId, sequence, null));
          }
        }
      }
    }
    return new Verdict(checked, count[0], List.copyOf(found));
  }

  /** Checks one stream's order; returns the sequences it delivered. */
  private static BitSet judge(
      String agent, String sessionId, History history, List<Violation> found, long[] count) {
    long[] seqs = history.sequences();
    BitSet seen = new BitSet();
    int start = 0;
    if (history.firstIsOwnInvitation && seqs.length > 1 && seqs[1] < seqs[0]) {
      seen.set(Math.toIntExact(seqs[0])); // the invitation, before the transcript restarts at 0
      start = 1;
    }
    long last = -1;
    for (int i = start; i < seqs.length; i++) {
      int s = Math.toIntExact(seqs[i]);
      if (seen.get(s)) {
        add(found, count, new Violation(Kind.DUPLICATE, agent, sessionId, s, null));
        continue;
      }
      seen.set(s);
      if (s < last) {
        add(found, count, new Violation(Kind.REORDERED, agent, sessionId, s, "after " + last));
        continue;
      }
      long expected = last + 1;
      while (expected < s && seen.get(Math.toIntExact(expected))) {
        expected++; // delivered before the restart (the invitation)
      }
      if (s > expected) {
        add(
            found,
            count,
            new Violation(Kind.GAP, agent, sessionId, expected, "next received was " + s));
      }
      last = s;
    }
    return seen;
  }

  private static void add(List<Violation> found, long[] count, Violation violation) {
    count[0]++;
    if (found.size() < KEPT_VIOLATIONS) {
      found.add(violation);
    }
  }

  private static String key(String agent, String sessionId) {
    return agent + ' ' + sessionId;
  }

  /** The sequences one agent received in one session, in arrival order. */
  private static final class History {
    private long[] sequences = new long[16];
    private int size;
    private boolean firstIsOwnInvitation;

    synchronized void add(long sequence, boolean ownInvitation) {
      if (size == 0) {
        firstIsOwnInvitation = ownInvitation;
      }
      if (size == sequences.length) {
        sequences = Arrays.copyOf(sequences, size * 2);
      }
      sequences[size++] = sequence;
    }

    synchronized int size() {
      return size;
    }

    synchronized long[] sequences() {
      return Arrays.copyOf(sequences, size);
    }
  }
}
