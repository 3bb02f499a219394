package dev.asp.trust.impl;

import static dev.asp.trust.impl.TrustQueries.ADD_ENTRIES;
import static dev.asp.trust.impl.TrustQueries.BUMP_SECRET_VERSION;
import static dev.asp.trust.impl.TrustQueries.DELETE_AGENT;
import static dev.asp.trust.impl.TrustQueries.DELETE_BLOCK;
import static dev.asp.trust.impl.TrustQueries.DELETE_OWNER_TOKENS;
import static dev.asp.trust.impl.TrustQueries.ENSURE_OWNER;
import static dev.asp.trust.impl.TrustQueries.INSERT_AGENT;
import static dev.asp.trust.impl.TrustQueries.INSERT_AGENT_TOKEN;
import static dev.asp.trust.impl.TrustQueries.INSERT_BLOCK;
import static dev.asp.trust.impl.TrustQueries.INSERT_OWNER;
import static dev.asp.trust.impl.TrustQueries.INSERT_OWNER_TOKEN;
import static dev.asp.trust.impl.TrustQueries.LOCK_AGENT;
import static dev.asp.trust.impl.TrustQueries.LOCK_AGENT_KIND;
import static dev.asp.trust.impl.TrustQueries.LOCK_OWNER;
import static dev.asp.trust.impl.TrustQueries.REMOVE_ENTRY;
import static dev.asp.trust.impl.TrustQueries.REVOKE_AGENT_TOKEN;
import static dev.asp.trust.impl.TrustQueries.REVOKE_AGENT_TOKENS;
import static dev.asp.trust.impl.TrustQueries.SET_POLICY;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.Fields;
import dev.asp.protocol.Handle;
import dev.asp.protocol.InboundPolicy;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.SessionAction;
import dev.asp.protocol.bus.TrustAction;
import dev.asp.storage.DbFailures;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The owner/admin operations of spec §8, one public method per {@code TrustAction}, each taking the
 * request body and returning the reply.
 *
 * <p>Scope: the operator admin may act on anything; an owner only on handles of its own namespace,
 * and any other agent is {@code not_found} exactly like a handle that does not exist (no
 * enumeration). Creating an owner is admin-only ({@code forbidden}), as is creating an agent in
 * another owner's namespace. Invalid handles fail {@code invalid_handle}, other invalid fields
 * {@code invalid_request}; duplicates fail {@code conflict} from the unique constraint itself, so
 * concurrent creates cannot both win.
 *
 * <p>The owner reserved for hub nodes can be neither created nor given credentials, and no agent
 * can be created under it ({@code conflict}): hub nodes come only from hello. Every other operation
 * works on hub nodes; their tokens are 64 hex, and rotating them counts as a new secret version.
 */
public final class AdminOperations {
  private static final Logger LOG = LoggerFactory.getLogger(AdminOperations.class);

  private final Pool pool;
  private final BusClient bus;
  private final String nodeOwner;

  /**
   * @param nodeOwner the owner reserved for hub nodes
   */
  public AdminOperations(Pool pool, BusClient bus, String nodeOwner) {
    this.pool = pool;
    this.bus = bus;
    this.nodeOwner = nodeOwner;
  }

  /** {@code {principal, owner}} → {@code {owner, token}}; admin only. */
  public Future<JsonObject> createOwner(JsonObject body) {
    Principal principal = Principal.from(body);
    principal.requireAdmin();
    String owner = Requests.owner(body, BusFields.OWNER);
    refuseNodeOwner(owner);
    Tokens.Issued issued = Tokens.newOwnerToken();
    long now = System.currentTimeMillis();
    return pool.withTransaction(
            conn ->
                update(conn, INSERT_OWNER, Tuple.of(owner, now))
                    .recover(conflictOnDuplicate("owner already exists"))
                    .compose(
                        v -> update(conn, INSERT_OWNER_TOKEN, Tuple.of(issued.hash(), owner, now))))
        .onSuccess(v -> LOG.info("owner {} created by {}", owner, principal))
        .map(v -> ownerCredentials(owner, issued));
  }

