package dev.asp.trust;

import dev.asp.storage.DatabaseSettings;

/**
 * Configuration of {@link TrustVerticle}.
 *
 * @param db where the trust tables live
 * @param adminToken the operator admin credential from configuration; {@code null} (or blank)
 *     disables admin authentication, leaving only owner credentials. Never printed.
 * @param busTimeoutMs how long to wait for the session verticle when a block force-leaves sessions
 */
public record TrustSettings(DatabaseSettings db, String adminToken, long busTimeoutMs) {

  public TrustSettings {
    if (db == null) {
      throw new IllegalArgumentException("db is required");
    }
    if (busTimeoutMs <= 0) {
      throw new IllegalArgumentException("busTimeoutMs must be positive");
    }
    // An empty admin token would make an empty bearer an admin credential: treat it as disabled.
    if (adminToken != null && adminToken.isBlank()) {
      adminToken = null;
    }
  }

  public boolean adminEnabled() {
    return adminToken != null;
  }

  @Override
  public String toString() {
    return "TrustSettings[db="
        + db
        + ", admin="
        + (adminEnabled() ? "enabled" : "disabled")
        + ", busTimeoutMs="
        + busTimeoutMs
        + "]";
  }
}
