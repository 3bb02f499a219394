package dev.asp.protocol.a2a;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Times on the A2A wire (hub spec §1 "Times"): ISO-8601 UTC strings with exactly three fraction
 * digits, e.g. {@code 2026-03-27T10:00:00.123Z}. The ASP surface keeps epoch milliseconds; this is
 * the one place that converts.
 */
public final class A2aTimes {
  // Fixed width on purpose: Instant.toString() drops a zero fraction ("...:00Z") and some clients
  // parse the timestamp with a fixed pattern.
  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private A2aTimes() {}

  /** {@code epochMs} as {@code yyyy-MM-ddTHH:mm:ss.SSSZ} in UTC, always three fraction digits. */
  public static String iso(long epochMs) {
    return ISO_MILLIS.format(Instant.ofEpochMilli(epochMs));
  }
}
