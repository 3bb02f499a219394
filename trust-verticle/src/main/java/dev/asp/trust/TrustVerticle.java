package dev.asp.trust;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import dev.asp.protocol.InboundPolicy;
import dev.asp.protocol.bus.ActionDispatcher;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.Drain;
import dev.asp.protocol.bus.TrustAction;
import dev.asp.storage.DbFailures;
import dev.asp.trust.impl.AdminOperations;
import dev.asp.trust.impl.NodeIdentity;
import dev.asp.trust.impl.Requests;
import dev.asp.trust.impl.SeedLoader;
import dev.asp.trust.impl.Tokens;
import dev.asp.trust.impl.TrustQueries;
import dev.asp.trust.impl.TrustRules;
import dev.asp.trust.impl.TrustRules.AgentTrust;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owners, agents, tokens, inbound policies, allowlists and blocks, served at {@link
 * Addresses#TRUST} ({@link TrustAction} is the contract). It answers "who is this token" and "may
 * these agents communicate" for the gateway and the session verticle, and performs the owner/admin
 * operations; a block force-leaves shared sessions through the session verticle. It also holds the
 * identity of hub nodes, the agents the A2A hello registers ({@link NodeIdentity}), and the
 * deployment's hub id, loaded (or generated and stored) once at start.
 *
 * <p>Failure codes: {@code unauthenticated} for unknown, revoked or deleted credentials; {@code
 * not_found} for unknown agents and agents outside an owner's scope; {@code forbidden} for
 * admin-only operations; {@code invalid_handle}/{@code invalid_request} for bad input; {@code
 * conflict} for duplicates and for the owner reserved for hub nodes; {@code unavailable} when the
 * database or session verticle is down. The hub-node actions fail with {@code A2aError}s (see
 * {@link TrustAction#NODE_HELLO}).
 *
 * <p>The schema must be migrated ({@link TrustSchema#MODULE}) before deployment; start-up fails
 * otherwise. Tokens are stored as SHA-256 hashes only and are never logged.
 */
public final class TrustVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(TrustVerticle.class);

  private final TrustSettings settings;

  /** Hash of the admin token, compared in constant time; null when the admin API is disabled. */
  private final byte[] adminTokenHash;

  private Pool pool;
  private ActionDispatcher<TrustAction> dispatcher;
  private MessageConsumer<JsonObject> consumer;

  public TrustVerticle(TrustSettings settings) {
    this.settings = settings;
    this.adminTokenHash = settings.adminEnabled() ? Tokens.sha256(settings.adminToken()) : null;
  }

  @Override
  public Future<?> start() {
    pool = settings.db().pool(vertx, "asp-trust");
    // The schema first: without it the hub id cannot be loaded, and nothing should be served.
    Future<Void> consuming =
        pool.query(TrustQueries.PROBE_SCHEMA)
            .execute()
            .compose(v -> NodeIdentity.loadHubNodeId(pool, settings.hubNodeId()))
            .compose(
                hubNodeId -> {
                  dispatcher = dispatcher(hubNodeId);
                  consumer =
                      vertx.eventBus().<JsonObject>consumer(Addresses.TRUST, dispatcher::handle);
                  return consumer.completion();
                });
    // A failed start never reaches stop(): release the pool here so a retry does not leak it.
    return consuming
        .onSuccess(v -> LOG.info("trust verticle serving {} with {}", Addresses.TRUST, settings))
        .recover(failure -> pool.close().transform(closed -> Future.failedFuture(failure)));
  }

  private ActionDispatcher<TrustAction> dispatcher(String hubNodeId) {
    AdminOperations admin =
        new AdminOperations(
            pool, new BusClient(vertx, settings.busTimeoutMs()), settings.nodeOwner());
    SeedLoader seed = new SeedLoader(pool, settings.nodeOwner());
    NodeIdentity nodes =
        new NodeIdentity(
            pool,
            settings.nodeOwner(),
            settings.nodePolicy(),
            settings.unclaimedReissueMs(),
            hubNodeId,
            this::announceCredentialsChanged);
    return new ActionDispatcher<>(TrustAction.class, DbFailures::map)
        .on(TrustAction.AUTHENTICATE, this::authenticate)
        .on(TrustAction.AUTHENTICATE_ADMIN, this::authenticateAdmin)
        .on(TrustAction.REACHABLE, this::reachable)
        .on(TrustAction.BLOCKED_AMONG, this::blockedAmong)
        .on(TrustAction.CREATE_OWNER, admin::createOwner)
        .on(TrustAction.ROTATE_OWNER_TOKEN, admin::rotateOwnerToken)
        .on(TrustAction.CREATE_AGENT, admin::createAgent)
        .on(TrustAction.LIST_AGENTS, admin::listAgents)
        .on(TrustAction.GET_AGENT, admin::getAgent)
        .on(TrustAction.DELETE_AGENT, credentialsChanged(admin::deleteAgent))
        .on(TrustAction.ISSUE_TOKEN, admin::issueToken)
        .on(TrustAction.ROTATE_TOKENS, credentialsChanged(admin::rotateTokens))
        .on(TrustAction.REVOKE_TOKEN, credentialsChanged(admin::revokeToken))
        .on(TrustAction.SET_POLICY, admin::setPolicy)
        .on(TrustAction.ADD_ALLOWLIST_ENTRY, admin::addAllowlistEntry)
        .on(TrustAction.REMOVE_ALLOWLIST_ENTRY, admin::removeAllowlistEntry)
        .on(TrustAction.BLOCK, admin::block)
        .on(TrustAction.UNBLOCK, admin::unblock)
        .on(TrustAction.SEED, seed::seed)
        .on(TrustAction.NODE_HELLO, nodes::hello)
        .on(TrustAction.NODE_INFO, nodes::info);
  }

  @Override
  public Future<?> stop() {
    if (pool == null) {
      return Future.succeededFuture();
    }
    // Other nodes stop routing here first, requests already accepted are answered, then the pool
    // goes away.
    return consumer
        .unregister()
        .recover(f -> Future.succeededFuture())
        .compose(v -> Drain.within(vertx, dispatcher.idle(), settings.busTimeoutMs()))
        .compose(v -> pool.close());
  }

  /**
   * {@code {token}} → {@code {handle}} of the live agent holding that active token; a hub node's
   * secret is marked used by the same statement.
   */
  private Future<JsonObject> authenticate(JsonObject body) {
    return pool.preparedQuery(TrustQueries.TOKEN_HOLDER)
        .execute(Tuple.of(Tokens.hash(tokenOf(body))))
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw invalidToken();
              }
              return new JsonObject().put(Fields.HANDLE, rows.iterator().next().getString(0));
            });
  }

  /**
   * {@code {token}} → the admin or owner principal. The admin token is checked first, by hash and
   * in constant time; agent tokens live in another table, so they can never pass as owner tokens.
   */
  private Future<JsonObject> authenticateAdmin(JsonObject body) {
    byte[] hash = Tokens.sha256(tokenOf(body));
    if (adminTokenHash != null && MessageDigest.isEqual(adminTokenHash, hash)) {
      return Future.succeededFuture(new JsonObject().put(BusFields.ROLE, BusFields.ROLE_ADMIN));
    }
    return pool.preparedQuery(TrustQueries.OWNER_BY_TOKEN_HASH)
        .execute(Tuple.of(Buffer.buffer(hash)))
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw invalidToken();
              }
              return new JsonObject()
                  .put(BusFields.ROLE, BusFields.ROLE_OWNER)
                  .put(BusFields.OWNER, rows.iterator().next().getString(0));
            });
  }

  /**
   * {@code {from, to:[handle]}} → {@code {reachable:[handle]}}. Two queries whatever the number of
   * targets: the agents involved with their allowlists, then the blocks between {@code from} and
   * the targets; {@link TrustRules#reachable} decides.
   */
  private Future<JsonObject> reachable(JsonObject body) {
    String from = Requests.handle(body, BusFields.FROM);
    List<String> targets = Requests.strings(body, BusFields.TO);
    if (targets.isEmpty()) {
      return Future.succeededFuture(reachableReply(List.of()));
    }
    String[] others = targets.toArray(String[]::new);
    List<String> involved = new ArrayList<>(targets);
    involved.add(from);
    Future<Map<String, AgentTrust>> agents =
        pool.preparedQuery(TrustQueries.TRUST_OF_AGENTS)
            .execute(Tuple.of(involved.toArray(String[]::new)))
            .map(TrustVerticle::trustByHandle);
    Future<Set<String>> blocked =
        pool.preparedQuery(TrustQueries.BLOCKED_EITHER_WAY)
            .execute(Tuple.tuple().addString(from).addArrayOfString(others))
            .map(TrustVerticle::firstColumn);
    Future<Set<String>> blockedWithGroup = blockedWithGroup(body, others);
    return Future.all(agents, blocked, blockedWithGroup)
        .map(
            v -> {
              List<String> reachable =
                  new ArrayList<>(
                      TrustRules.reachable(from, targets, agents.result(), blocked.result()));
              reachable.removeAll(blockedWithGroup.result());
              return reachableReply(reachable);
            });
  }

  /** {@code {agent, with:[handle]}} → {@code {blocked:[handle]}}, one query. */
  private Future<JsonObject> blockedAmong(JsonObject body) {
    String agent = Requests.handle(body, BusFields.AGENT);
    String[] with = Requests.strings(body, BusFields.WITH).toArray(String[]::new);
    if (with.length == 0) {
      return Future.succeededFuture(new JsonObject().put(BusFields.BLOCKED, new JsonArray()));
    }
    return pool.preparedQuery(TrustQueries.BLOCKED_EITHER_WAY)
        .execute(Tuple.tuple().addString(agent).addArrayOfString(with))
        .map(
            rows ->
                new JsonObject()
                    .put(BusFields.BLOCKED, new JsonArray(List.copyOf(firstColumn(rows)))));
  }

  /**
   * With {@code with:[handle]} (the people the targets would share a session with), a target that
   * has a block either way with any of them is unreachable too: a blocked agent must not be brought
   * back into contact with its blocker by a third party.
   */
  private Future<Set<String>> blockedWithGroup(JsonObject body, String[] targets) {
    if (!body.containsKey(BusFields.WITH)) {
      return Future.succeededFuture(Set.of());
    }
    String[] group = Requests.strings(body, BusFields.WITH).toArray(String[]::new);
    if (group.length == 0) {
      return Future.succeededFuture(Set.of());
    }
    return pool.preparedQuery(TrustQueries.TARGETS_BLOCKED_WITH_GROUP)
        .execute(Tuple.tuple().addArrayOfString(targets).addArrayOfString(group))
        .map(TrustVerticle::firstColumn);
  }

  /**
   * After an operation that invalidates credentials commits, tells every gateway and delivery node
   * (a publish), so cached lookups and open WebSockets of the agent do not outlive them.
   */
  private Function<JsonObject, Future<JsonObject>> credentialsChanged(
      Function<JsonObject, Future<JsonObject>> operation) {
    return body ->
        operation
            .apply(body)
            .onSuccess(reply -> announceCredentialsChanged(body.getString(Fields.HANDLE)));
  }

  private void announceCredentialsChanged(String handle) {
    vertx
        .eventBus()
        .publish(Addresses.CREDENTIALS_CHANGED, new JsonObject().put(BusFields.AGENT, handle));
  }

  private static Map<String, AgentTrust> trustByHandle(RowSet<Row> rows) {
    Map<String, AgentTrust> agents = new HashMap<>();
    for (Row row : rows) {
      String handle = row.getString("handle");
      InboundPolicy policy = InboundPolicy.fromWire(row.getString("inbound_policy"));
      List<String> allowlist = Arrays.asList(row.getArrayOfStrings("allowlist"));
      agents.put(handle, new AgentTrust(handle, policy, allowlist));
    }
    return agents;
  }

  private static Set<String> firstColumn(RowSet<Row> rows) {
    Set<String> values = new HashSet<>();
    rows.forEach(row -> values.add(row.getString(0)));
    return values;
  }

  private static JsonObject reachableReply(List<String> reachable) {
    return new JsonObject().put(BusFields.REACHABLE, new JsonArray(reachable));
  }

  /** The presented token; its value must never reach a log line or an error message. */
  private static String tokenOf(JsonObject body) {
    if (body.getValue(BusFields.TOKEN) instanceof String token && !token.isEmpty()) {
      return token;
    }
    throw invalidToken();
  }

  private static AspException invalidToken() {
    return new AspException(ErrorCode.UNAUTHENTICATED, "invalid token");
  }
}
