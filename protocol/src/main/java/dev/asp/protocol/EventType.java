package dev.asp.protocol;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The {@code type} of every event on the wire. */
public enum EventType {
  INVITED("session.invited"),
  JOINED("session.joined"),
  DISCONNECTED("session.disconnected"),
  RECONNECTED("session.reconnected"),
  LEFT("session.left"),
  MESSAGE("session.message"),
  ENDED("session.ended"),
  REOPENED("session.reopened");

  private static final Map<String, EventType> BY_WIRE =
      Arrays.stream(values()).collect(Collectors.toMap(EventType::wire, Function.identity()));

  private final String wire;

  EventType(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The type for a wire name, or {@code null} if unknown. */
  public static EventType fromWire(String wire) {
    return BY_WIRE.get(wire);
  }
}
