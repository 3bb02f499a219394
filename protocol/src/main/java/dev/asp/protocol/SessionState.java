package dev.asp.protocol;

/** A session is {@code active} or {@code ended}; an ended session can be reopened. */
public enum SessionState {
  ACTIVE("active"),
  ENDED("ended");

  private final String wire;

  SessionState(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static SessionState fromWire(String wire) {
    for (SessionState state : values()) {
      if (state.wire.equals(wire)) {
        return state;
      }
    }
    throw new IllegalArgumentException("unknown session state " + wire);
  }
}
