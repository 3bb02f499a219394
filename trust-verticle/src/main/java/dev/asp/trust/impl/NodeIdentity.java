package dev.asp.trust.impl;

import static dev.asp.trust.impl.AdminOperations.update;

import dev.asp.protocol.AspException;
import dev.asp.protocol.Fields;
import dev.asp.protocol.InboundPolicy;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.bus.NodeFields;
import dev.asp.storage.DbFailures;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hub nodes (hub spec §3, §18.1): the identity side of {@code POST /a2a/hello} ({@code NODE_HELLO})
 * and {@code NODE_INFO}. A hub node is the agent {@code @<nodeOwner>.node_x} plus a {@code
 * hub_nodes} row; its secrets are ordinary agent tokens of 64 hex, so they also work on the ASP
 * surface.
 *
 * <p>Registration, rotation and reissue each run in one transaction. Two registrations of one id
 * race on the agent's primary key: the loser's insert fails and it answers {@code
 * node_id_already_claimed}. Rotation and reissue lock the agent row first, like every admin change
 * of an agent, so they serialize with deletes and admin rotations.
 */
public final class NodeIdentity {
  private static final Logger LOG = LoggerFactory.getLogger(NodeIdentity.class);

  private final Pool pool;
  private final String nodeOwner;
  private final InboundPolicy nodePolicy;
  private final long unclaimedReissueMs;
  private final String hubNodeId;
  private final Consumer<String> secretsReplaced;

  /**
   * @param unclaimedReissueMs the reissue window of a never-used secret; 0 turns reissue off
   * @param hubNodeId this deployment's hub id (see {@link #loadHubNodeId})
   * @param secretsReplaced told the handle of a node whose secrets a rotation or reissue revoked,
   *     after commit, so caches and connections holding the old ones can be dropped
   */
  public NodeIdentity(
      Pool pool,
      String nodeOwner,
      InboundPolicy nodePolicy,
      long unclaimedReissueMs,
      String hubNodeId,
      Consumer<String> secretsReplaced) {
    this.pool = pool;
    this.nodeOwner = nodeOwner;
    this.nodePolicy = nodePolicy;
    this.unclaimedReissueMs = unclaimedReissueMs;
    this.hubNodeId = hubNodeId;
    this.secretsReplaced = secretsReplaced;
  }

  /**
   * The configured hub id, or the one stored in the database, generating and storing it if no node
   * did before. Insert-if-absent then read, in two statements: the read must see a row another node
   * committed while our insert waited for it, which one statement's snapshot would not.
   */
  public static Future<String> loadHubNodeId(Pool pool, String configured) {
    if (configured != null) {
      return Future.succeededFuture(configured);
    }
    String generated = "hub_" + Tokens.randomHex(16);
    return pool.preparedQuery(TrustQueries.ENSURE_HUB_IDENTITY)
        .execute(Tuple.of(generated))
        .compose(v -> pool.query(TrustQueries.HUB_IDENTITY).execute())
        .map(rows -> rows.iterator().next().getString("hub_node_id"));
  }

  /** {@code NODE_HELLO}; see {@code TrustAction.NODE_HELLO} for the contract and failures. */
  public Future<JsonObject> hello(JsonObject body) {
    HelloRequest hello = HelloRequest.parse(body, hubNodeId, nodeOwner);
    Future<Row> holder =
        hello.token() == null
            ? Future.succeededFuture(null)
            : pool.preparedQuery(TrustQueries.TOKEN_HOLDER)
                .execute(Tuple.of(Tokens.hash(hello.token())))
                .map(NodeIdentity::firstOrNull);
    return holder.compose(row -> row != null ? asCaller(row, hello) : withoutCredentials(hello));
  }

  /** {@code NODE_INFO}: {@code {handle}} → the node view of a live agent, else not found. */
  public Future<JsonObject> info(JsonObject body) {
    String handle = Requests.handle(body, Fields.HANDLE);
    return pool.preparedQuery(TrustQueries.NODE_INFO)
        .execute(Tuple.of(handle))
        .map(
            rows -> {
              Row row = firstOrNull(rows);
              if (row == null) {
                throw AspException.notFound();
              }
              String nodeId = row.getString("node_id");
              return new JsonObject()
                  .put(Fields.HANDLE, handle)
                  .put(NodeFields.NODE_ID, nodeId != null ? nodeId : handle)
                  .put(NodeFields.HUB_NODE, nodeId != null)
                  .put(NodeFields.NODE_SECRET_VERSION, row.getInteger("secret_version"));
            });
  }

