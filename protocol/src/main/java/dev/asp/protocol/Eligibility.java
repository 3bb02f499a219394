package dev.asp.protocol;

/**
 * Which events of a session an agent may see, given its current participant status (spec §6). The
 * same rule serves {@code GET /sessions/{id}/events} and live delivery, so both agree.
 *
 * <ul>
 *   <li>{@code joined}: every event, including the transcript from before it joined;
 *   <li>{@code invited}: only its own {@code session.invited} and {@code session.ended};
 *   <li>{@code left}: events up to and including its own (latest) {@code session.left}.
 * </ul>
 */
public final class Eligibility {
  private Eligibility() {}

  /**
   * @param status the agent's participant status
   * @param leftSequence the sequence of the agent's latest {@code session.left}, if status is left
   * @param agent the agent's handle
   * @param type the event's type
   * @param subject the handle the event is about (invitee, joiner, leaver...), may be null
   * @param sequence the event's sequence
   */
  public static boolean eligible(
      ParticipantStatus status,
      long leftSequence,
      String agent,
      EventType type,
      String subject,
      long sequence) {
    return switch (status) {
      case JOINED -> true;
      case INVITED ->
          type == EventType.ENDED || (type == EventType.INVITED && agent.equals(subject));
      case LEFT -> sequence <= leftSequence;
    };
  }
}
