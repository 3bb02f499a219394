package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asp.client.AspClient;
import dev.asp.client.NewSession;
import dev.asp.storage.DatabaseSettings;
import dev.asp.testkit.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The start-up seed")
class SeedTest {
  @TempDir Path dir;

  @Test
  @DisplayName("loads the reference operator's shape, and loading it again changes nothing")
  void seed() throws IOException {
    Path seed = dir.resolve("seed.json");
    Files.writeString(
        seed,
        """
        {"@alice.test": "tok_alice",
         "@bob.test": {"token": "tok_bob", "inbound_policy": "open", "allowlist": ["@acme.*"]}}
        """);
    DatabaseSettings db = TestDatabase.fresh();
    Map<String, String> settings = Map.of("ASP_SEED_FILE", seed.toString());
    for (int start = 0; start < 2; start++) {
      try (OperatorHarness operator = OperatorHarness.start(db, settings)) {
        AspClient alice = operator.client("tok_alice");
        AspClient bob = operator.client("tok_bob");
        assertEquals(
            404,
            org.junit.jupiter.api.Assertions.assertThrows(
                    dev.asp.client.AspClientException.class,
                    () -> bob.createSession(NewSession.inviting("@alice.test")).await())
                .status(),
            "alice's default allowlist is empty");
        operator.admin.allow("@alice.test", "@bob.test").await();
        alice.createSession(NewSession.inviting("@bob.test")).await();
        operator.admin.disallow("@alice.test", "@bob.test").await();
        assertEquals(2, operator.admin.listAgents().await().size());
        assertEquals(
            1, operator.count("SELECT count(*) FROM agent_tokens WHERE handle = '@bob.test'"));
      }
    }
  }
}