  /**
   * {@code {principal, owner}} → {@code {owner, token}}; the owner's previous tokens stop working.
   */
  public Future<JsonObject> rotateOwnerToken(JsonObject body) {
    Principal principal = Principal.from(body);
    String owner = Requests.owner(body, BusFields.OWNER);
    principal.requireOwnerOrAdmin(owner);
    // Credentials of this owner would manage every hub node: none ever exist.
    refuseNodeOwner(owner);
    Tokens.Issued issued = Tokens.newOwnerToken();
    long now = System.currentTimeMillis();
    return pool.withTransaction(
            conn ->
                conn.preparedQuery(LOCK_OWNER)
                    .execute(Tuple.of(owner))
                    .compose(rows -> rows.size() == 0 ? notFound() : Future.succeededFuture())
                    .compose(v -> update(conn, DELETE_OWNER_TOKENS, Tuple.of(owner)))
                    .compose(
                        v -> update(conn, INSERT_OWNER_TOKEN, Tuple.of(issued.hash(), owner, now))))
        .onSuccess(v -> LOG.info("owner {} credentials rotated by {}", owner, principal))
        .map(v -> ownerCredentials(owner, issued));
  }

  /**
   * {@code {principal, handle, inbound_policy?, allowlist?}} → agent view plus {@code {token,
   * token_id}}. The admin implicitly creates the owner; a deleted agent's handle stays taken.
   */
  public Future<JsonObject> createAgent(JsonObject body) {
    Principal principal = Principal.from(body);
    String handle = Requests.handle(body, Fields.HANDLE);
    String owner = Handle.owner(handle);
    principal.requireOwnerOrAdmin(owner);
    refuseNodeOwner(owner);
    InboundPolicy requested = Requests.optionalPolicy(body, BusFields.INBOUND_POLICY);
    InboundPolicy policy = requested == null ? InboundPolicy.ALLOWLIST : requested;
    List<String> allowlist = Requests.optionalAllowlist(body, BusFields.ALLOWLIST);
    String[] entries = allowlist == null ? new String[0] : allowlist.toArray(String[]::new);
    Tokens.Issued issued = Tokens.newAgentToken();
    long now = System.currentTimeMillis();
    return pool.withTransaction(
            conn ->
                update(conn, ENSURE_OWNER, Tuple.of(owner, now))
                    .compose(
                        v ->
                            update(conn, INSERT_AGENT, Tuple.of(handle, owner, policy.wire(), now))
                                .recover(conflictOnDuplicate("handle already taken")))
                    .compose(v -> update(conn, ADD_ENTRIES, Tuple.of(handle, entries, now)))
                    .compose(v -> insertToken(conn, handle, issued, now))
                    .compose(v -> AgentViews.load(conn, handle)))
        .onSuccess(v -> LOG.info("agent {} created by {}", handle, principal))
        .map(
            view ->
                view.put(BusFields.TOKEN, issued.token())
                    .put(BusFields.TOKEN_ID, issued.tokenId()));
  }

  /** {@code {principal}} → {@code {agents:[agent view]}}, by handle. */
  /**
   * {@code {principal, after_handle?, limit?}} → {@code {agents, next_cursor?}}: one more row than
   * the page is read to know whether another page follows, as {@code GET /events} does.
   */
  public Future<JsonObject> listAgents(JsonObject body) {
    Principal principal = Principal.from(body);
    String after = body.getValue(Fields.AFTER_HANDLE) instanceof String text ? text : null;
    if (body.containsKey(Fields.AFTER_HANDLE) && after == null) {
      throw Requests.invalid(Fields.AFTER_HANDLE + " must be a string");
    }
    Object limitValue = body.getValue(Fields.LIMIT, TrustAction.DEFAULT_AGENTS_PAGE);
    if (!(limitValue instanceof Number number)
        || number.longValue() < 1
        || number.longValue() > TrustAction.MAX_AGENTS_PAGE) {
      throw Requests.invalid(
          Fields.LIMIT + " must be an integer between 1 and " + TrustAction.MAX_AGENTS_PAGE);
    }
    int limit = number.intValue();
    return AgentViews.list(pool, principal.owner(), after, limit + 1)
        .map(
            views -> {
              JsonObject page = new JsonObject().put(BusFields.AGENTS, views);
              if (views.size() > limit) {
                views.remove(limit);
                page.put(
                    Fields.NEXT_CURSOR, views.getJsonObject(limit - 1).getString(Fields.HANDLE));
              }
              return page;
            });
  }

  /** {@code {principal, handle}} → agent view. */
  public Future<JsonObject> getAgent(JsonObject body) {
    return AgentViews.load(pool, managedHandle(body));
  }

