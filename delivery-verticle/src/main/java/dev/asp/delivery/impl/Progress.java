package dev.asp.delivery.impl;

import io.vertx.core.json.JsonArray;
import java.util.TreeSet;

/**
 * Which events of one session have been delivered to an agent: every eligible event up to {@code
 * prefix}, plus the sequences in {@code extras} beyond it. Eligibility can skip events (an invited
 * agent sees only its invitation and the end), so delivery is not always a plain prefix; when the
 * agent joins, the skipped transcript is delivered and the prefix closes over it.
 */
final class Progress {
  private long prefix;
  private final TreeSet<Long> extras = new TreeSet<>();

  Progress(long prefix, JsonArray extras) {
    this.prefix = prefix;
    if (extras != null) {
      for (Object seq : extras) {
        add(((Number) seq).longValue());
      }
    }
  }

  boolean contains(long sequence) {
    return sequence <= prefix || extras.contains(sequence);
  }

  boolean isNext(long sequence) {
    return sequence == prefix + 1;
  }

  long prefix() {
    return prefix;
  }

  void add(long sequence) {
    if (contains(sequence)) {
      return;
    }
    if (sequence == prefix + 1) {
      prefix = sequence;
      while (extras.remove(prefix + 1)) {
        prefix++;
      }
    } else {
      extras.add(sequence);
    }
  }

  JsonArray extras() {
    return new JsonArray(extras.stream().toList());
  }
}
