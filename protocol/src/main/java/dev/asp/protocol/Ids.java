package dev.asp.protocol;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * Identifiers on the wire: a prefix ({@code sess_}, {@code msg_}, {@code evt_}) followed by a ULID
 * in Crockford base32 (26 characters of {@code [0-9A-Z]}): 48 bits of milliseconds then 80 random
 * bits, so ids sort roughly by creation time and never collide in practice.
 */
public final class Ids {
  public static final String SESSION_PREFIX = "sess_";
  public static final String MESSAGE_PREFIX = "msg_";
  public static final String EVENT_PREFIX = "evt_";

  /** A pipeline or pipeline template of the A2A hub (hub spec §1). */
  public static final String PIPELINE_PREFIX = "pipe_";

  private static final char[] CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private static final Pattern SESSION_ID = Pattern.compile("^sess_[0-9A-Z]+$");
  private static final Pattern PIPELINE_ID = Pattern.compile("^pipe_[0-9A-Z]+$");
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  public static String newSessionId() {
    return SESSION_PREFIX + ulid();
  }

  public static String newMessageId() {
    return MESSAGE_PREFIX + ulid();
  }

  public static String newEventId() {
    return EVENT_PREFIX + ulid();
  }

  public static String newPipelineId() {
    return PIPELINE_PREFIX + ulid();
  }

  /** Whether {@code id} has the form of a pipeline id (it may still name nothing). */
  public static boolean isPipelineId(String id) {
    return id != null && id.length() <= 64 && PIPELINE_ID.matcher(id).matches();
  }

  public static boolean isSessionId(String id) {
    return id != null && id.length() <= 64 && SESSION_ID.matcher(id).matches();
  }

  static String ulid() {
    byte[] random = new byte[10];
    RANDOM.nextBytes(random);
    long time = System.currentTimeMillis();
    char[] out = new char[26];
    for (int i = 9; i >= 0; i--) {
      out[i] = CROCKFORD[(int) (time & 31)];
      time >>>= 5;
    }
    // 80 random bits as 16 base32 digits, five bits at a time.
    long hi =
        ((random[0] & 0xFFL) << 32)
            | ((random[1] & 0xFFL) << 24)
            | ((random[2] & 0xFFL) << 16)
            | ((random[3] & 0xFFL) << 8)
            | (random[4] & 0xFFL);
    long lo =
        ((random[5] & 0xFFL) << 32)
            | ((random[6] & 0xFFL) << 24)
            | ((random[7] & 0xFFL) << 16)
            | ((random[8] & 0xFFL) << 8)
            | (random[9] & 0xFFL);
    for (int i = 17; i >= 10; i--) {
      out[i] = CROCKFORD[(int) (hi & 31)];
      hi >>>= 5;
    }
    for (int i = 25; i >= 18; i--) {
      out[i] = CROCKFORD[(int) (lo & 31)];
      lo >>>= 5;
    }
    return new String(out);
  }
}
