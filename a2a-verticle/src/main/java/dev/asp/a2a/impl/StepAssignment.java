package dev.asp.a2a.impl;

import dev.asp.protocol.a2a.Capabilities;
import io.vertx.core.json.JsonArray;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Who takes a pipeline step when it becomes current (hub spec §13 [choice]): a pure rule over the
 * candidates' stored facts; SQL only reads those facts and stores the pick.
 *
 * <ul>
 *   <li>a step's keywords are those of its role and capabilities, normalised like declared
 *       capabilities ({@link Capabilities#keywords});
 *   <li>a candidate's score is the number of distinct keywords it shares with the step; at least 1
 *       is a match;
 *   <li>the best match wins; ties go to the fewest steps active elsewhere, then the least recently
 *       picked (never picked first), then the node id (the handle, in code-point order).
 * </ul>
 *
 * Who is a candidate at all (a node record, alive, not the creator, reachable under trust) is
 * decided before: the caller passes only those.
 */
final class StepAssignment {
  private StepAssignment() {}

  /**
   * The facts of one candidate, read under the pipeline's session lock.
   *
   * @param keywords the node's declared keywords
   * @param activeSteps steps of other running pipelines it is the assignee of now
   * @param lastPicked when it was last picked (for a deliberation or a step), or null: never
   */
  record Candidate(String handle, List<String> keywords, long activeSteps, Long lastPicked) {}

  /** The keywords of a step: its role and its capabilities, as one declaration. */
  static List<String> keywords(String role, List<String> capabilities) {
    JsonArray declared = new JsonArray().add(role);
    for (String capability : capabilities) {
      declared.add(capability);
    }
    return Capabilities.keywords(declared);
  }

  /** The number of distinct keywords the step and the node share. */
  static int score(List<String> stepKeywords, List<String> nodeKeywords) {
    Set<String> node = new HashSet<>(nodeKeywords);
    int shared = 0;
    for (String keyword : new HashSet<>(stepKeywords)) {
      if (node.contains(keyword)) {
        shared++;
      }
    }
    return shared;
  }

  /** The candidate that takes the step, or null when none matches (the pipeline stalls). */
  static Candidate pick(List<String> stepKeywords, List<Candidate> candidates) {
    Comparator<Candidate> best =
        Comparator.comparingInt((Candidate c) -> -score(stepKeywords, c.keywords()))
            .thenComparingLong(Candidate::activeSteps)
            .thenComparing(Candidate::lastPicked, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(Candidate::handle);
    return candidates.stream()
        .filter(c -> score(stepKeywords, c.keywords()) >= 1)
        .min(best)
        .orElse(null);
  }
}
