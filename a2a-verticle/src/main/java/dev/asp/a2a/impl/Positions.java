package dev.asp.a2a.impl;

import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Where a view stands in each session: {@code prefix} (every eligible event up to it handled) and
 * {@code extras} (handled sequences above it). Read with the log rows a pull scans (the scan joins
 * the view's positions), written back under the view's row lock, which keeps them from moving in
 * between.
 */
final class Positions {
  private Positions() {}

  /** A session's position as read; {@code prefix} -1 and no extras when it has none yet. */
  record Known(long prefix, Long[] extras) {
    /** From a row of {@code NEW_EVENTS} ({@code pos_prefix}, {@code pos_extras}). */
    static Known of(Row row) {
      Long prefix = row.getLong("pos_prefix");
      if (prefix == null) {
        return new Known(-1, new Long[0]);
      }
      Long[] extras = row.getArrayOfLongs("pos_extras");
      return new Known(prefix, extras == null ? new Long[0] : extras);
    }
  }

  /**
   * The {@code SAVE_POSITION} rows that add the handled sequences per session to its known position
   * and move each prefix over what became contiguous.
   */
  static List<Tuple> saves(
      String node, String view, Map<String, TreeSet<Long>> handled, Map<String, Known> known) {
    List<Tuple> saves = new ArrayList<>(handled.size());
    handled.forEach(
        (session, sequences) -> {
          Known position = known.getOrDefault(session, new Known(-1, new Long[0]));
          TreeSet<Long> set = new TreeSet<>(sequences);
          for (Long extra : position.extras()) {
            set.add(extra);
          }
          long prefix = position.prefix();
          while (!set.isEmpty() && set.first() <= prefix + 1) {
            prefix = Math.max(prefix, set.pollFirst());
          }
          saves.add(Tuple.of(node, view, session, prefix, set.toArray(Long[]::new)));
        });
    return saves;
  }
}
