package dev.asp.trust;

import static dev.asp.trust.Nodes.anonymous;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.protocol.bus.NodeFields;
import dev.asp.protocol.bus.TrustAction;
import dev.asp.storage.DatabaseSettings;
import dev.asp.storage.SchemaMigrator;
import dev.asp.testkit.TestDatabase;
import dev.asp.trust.impl.NodeIdentity;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The hub id: generated once per deployment, stored, agreed on by every node")
class HubIdentityTest {

  @Test
  @DisplayName("nodes generating it at the same moment all end up with the one stored")
  void concurrentGeneration() {
    DatabaseSettings db = TestDatabase.fresh();
    SchemaMigrator.migrate(db, TrustSchema.MODULE);
    Vertx vertx = Vertx.vertx();
    List<Pool> pools = new ArrayList<>();
    try {
      List<Future<String>> loaded = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Pool pool = db.pool(vertx);
        pools.add(pool);
        loaded.add(NodeIdentity.loadHubNodeId(pool, null));
      }
      Future.all(loaded).await();
      Set<String> ids = new HashSet<>();
      loaded.forEach(f -> ids.add(f.result()));
      assertEquals(1, ids.size(), ids::toString);
      String id = ids.iterator().next();
      assertTrue(Nodes.HUB_ID.matcher(id).matches(), id);
      String stored =
          pools
              .get(0)
              .query("SELECT hub_node_id FROM hub_identity")
              .execute()
              .await()
              .iterator()
              .next()
              .getString(0);
      assertEquals(id, stored);
    } finally {
      pools.forEach(p -> p.close().await());
      vertx.close().await();
    }
  }

  @Test
  @DisplayName("another trust verticle started later on the same database reports the same id")
  void laterNodeAgrees() {
    try (TrustFixture trust = TrustFixture.start()) {
      String id =
          trust.call(TrustAction.NODE_HELLO, anonymous(null)).getString(NodeFields.HUB_NODE_ID);
      trust
          .vertx
          .deployVerticle(new TrustVerticle(new TrustSettings(trust.db, null, 5_000)))
          .await();
      // Both verticles now serve the address in turn: every reply carries the same id.
      for (int i = 0; i < 6; i++) {
        assertEquals(
            id,
            trust.call(TrustAction.NODE_HELLO, anonymous(null)).getString(NodeFields.HUB_NODE_ID));
      }
      assertEquals(1, trust.count("SELECT count(*) FROM hub_identity"));
    }
  }
}