  /** A valid token identified the caller: {@code row} is its {@code TOKEN_HOLDER} row. */
  private Future<JsonObject> asCaller(Row row, HelloRequest hello) {
    String handle = row.getString("handle");
    String nodeId = row.getString("node_id");
    if (hello.senderHandle() != null && !hello.senderHandle().equals(handle)) {
      return fail(A2aError.SENDER_MISMATCH, "sender_id does not name the caller");
    }
    if (!hello.rotate()) {
      return Future.succeededFuture(
          reply(handle, nodeId, row.getInteger("secret_version"), null, false));
    }
    if (nodeId == null) {
      return fail(
          A2aError.ROTATION_NOT_ALLOWED, "only hub nodes rotate their secret; ask the owner");
    }
    return rotate(handle, hello.token());
  }

  /** No valid token: register, adopt, reissue, or refuse, by what {@code sender_id} names. */
  private Future<JsonObject> withoutCredentials(HelloRequest hello) {
    if (hello.senderHandle() == null) {
      return register("node_" + Tokens.randomHex(12), false);
    }
    return pool.preparedQuery(TrustQueries.SENDER_STATE)
        .execute(Tuple.of(hello.senderHandle()))
        .compose(
            rows -> {
              Row row = firstOrNull(rows);
              if (row == null) {
                return hello.nodeForm()
                    ? register(hello.senderId(), true)
                    : fail(A2aError.NODE_NOT_FOUND, "no such node");
              }
              boolean deleted = row.getBoolean("deleted");
              // A deleted agent's handle is reserved for ever: its node id stays claimed, while a
              // handle names nobody any more, as everywhere on ASP.
              if (deleted && !hello.nodeForm()) {
                return fail(A2aError.NODE_NOT_FOUND, "no such node");
              }
              if (hello.bearer()) {
                return secretInvalid();
              }
              if (!deleted && row.getString("node_id") != null && unclaimedReissueMs > 0) {
                return reissue(hello.senderHandle());
              }
              return claimed();
            });
  }

  /** A new hub node {@code nodeId}: owner, agent, secret and node row in one transaction. */
  private Future<JsonObject> register(String nodeId, boolean adopted) {
    String handle = "@" + nodeOwner + "." + nodeId;
    Tokens.Issued secret = Tokens.newNodeSecret();
    long now = System.currentTimeMillis();
    return pool.withTransaction(
            conn ->
                update(conn, TrustQueries.ENSURE_OWNER, Tuple.of(nodeOwner, now))
                    .compose(
                        v ->
                            update(
                                conn,
                                TrustQueries.INSERT_AGENT,
                                Tuple.of(handle, nodeOwner, nodePolicy.wire(), now)))
                    .compose(v -> insertSecret(conn, handle, secret, now))
                    .compose(
                        v -> update(conn, TrustQueries.INSERT_HUB_NODE, Tuple.of(handle, nodeId))))
        .recover(
            failure ->
                DbFailures.isUniqueViolation(failure) ? claimed() : Future.failedFuture(failure))
        .onSuccess(
            v ->
                LOG.info(
                    "hub node {} registered ({} id)", handle, adopted ? "adopted" : "assigned"))
        .map(v -> reply(handle, nodeId, 1, secret.token(), true));
  }

  /**
   * A lost first response (§3 [choice]): a fresh secret for a node whose secret was never used,
   * within the window of its issue; otherwise the id is claimed.
   */
  private Future<JsonObject> reissue(String handle) {
    Tokens.Issued secret = Tokens.newNodeSecret();
    long now = System.currentTimeMillis();
    return pool.withTransaction(
            conn ->
                conn.preparedQuery(TrustQueries.LOCK_AGENT)
                    .execute(Tuple.of(handle))
                    .compose(
                        locked ->
                            locked.size() == 0
                                ? claimed()
                                : conn.preparedQuery(TrustQueries.REISSUE_UNCLAIMED)
                                    .execute(Tuple.of(handle, unclaimedReissueMs)))
                    .compose(
                        rows ->
                            rows.size() == 0
                                ? Future.<Row>failedFuture(claimedError())
                                : replaceSecrets(conn, handle, secret, now)
                                    .map(v -> rows.iterator().next())))
        .map(row -> replaced(handle, row, secret, "reissued"));
  }

