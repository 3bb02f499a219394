package dev.asp.trust;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.storage.DatabaseSettings;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Start-up")
class StartupTest {

  @Test
  @DisplayName(
      "fails when the trust schema has not been migrated, instead of failing every request")
  void refusesUnmigratedDatabase() {
    DatabaseSettings db = TestDatabase.fresh();
    Vertx vertx = Vertx.vertx();
    try {
      AsyncResult<String> deployed =
          vertx
              .deployVerticle(new TrustVerticle(new TrustSettings(db, null, 1_000)))
              .<AsyncResult<String>>transform(Future::succeededFuture)
              .await();
      assertTrue(deployed.failed());
    } finally {
      vertx.close().await();
    }
  }
}
