package dev.asp.operator;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a node runs (P9: roles are configuration). {@code gateway} serves the REST API; {@code
 * delivery} holds WebSockets and serves {@code WS /connect}; {@code session} and {@code trust} own
 * the database. The default node runs all four.
 */
public enum Role {
  GATEWAY,
  SESSION,
  TRUST,
  DELIVERY;

  public static final Set<Role> ALL = EnumSet.allOf(Role.class);

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code gateway,session,...}; throws with the accepted names on anything else. */
  public static Set<Role> parseList(String text) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String part : text.split(",")) {
      String name = part.trim();
      if (name.isEmpty()) {
        continue;
      }
      try {
        roles.add(Role.valueOf(name.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "unknown role '" + name + "' (roles: gateway, session, trust, delivery)");
      }
    }
    if (roles.isEmpty()) {
      throw new IllegalArgumentException(
          "names no role (roles: gateway, session, trust, delivery)");
    }
    return roles;
  }
}
