package dev.asp.a2a;

import dev.asp.storage.SchemaMigrator;

/**
 * The A2A verticle's tables (node records, A2A session attributes, pull-view positions), migrated
 * after the session module's (they reference its sessions).
 */
public final class A2aSchema {
  private A2aSchema() {}

  /** Migrations in {@code db/a2a}, history in {@code a2a_schema_history}. */
  public static final SchemaMigrator.Module MODULE =
      new SchemaMigrator.Module("a2a", "classpath:db/a2a", "a2a_schema_history");
}
