package dev.asp.a2a.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The phase machine of a deliberation (hub spec §12), without I/O: which dialog types a phase
 * takes, what counts as a contribution, and what a round's votes decide. {@link Deliberations}
 * stores what these functions answer.
 */
final class DeliberationRules {
  static final String DIVERGING = "diverging";
  static final String CHALLENGING = "challenging";
  static final String CONVERGING = "converging";
  static final String COMPLETED = "completed";
  static final String FAILED = "failed";

  static final String APPROVE = "approve";
  static final String REJECT = "reject";
  static final String REVISE = "revise";
  static final String NO_DECISION = "no_decision";
  static final List<String> VOTES = List.of(APPROVE, REJECT, REVISE);

  static final double DEFAULT_CONFIDENCE = 0.5;

  private static final Map<String, Set<String>> ALLOWED =
      Map.of(
          DIVERGING,
          Set.of("respond"),
          CHALLENGING,
          Set.of("challenge", "agree", "disagree", "build_on", "amend", "second", "respond"),
          CONVERGING,
          Set.of("vote", "synthesize", "respond"));

  private DeliberationRules() {}

  /** The default threshold of a mode (the [choice]: the mode changes only this). */
  static double threshold(String mode) {
    return switch (mode) {
      case "debate" -> 0.8;
      case "consensus" -> 0.6;
      default -> 0.7;
    };
  }

  static boolean running(String status) {
    return ALLOWED.containsKey(status);
  }

  /** Whether {@code phase} takes a post of {@code type}. */
  static boolean allowed(String phase, String type) {
    return ALLOWED.getOrDefault(phase, Set.of()).contains(type);
  }

  /** Whether a post of {@code type} in {@code phase} is the participant's contribution to it. */
  static boolean contributes(String phase, String type) {
    return CONVERGING.equals(phase) ? "vote".equals(type) : allowed(phase, type);
  }

  /** The phase after {@code phase} within a round; null after converging (the round is over). */
  static String next(String phase) {
    return switch (phase) {
      case DIVERGING -> CHALLENGING;
      case CHALLENGING -> CONVERGING;
      default -> null;
    };
  }

  /** One participant's latest vote of a round. */
  record Vote(String node, String vote, double confidence, String reasoning) {}

  /** What the end of a round's converging phase decides. */
  record Outcome(
      double score,
      boolean completed,
      String decision,
      Map<String, Integer> counts,
      List<Vote> dissent) {}

  /**
   * The convergence score: the confidence of approve votes over the confidence of all; the plain
   * share of approve votes when every weight is 0; 0 with no votes.
   */
  static double score(List<Vote> votes) {
    if (votes.isEmpty()) {
      return 0;
    }
    double approve = 0;
    double all = 0;
    long approveCount = 0;
    for (Vote vote : votes) {
      all += vote.confidence();
      if (APPROVE.equals(vote.vote())) {
        approve += vote.confidence();
        approveCount++;
      }
    }
    return all == 0 ? (double) approveCount / votes.size() : approve / all;
  }

  /**
   * A round's end: completed with {@code approve} at or above the threshold; otherwise another
   * round while rounds remain; otherwise completed with the confidence-weighted plurality (a tie is
   * {@code revise}, no vote at all {@code no_decision}). The dissent is every vote that differs
   * from the decision.
   */
  static Outcome decide(List<Vote> votes, double threshold, int round, int maxRounds) {
    double score = score(votes);
    Map<String, Integer> counts = new java.util.LinkedHashMap<>();
    VOTES.forEach(v -> counts.put(v, 0));
    votes.forEach(v -> counts.merge(v.vote(), 1, Integer::sum));
    String decision;
    if (!votes.isEmpty() && score >= threshold) {
      decision = APPROVE;
    } else if (round < maxRounds) {
      return new Outcome(score, false, null, counts, List.of());
    } else {
      decision = plurality(votes);
    }
    List<Vote> dissent = new ArrayList<>();
    for (Vote vote : votes) {
      if (!vote.vote().equals(decision)) {
        dissent.add(vote);
      }
    }
    return new Outcome(score, true, decision, counts, dissent);
  }

  private static String plurality(List<Vote> votes) {
    if (votes.isEmpty()) {
      return NO_DECISION;
    }
    double total = votes.stream().mapToDouble(Vote::confidence).sum();
    Map<String, Double> weight = new java.util.HashMap<>();
    for (Vote vote : votes) {
      // every weight 0: each vote counts one, as the score does
      weight.merge(vote.vote(), total == 0 ? 1 : vote.confidence(), Double::sum);
    }
    String best = null;
    double top = -1;
    boolean tie = false;
    for (String option : VOTES) {
      double w = weight.getOrDefault(option, 0.0);
      if (w > top) {
        best = option;
        top = w;
        tie = false;
      } else if (w == top && w > 0) {
        tie = true;
      }
    }
    return tie ? REVISE : best;
  }
}
