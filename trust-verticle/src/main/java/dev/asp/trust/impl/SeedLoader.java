package dev.asp.trust.impl;

import static dev.asp.trust.impl.AdminOperations.update;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Handle;
import dev.asp.protocol.InboundPolicy;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the start-up seed in the reference operator's shape: {@code {handle: token | {token,
 * inbound_policy?, allowlist?}}}. The whole seed is validated before anything is written, then
 * applied in one transaction, so a bad seed leaves the database untouched.
 *
 * <p>Idempotent: existing owners, agents and tokens are kept as they are (a token revoked since the
 * last start stays revoked, a deleted agent stays deleted); an explicit {@code inbound_policy} or
 * {@code allowlist} is (re)applied, the allowlist being replaced entry by entry so that applying
 * the same seed twice leaves identical rows.
 */
public final class SeedLoader {
  private static final Logger LOG = LoggerFactory.getLogger(SeedLoader.class);

  private final Pool pool;
  private final String nodeOwner;

  /**
   * @param nodeOwner the owner reserved for hub nodes: a seed naming any of its agents is refused
   */
  public SeedLoader(Pool pool, String nodeOwner) {
    this.pool = pool;
    this.nodeOwner = nodeOwner;
  }

  /** One validated seed entry; {@code policy} and {@code allowlist} are null when not given. */
  public record SeedAgent(
      String handle, String token, InboundPolicy policy, List<String> allowlist) {
    @Override
    public String toString() {
      return "SeedAgent[handle=" + handle + ", policy=" + policy + ", allowlist=" + allowlist + "]";
    }
  }

  /**
   * {@code {agents:{...}}} → {@code {agents:n}}; {@code invalid_request} for a malformed seed,
   * {@code conflict} for an agent of the owner reserved for hub nodes (they register by hello).
   */
  public Future<JsonObject> seed(JsonObject body) {
    List<SeedAgent> agents = parse(body);
    for (SeedAgent agent : agents) {
      if (Handle.owner(agent.handle()).equals(nodeOwner)) {
        throw new AspException(
            ErrorCode.CONFLICT,
            "seed: " + agent.handle() + ": this owner is reserved for hub nodes");
      }
    }
    long now = System.currentTimeMillis();
    return pool.withTransaction(
            conn -> {
              Future<Void> chain = Future.succeededFuture();
              for (SeedAgent agent : agents) {
                chain = chain.compose(v -> apply(conn, agent, now));
              }
              return chain;
            })
        .onSuccess(v -> LOG.info("seed applied: {} agent(s)", agents.size()))
        .map(v -> new JsonObject().put(BusFields.AGENTS, agents.size()));
  }

  /**
   * Validates a whole seed. Failures are {@code invalid_request} naming the handle, never the
   * token.
   */
  public static List<SeedAgent> parse(JsonObject body) {
    if (!(body.getValue(BusFields.AGENTS) instanceof JsonObject seed)) {
      throw Requests.invalid("seed: expected {agents:{handle: token | {token, ...}}}");
    }
    List<SeedAgent> agents = new ArrayList<>();
    Set<String> tokens = new HashSet<>();
    for (Map.Entry<String, Object> item : seed) {
      SeedAgent agent = parseAgent(item.getKey(), item.getValue());
      if (!tokens.add(agent.token())) {
        throw Requests.invalid("seed: " + agent.handle() + " reuses another agent's token");
      }
      agents.add(agent);
    }
    return agents;
  }

  private static SeedAgent parseAgent(String handle, Object value) {
    if (!Handle.isValid(handle)) {
      throw Requests.invalid("seed: invalid handle " + handle);
    }
    if (value instanceof String token && !token.isEmpty()) {
      return new SeedAgent(handle, token, null, null);
    }
    if (!(value instanceof JsonObject entry)) {
      throw Requests.invalid(
          "seed: " + handle + ": expected a token or {token, inbound_policy?, allowlist?}");
    }
    try {
      return new SeedAgent(
          handle,
          Requests.text(entry, BusFields.TOKEN),
          Requests.optionalPolicy(entry, BusFields.INBOUND_POLICY),
          Requests.optionalAllowlist(entry, BusFields.ALLOWLIST));
    } catch (AspException e) {
      throw Requests.invalid("seed: " + handle + ": " + e.getMessage());
    }
  }

  private static Future<Void> apply(SqlConnection conn, SeedAgent agent, long now) {
    String handle = agent.handle();
    String owner = Handle.owner(handle);
    InboundPolicy initial = agent.policy() == null ? InboundPolicy.ALLOWLIST : agent.policy();
    Tokens.Issued issued = Tokens.forToken(agent.token());
    Future<Void> done =
        update(conn, TrustQueries.ENSURE_OWNER, Tuple.of(owner, now))
            .compose(
                v ->
                    update(
                        conn,
                        TrustQueries.ENSURE_AGENT,
                        Tuple.of(handle, owner, initial.wire(), now)))
            .compose(
                v ->
                    update(
                        conn,
                        TrustQueries.ENSURE_AGENT_TOKEN,
                        Tuple.of(issued.tokenId(), issued.hash(), handle, now)))
            .compose(v -> requireTokenOf(conn, handle, issued));
    if (agent.policy() != null) {
      done =
          done.compose(
              v -> update(conn, TrustQueries.SET_POLICY, Tuple.of(handle, agent.policy().wire())));
    }
    if (agent.allowlist() != null) {
      String[] entries = agent.allowlist().toArray(String[]::new);
      done =
          done.compose(
                  v ->
                      update(
                          conn,
                          TrustQueries.RETAIN_ENTRIES,
                          Tuple.tuple().addString(handle).addArrayOfString(entries)))
              .compose(v -> update(conn, TrustQueries.ADD_ENTRIES, Tuple.of(handle, entries, now)));
    }
    return done;
  }

  /**
   * A seed token already held by another agent would silently authenticate as that agent: refuse
   * the seed instead.
   */
  private static Future<Void> requireTokenOf(
      SqlConnection conn, String handle, Tokens.Issued issued) {
    return conn.preparedQuery(TrustQueries.HANDLE_OF_TOKEN_HASH)
        .execute(Tuple.of(issued.hash()))
        .compose(
            rows ->
                handle.equals(rows.iterator().next().getString("handle"))
                    ? Future.succeededFuture()
                    : Future.failedFuture(
                        new AspException(
                            ErrorCode.INVALID_REQUEST,
                            "seed: " + handle + ": token already belongs to another agent")));
  }
}
