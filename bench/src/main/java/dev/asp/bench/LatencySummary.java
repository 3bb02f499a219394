package dev.asp.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

/**
 * Percentiles of a latency histogram recorded in microseconds, reported in milliseconds.
 *
 * @param count recorded values
 */
public record LatencySummary(
    long count, double p50, double p90, double p99, double p999, double max, double mean) {

  public static LatencySummary of(Histogram micros) {
    if (micros.getTotalCount() == 0) {
      return new LatencySummary(0, 0, 0, 0, 0, 0, 0);
    }
    return new LatencySummary(
        micros.getTotalCount(),
        ms(micros.getValueAtPercentile(50)),
        ms(micros.getValueAtPercentile(90)),
        ms(micros.getValueAtPercentile(99)),
        ms(micros.getValueAtPercentile(99.9)),
        ms(micros.getMaxValue()),
        micros.getMean() / 1000.0);
  }

  /** The percentiles plotted in the HTML report. */
  public static final double[] CURVE = {
    0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100
  };

  /** Milliseconds at each of {@link #CURVE}'s percentiles. */
  public static JsonArray curve(Histogram micros) {
    JsonArray points = new JsonArray();
    for (double p : CURVE) {
      points.add(micros.getTotalCount() == 0 ? 0.0 : ms(micros.getValueAtPercentile(p)));
    }
    return points;
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("count", count)
        .put("p50_ms", p50)
        .put("p90_ms", p90)
        .put("p99_ms", p99)
        .put("p99_9_ms", p999)
        .put("max_ms", max)
        .put("mean_ms", mean);
  }
}
