package dev.asp.trust;

import dev.asp.storage.SchemaMigrator;

/**
 * The trust module's tables (owners, agents, tokens, allowlists, blocks). Migrate with {@code
 * SchemaMigrator.migrate(db, TrustSchema.MODULE)} off the event loop before deploying {@link
 * TrustVerticle}.
 */
public final class TrustSchema {
  private TrustSchema() {}

  public static final SchemaMigrator.Module MODULE =
      new SchemaMigrator.Module("trust", "classpath:db/trust", "trust_schema_history");
}
