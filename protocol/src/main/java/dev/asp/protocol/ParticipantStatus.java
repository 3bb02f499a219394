package dev.asp.protocol;

/** A participant's status in one session. */
public enum ParticipantStatus {
  INVITED("invited"),
  JOINED("joined"),
  LEFT("left");

  private final String wire;

  ParticipantStatus(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static ParticipantStatus fromWire(String wire) {
    for (ParticipantStatus status : values()) {
      if (status.wire.equals(wire)) {
        return status;
      }
    }
    throw new IllegalArgumentException("unknown participant status " + wire);
  }
}
