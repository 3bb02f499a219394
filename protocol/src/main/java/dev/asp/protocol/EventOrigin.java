package dev.asp.protocol;

/**
 * Which surface wrote an event (hub spec §2.3): an ASP request, an A2A request, or the hub itself
 * (sweepers, convergence, deliberation phases). The A2A views interpret a message's {@code
 * metadata.a2a} only when the hub wrote it ({@code a2a} or {@code hub}), never an ASP client's own.
 */
public enum EventOrigin {
  ASP("asp"),
  A2A("a2a"),
  HUB("hub");

  private final String wire;

  EventOrigin(String wire) {
    this.wire = wire;
  }

  /** The stored spelling, lower case. */
  public String wire() {
    return wire;
  }

  /**
   * @throws IllegalArgumentException for a spelling that is not an origin (the schema allows none)
   */
  public static EventOrigin fromWire(String wire) {
    for (EventOrigin origin : values()) {
      if (origin.wire.equals(wire)) {
        return origin;
      }
    }
    throw new IllegalArgumentException("unknown event origin " + wire);
  }
}
