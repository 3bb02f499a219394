package dev.asp.a2a.impl;

import dev.asp.protocol.SessionKind;

/** The views and channels of a node's stream (hub spec §5.3). */
public final class PullChannels {
  private PullChannels() {}

  /** Poll, SSE and heartbeat share this view's acknowledged position. */
  public static final String PULL = "pull";

  /** Long-poll and SSE: one reader at a time. */
  public static final String POLL = "poll";

  /**
   * The channel of rows whose response was not written (the write failed): they belong to none
   * until they are handed out again, so no request waits for their report.
   */
  public static final String NONE = "";

  /** Events carried by heartbeats. */
  public static final String HEARTBEAT = "heartbeat";

  /**
   * The direct-message inbox (§7): a view of its own with one channel of the same name. It reads
   * only dm sessions and shows only {@code direct_message}; whatever else they hold passes in
   * silence (its position moves).
   */
  public static final String INBOX = "inbox";

  /** Reply field: true when another request of the node and channel took over (§5.3). */
  public static final String SUPERSEDED = "superseded";

  /**
   * Request field: false for the follow-up pulls of one stream, which keep the channel only while
   * no other request took it (default true: a new poll takes the channel).
   */
  public static final String CLAIM = "claim";

  /** Whether {@code view} shows an event mapped to {@code type}; the others pass in silence. */
  static boolean shows(String view, String type) {
    return !INBOX.equals(view) || EventViews.DIRECT_MESSAGE.equals(type);
  }

  /** The only session kind {@code view} reads, or null for every kind. */
  static String kindOf(String view) {
    return INBOX.equals(view) ? SessionKind.DM.wire() : null;
  }
}