  /**
   * {@code rotate_secret}: revokes every secret of the node and issues one. The presented one must
   * still be active under the agent's lock, so of two concurrent rotations with one secret only the
   * first succeeds and the holder never gets a secret that is already revoked.
   */
  private Future<JsonObject> rotate(String handle, String presented) {
    Tokens.Issued secret = Tokens.newNodeSecret();
    long now = System.currentTimeMillis();
    return pool.withTransaction(
            conn ->
                conn.preparedQuery(TrustQueries.LOCK_AGENT)
                    .execute(Tuple.of(handle))
                    .compose(
                        locked ->
                            locked.size() == 0
                                ? secretInvalid()
                                : conn.preparedQuery(TrustQueries.ACTIVE_TOKEN_OF)
                                    .execute(Tuple.of(handle, Tokens.hash(presented))))
                    .compose(
                        active ->
                            active.size() == 0
                                ? Future.<Void>failedFuture(secretInvalidError())
                                : replaceSecrets(conn, handle, secret, now))
                    .compose(
                        v ->
                            conn.preparedQuery(TrustQueries.BUMP_SECRET_VERSION)
                                .execute(Tuple.of(handle)))
                    .map(NodeIdentity::firstOrNull))
        .map(row -> replaced(handle, row, secret, "rotated"));
  }

  /**
   * After a reissue or rotation committed: logged (never the secret), announced so caches and
   * sockets holding the old secrets let go, and answered with the new secret, shown once.
   */
  private JsonObject replaced(String handle, Row row, Tokens.Issued secret, String how) {
    LOG.info("hub node {} secret {}, version {}", handle, how, row.getInteger("secret_version"));
    secretsReplaced.accept(handle);
    return reply(
        handle, row.getString("node_id"), row.getInteger("secret_version"), secret.token(), false);
  }

  /** Revokes every active token of {@code handle}, then stores {@code secret} as its only one. */
  static Future<Void> replaceSecrets(
      SqlConnection conn, String handle, Tokens.Issued secret, long now) {
    return update(conn, TrustQueries.REVOKE_AGENT_TOKENS, Tuple.of(handle, now))
        .compose(v -> insertSecret(conn, handle, secret, now));
  }

  private static Future<Void> insertSecret(
      SqlConnection conn, String handle, Tokens.Issued secret, long now) {
    return update(
        conn,
        TrustQueries.INSERT_AGENT_TOKEN,
        Tuple.of(secret.tokenId(), secret.hash(), handle, now));
  }

  private JsonObject reply(
      String handle, String nodeId, Integer version, String secret, boolean registered) {
    return new JsonObject()
        .put(NodeFields.NODE_ID, nodeId != null ? nodeId : handle)
        .put(Fields.HANDLE, handle)
        .put(NodeFields.HUB_NODE, nodeId != null)
        .put(NodeFields.NODE_SECRET, secret)
        .put(NodeFields.NODE_SECRET_VERSION, nodeId != null ? version : null)
        .put(NodeFields.HUB_NODE_ID, hubNodeId)
        .put(NodeFields.REGISTERED, registered);
  }

  private static Row firstOrNull(RowSet<Row> rows) {
    return rows.size() == 0 ? null : rows.iterator().next();
  }

  private static <T> Future<T> claimed() {
    return Future.failedFuture(claimedError());
  }

  private static AspException claimedError() {
    return new AspException(
        A2aError.NODE_ID_ALREADY_CLAIMED,
        "this node id is already registered; present its node secret as Bearer");
  }

  private static <T> Future<T> secretInvalid() {
    return Future.failedFuture(secretInvalidError());
  }

  private static AspException secretInvalidError() {
    return new AspException(
        A2aError.NODE_SECRET_INVALID, "the Bearer is not a current secret of this node");
  }

  private static <T> Future<T> fail(A2aError error, String message) {
    return Future.failedFuture(new AspException(error, message));
  }
}
