package dev.asp.session;

import dev.asp.storage.SchemaMigrator;

/**
 * The session verticle's tables (sessions, participants, events, idempotency keys), migrated with
 * {@link SchemaMigrator#migrate} before the verticle is deployed.
 */
public final class SessionSchema {
  private SessionSchema() {}

  /** Migrations in {@code db/session}, history in {@code session_schema_history}. */
  public static final SchemaMigrator.Module MODULE =
      new SchemaMigrator.Module("session", "classpath:db/session", "session_schema_history");
}
