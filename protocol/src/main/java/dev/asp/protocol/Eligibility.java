package dev.asp.protocol;

import java.util.List;

/**
 * Which events of a session an agent may see, given its current participant status (spec §6) and
 * the event's audience (hub spec §2.3). The same rule serves {@code GET /sessions/{id}/events} (as
 * an SQL filter that mirrors it), live delivery and every A2A view, so all agree.
 *
 * <ul>
 *   <li>{@code joined}: every event, including the transcript from before it joined;
 *   <li>{@code invited}: only its own {@code session.invited} and {@code session.ended};
 *   <li>{@code left}: events up to and including its own (latest) {@code session.left};
 *   <li>and in every status: an event with an audience only if the agent is listed in it.
 * </ul>
 *
 * <p>Extension events ({@code a2a.*}) follow the same rule (pass {@code type} null: they are
 * neither an invitation nor an end). Whether a view shows them at all is the view's choice, not
 * eligibility: the plain ASP views never do.
 */
public final class Eligibility {
  private Eligibility() {}

  /**
   * {@link #eligible(ParticipantStatus, long, String, EventType, String, long, List)} for an event
   * without an audience.
   */
  public static boolean eligible(
      ParticipantStatus status,
      long leftSequence,
      String agent,
      EventType type,
      String subject,
      long sequence) {
    return eligible(status, leftSequence, agent, type, subject, sequence, null);
  }

  /**
   * @param status the agent's participant status
   * @param leftSequence the sequence of the agent's latest {@code session.left}, if status is left
   * @param agent the agent's handle
   * @param type the event's type, or null for an extension type
   * @param subject the handle the event is about (invitee, joiner, leaver...), may be null
   * @param sequence the event's sequence
   * @param audience the handles the event is restricted to, or null for no restriction
   */
  public static boolean eligible(
      ParticipantStatus status,
      long leftSequence,
      String agent,
      EventType type,
      String subject,
      long sequence,
      List<String> audience) {
    if (!inAudience(agent, audience)) {
      return false;
    }
    return switch (status) {
      case JOINED -> true;
      case INVITED ->
          type == EventType.ENDED || (type == EventType.INVITED && agent.equals(subject));
      case LEFT -> sequence <= leftSequence;
    };
  }

  /**
   * Whether an audience lets {@code agent} see its event, whatever the agent's status: a null
   * audience restricts nothing. An excluded agent never sees the event on any view, so delivery may
   * count it as passed for good.
   */
  public static boolean inAudience(String agent, List<String> audience) {
    return audience == null || audience.contains(agent);
  }
}
