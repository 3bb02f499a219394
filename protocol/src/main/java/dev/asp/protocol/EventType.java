package dev.asp.protocol;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The {@code type} of every ASP event on the wire. A session's log may also hold extension events
 * of the A2A layer, typed {@code a2a.<name>} (see {@link #isExtension}); they are not constants
 * here, and the plain ASP views ({@code WS /connect}, {@code GET /sessions/{id}/events}) never show
 * them.
 */
public enum EventType {
  INVITED("session.invited"),
  JOINED("session.joined"),
  DISCONNECTED("session.disconnected"),
  RECONNECTED("session.reconnected"),
  LEFT("session.left"),
  MESSAGE("session.message"),
  ENDED("session.ended"),
  REOPENED("session.reopened");

  /** The form of an extension event type: {@code a2a.} and a lower-case name. */
  public static final Pattern EXTENSION = Pattern.compile("^a2a\\.[a-z_]+$");

  private static final Map<String, EventType> BY_WIRE =
      Arrays.stream(values()).collect(Collectors.toMap(EventType::wire, Function.identity()));

  private final String wire;

  EventType(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The type for a wire name, or {@code null} if unknown (an extension type included). */
  public static EventType fromWire(String wire) {
    return BY_WIRE.get(wire);
  }

  /** Whether {@code type} is an extension event type {@code a2a.<name>}. */
  public static boolean isExtension(String type) {
    return type != null && EXTENSION.matcher(type).matches();
  }

  /** Every ASP type's wire name, in declaration order (the bound list of the ASP views). */
  public static String[] wires() {
    return Arrays.stream(values()).map(EventType::wire).toArray(String[]::new);
  }
}