  /** {@code {principal, handle}} → {@code {ok}}: tokens revoked, handle reserved forever. */
  public Future<JsonObject> deleteAgent(JsonObject body) {
    String handle = managedHandle(body);
    long now = System.currentTimeMillis();
    return onLiveAgent(
            handle,
            conn ->
                update(conn, DELETE_AGENT, Tuple.of(handle, now))
                    .compose(v -> update(conn, REVOKE_AGENT_TOKENS, Tuple.of(handle, now))))
        .onSuccess(v -> LOG.info("agent {} deleted", handle))
        .map(v -> ok());
  }

  /**
   * {@code {principal, handle}} → {@code {token_id, token}}: one more token (a node secret for a
   * hub node).
   */
  public Future<JsonObject> issueToken(JsonObject body) {
    String handle = managedHandle(body);
    long now = System.currentTimeMillis();
    return onLiveAgentOfKind(
            handle,
            (conn, hubNode) -> {
              Tokens.Issued issued = newToken(hubNode);
              return insertToken(conn, handle, issued, now).map(v -> issued);
            })
        .map(AdminOperations::tokenReply);
  }

  /**
   * {@code {principal, handle}} → {@code {token_id, token}}: every other token is revoked; a hub
   * node gets a node secret and its secret version goes up by one.
   */
  public Future<JsonObject> rotateTokens(JsonObject body) {
    String handle = managedHandle(body);
    long now = System.currentTimeMillis();
    return onLiveAgentOfKind(
            handle,
            (conn, hubNode) -> {
              Tokens.Issued issued = newToken(hubNode);
              Future<Void> replaced =
                  update(conn, REVOKE_AGENT_TOKENS, Tuple.of(handle, now))
                      .compose(v -> insertToken(conn, handle, issued, now));
              if (hubNode) {
                replaced =
                    replaced.compose(v -> update(conn, BUMP_SECRET_VERSION, Tuple.of(handle)));
              }
              return replaced.map(v -> issued);
            })
        .map(AdminOperations::tokenReply);
  }

  /**
   * {@code {principal, handle, token_id}} → {@code {ok}}; a token of another agent is not_found.
   */
  public Future<JsonObject> revokeToken(JsonObject body) {
    String handle = managedHandle(body);
    String tokenId = Requests.text(body, BusFields.TOKEN_ID);
    long now = System.currentTimeMillis();
    return onLiveAgent(
            handle,
            conn ->
                conn.preparedQuery(REVOKE_AGENT_TOKEN)
                    .execute(Tuple.of(handle, tokenId, now))
                    .compose(rows -> rows.rowCount() == 0 ? notFound() : Future.succeededFuture()))
        .map(v -> ok());
  }

  /** {@code {principal, handle, inbound_policy}} → agent view. */
  public Future<JsonObject> setPolicy(JsonObject body) {
    String handle = managedHandle(body);
    InboundPolicy policy = Requests.policy(body, BusFields.INBOUND_POLICY);
    return onLiveAgent(
        handle,
        conn ->
            update(conn, SET_POLICY, Tuple.of(handle, policy.wire()))
                .compose(v -> AgentViews.load(conn, handle)));
  }

  /** {@code {principal, handle, entry}} → agent view; adding an entry twice is harmless. */
  public Future<JsonObject> addAllowlistEntry(JsonObject body) {
    String handle = managedHandle(body);
    String[] entries = {Requests.entry(body, BusFields.ENTRY)};
    long now = System.currentTimeMillis();
    return onLiveAgent(
        handle,
        conn ->
            update(conn, ADD_ENTRIES, Tuple.of(handle, entries, now))
                .compose(v -> AgentViews.load(conn, handle)));
  }

  /**
   * {@code {principal, handle, entry}} → agent view. Only future contact is refused: sessions
   * already shared stay untouched (spec §2), unlike a block.
   */
  public Future<JsonObject> removeAllowlistEntry(JsonObject body) {
    String handle = managedHandle(body);
    String entry = Requests.entry(body, BusFields.ENTRY);
    return onLiveAgent(
        handle,
        conn ->
            update(conn, REMOVE_ENTRY, Tuple.of(handle, entry))
                .compose(v -> AgentViews.load(conn, handle)));
  }

  /**
   * {@code {principal, handle, blocked}} → {@code {ok, force_left:[session_id]}}. The block commits
   * first, so contact is refused from then on even if the session verticle is down; force-leaving
   * then fails {@code unavailable}, and since recording is idempotent a retry re-runs it.
   */
  public Future<JsonObject> block(JsonObject body) {
    String handle = managedHandle(body);
    String blocked = blockedOf(body, handle);
    long now = System.currentTimeMillis();
    return onLiveAgent(handle, conn -> update(conn, INSERT_BLOCK, Tuple.of(handle, blocked, now)))
        .compose(v -> forceLeave(handle, blocked))
        .onSuccess(
            sessions ->
                LOG.info("{} blocked {}: left {} session(s)", handle, blocked, sessions.size()))
        .map(sessions -> ok().put(BusFields.FORCE_LEFT, sessions));
  }

