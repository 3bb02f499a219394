package dev.asp.protocol;

/**
 * Who may contact an agent. {@code allowlist} (the default, empty = closed) admits only listed
 * handles or owners; {@code open} means "I have no gate", which is not "reachable by all": the
 * other side's allowlist and blocks still apply.
 */
public enum InboundPolicy {
  ALLOWLIST("allowlist"),
  OPEN("open");

  private final String wire;

  InboundPolicy(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The policy for a wire name, or {@code null} if unknown. */
  public static InboundPolicy fromWire(String wire) {
    for (InboundPolicy policy : values()) {
      if (policy.wire.equals(wire)) {
        return policy;
      }
    }
    return null;
  }
}
