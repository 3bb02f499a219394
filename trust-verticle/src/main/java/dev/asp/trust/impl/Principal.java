package dev.asp.trust.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Handle;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.json.JsonObject;

/**
 * Who performs an admin operation: the operator admin ({@code owner == null}) or one owner. The
 * gateway obtains it from {@code AUTHENTICATE_ADMIN} and passes it along; the trust verticle
 * enforces scope so no caller can forget to.
 */
public record Principal(String owner) {
  private static final Principal ADMIN = new Principal(null);

  /** Reads {@code principal} from a request; a missing or malformed one is unauthenticated. */
  public static Principal from(JsonObject body) {
    Object value = body.getValue(BusFields.PRINCIPAL);
    if (value instanceof JsonObject principal) {
      String role = principal.getValue(BusFields.ROLE) instanceof String r ? r : null;
      if (BusFields.ROLE_ADMIN.equals(role)) {
        return ADMIN;
      }
      Object owner = principal.getValue(BusFields.OWNER);
      if (BusFields.ROLE_OWNER.equals(role)
          && owner instanceof String name
          && Handle.isValidOwner(name)) {
        return new Principal(name);
      }
    }
    throw new AspException(ErrorCode.UNAUTHENTICATED, "admin or owner credentials required");
  }

  /** For logs: {@code admin} or {@code owner <name>}. */
  @Override
  public String toString() {
    return isAdmin() ? "admin" : "owner " + owner;
  }

  public static Principal admin() {
    return ADMIN;
  }

  public boolean isAdmin() {
    return owner == null;
  }

  /**
   * Whether this principal may see and change the agent. An owner asking about someone else's agent
   * must get the same answer as for a handle that does not exist, hence a boolean the caller turns
   * into {@code not_found}.
   */
  public boolean manages(String handle) {
    return isAdmin() || owner.equals(Handle.owner(handle));
  }

  /** Fails {@link ErrorCode#FORBIDDEN} unless this is the operator admin. */
  public void requireAdmin() {
    if (!isAdmin()) {
      throw new AspException(ErrorCode.FORBIDDEN, "operator admin credentials required");
    }
  }

  /** Fails {@link ErrorCode#FORBIDDEN} unless this principal may act for {@code ownerName}. */
  public void requireOwnerOrAdmin(String ownerName) {
    if (!isAdmin() && !owner.equals(ownerName)) {
      throw new AspException(ErrorCode.FORBIDDEN, "an owner may only act in its own namespace");
    }
  }
}