  /** {@code {principal, handle, blocked}} → {@code {ok}}; unblocking twice is harmless. */
  public Future<JsonObject> unblock(JsonObject body) {
    String handle = managedHandle(body);
    String blocked = blockedOf(body, handle);
    return onLiveAgent(handle, conn -> update(conn, DELETE_BLOCK, Tuple.of(handle, blocked)))
        .map(v -> ok());
  }

  private Future<JsonArray> forceLeave(String blocker, String blocked) {
    JsonObject request =
        new JsonObject().put(BusFields.BLOCKER, blocker).put(BusFields.BLOCKED, blocked);
    return bus.session(SessionAction.FORCE_LEAVE, request)
        .map(reply -> reply.getJsonArray(BusFields.SESSIONS, new JsonArray()))
        .recover(
            failure ->
                Future.failedFuture(
                    new AspException(
                        ErrorCode.UNAVAILABLE,
                        "block recorded, but shared sessions could not be left yet: retry",
                        failure)));
  }

  /** The handle of the request if the principal manages it; otherwise, not found. */
  private static String managedHandle(JsonObject body) {
    Principal principal = Principal.from(body);
    String handle = Requests.handle(body, Fields.HANDLE);
    if (!principal.manages(handle)) {
      throw AspException.notFound();
    }
    return handle;
  }

  private static String blockedOf(JsonObject body, String handle) {
    String blocked = Requests.handle(body, BusFields.BLOCKED);
    if (blocked.equals(handle)) {
      throw Requests.invalid("an agent cannot block itself");
    }
    return blocked;
  }

  /** Runs {@code work} in a transaction holding the agent's row lock; a dead agent is not found. */
  private <T> Future<T> onLiveAgent(String handle, Function<SqlConnection, Future<T>> work) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(LOCK_AGENT)
                .execute(Tuple.of(handle))
                .compose(rows -> rows.size() == 0 ? notFound() : work.apply(conn)));
  }

  /** {@link #onLiveAgent}, telling {@code work} whether the agent is a hub node. */
  private <T> Future<T> onLiveAgentOfKind(
      String handle, BiFunction<SqlConnection, Boolean, Future<T>> work) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(LOCK_AGENT_KIND)
                .execute(Tuple.of(handle))
                .compose(
                    rows ->
                        rows.size() == 0
                            ? notFound()
                            : work.apply(conn, rows.iterator().next().getBoolean("hub_node"))));
  }

  /** Hub nodes hold only 64-hex secrets: the official A2A client ignores any other form. */
  private static Tokens.Issued newToken(boolean hubNode) {
    return hubNode ? Tokens.newNodeSecret() : Tokens.newAgentToken();
  }

  private void refuseNodeOwner(String owner) {
    if (owner.equals(nodeOwner)) {
      throw new AspException(
          ErrorCode.CONFLICT, "this owner is reserved for hub nodes, which register by hello");
    }
  }

  private static Future<Void> insertToken(
      SqlConnection conn, String handle, Tokens.Issued issued, long now) {
    return update(conn, INSERT_AGENT_TOKEN, Tuple.of(issued.tokenId(), issued.hash(), handle, now));
  }

  static Future<Void> update(SqlConnection conn, String sql, Tuple params) {
    return conn.preparedQuery(sql).execute(params).mapEmpty();
  }

  private static <T> Function<Throwable, Future<T>> conflictOnDuplicate(String message) {
    return failure ->
        Future.failedFuture(
            DbFailures.isUniqueViolation(failure)
                ? new AspException(ErrorCode.CONFLICT, message)
                : failure);
  }

  private static <T> Future<T> notFound() {
    return Future.failedFuture(AspException.notFound());
  }

  private static JsonObject ok() {
    return new JsonObject().put(Fields.OK, true);
  }

  private static JsonObject tokenReply(Tokens.Issued issued) {
    return new JsonObject()
        .put(BusFields.TOKEN_ID, issued.tokenId())
        .put(BusFields.TOKEN, issued.token());
  }

  private static JsonObject ownerCredentials(String owner, Tokens.Issued issued) {
    return new JsonObject().put(BusFields.OWNER, owner).put(BusFields.TOKEN, issued.token());
  }
}
