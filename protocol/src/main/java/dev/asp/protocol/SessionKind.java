package dev.asp.protocol;

/**
 * What a session backs (hub spec §2.2). ASP sessions are {@code asp}; the A2A layer creates the
 * others, each with its own lifecycle, so only an {@code asp} session may be reopened through ASP.
 * Every ASP route other than reopen works on every kind.
 */
public enum SessionKind {
  /** Created by {@code POST /sessions}. */
  ASP("asp"),
  /** An A2A collaboration session ({@code POST /a2a/session/create}). */
  A2A("a2a"),
  /** The one session of a pair of nodes exchanging direct messages. */
  DM("dm"),
  /** The backing session of a deliberation. */
  DELIBERATION("deliberation"),
  /** The backing session of a pipeline. */
  PIPELINE("pipeline"),
  /** A node's own session carrying its subscription notices. */
  NOTICE("notice");

  private final String wire;

  SessionKind(String wire) {
    this.wire = wire;
  }

  /** The stored (and wire) spelling, lower case. */
  public String wire() {
    return wire;
  }

  /**
   * @throws IllegalArgumentException for a spelling that is not a kind (the schema allows none)
   */
  public static SessionKind fromWire(String wire) {
    for (SessionKind kind : values()) {
      if (kind.wire.equals(wire)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("unknown session kind " + wire);
  }
}
