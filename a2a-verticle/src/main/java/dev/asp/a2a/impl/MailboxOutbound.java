package dev.asp.a2a.impl;

import dev.asp.a2a.A2aSettings;
import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.a2a.A2aAction;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import dev.asp.session.log.Committed;
import dev.asp.storage.DbFailures;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code MAILBOX_OUTBOUND}: the mailbox's idempotent command inbox (hub spec §10). Each message is
 * applied in order, in its own transaction, and its result is stored under {@code (node, id)} in
 * that same transaction: the key is inserted last, {@code ON CONFLICT DO NOTHING RETURNING}, so
 * when a concurrent request (on any node of the cluster) stored it first, the insert waits for that
 * one's commit, returns nothing, and this transaction rolls its effect back and answers the stored
 * result. A retried id thus returns the stored result and applies nothing.
 *
 * <p>Outcomes: {@code ok} with the REST route's success body; {@code rejected} when the REST route
 * would answer 4xx — <b>stored too</b>, so a retry of a rejected id gets the same rejection, even
 * if it would now succeed; {@code failed} for transient failures (server busy, timeouts: nothing is
 * stored, the client retries). After a {@code failed} message the rest of the batch is not
 * attempted (answered {@code failed} as well), so no later message overtakes one that must be
 * retried: a join that failed for a moment must not turn the message after it into a terminal
 * {@code not_session_participant}. Messages are started only within one bus timeout of the
 * request's arrival; the rest are answered {@code failed}, so a batch never outlives its caller.
 *
 * <p>Direct messages go over the bus ({@code DM_SEND}), so their effect cannot share this
 * transaction: the key is first claimed (a row with no result), then the DM sent, then the result
 * settled. A retry while the claim is held answers {@code failed}; a claim left by a node that died
 * is taken over after two bus timeouts. A DM whose reply was lost to a bus timeout after it was
 * committed may therefore be sent twice — at least once, never lost.
 */
public final class MailboxOutbound {
  private static final Logger LOG = LoggerFactory.getLogger(MailboxOutbound.class);

  /** The mailbox message types (§10) and what each becomes. */
  public static final String SESSION_CREATE = "session_create";

  public static final String SESSION_JOIN = "session_join";
  public static final String SESSION_LEAVE = "session_leave";
  public static final String SESSION_MESSAGE = "session_message";
  public static final String SESSION_DELEGATE = "session_delegate";
  public static final String SESSION_SUBMIT = "session_submit";
  public static final String DM = "dm";

  static final String OK = "ok";
  static final String REJECTED = "rejected";
  static final String FAILED = "failed";

  /** How long a client waits before retrying a transient failure. */
  private static final long RETRY_AFTER_MS = 1000;

  /** Longest {@code reason} kept in a stored rejection. */
  private static final int MAX_REASON = 500;

  /** Results (and abandoned claims) deleted per sweep at most. */
  private static final int SWEEP_BATCH = 1000;

  private final Pool pool;
  private final BusClient bus;
  private final BoardCommands board;
  private final SessionCommands sessions;
  private final A2aSettings settings;
  private final Nodes nodes;

  public MailboxOutbound(
      Pool pool,
      BusClient bus,
      SessionCommands sessions,
      BoardCommands board,
      A2aSettings settings,
      Nodes nodes) {
    this.board = board;
    this.nodes = nodes;
    this.pool = pool;
    this.bus = bus;
    this.sessions = sessions;
    this.settings = settings;
  }

  /** {@code MAILBOX_OUTBOUND}: see {@code A2aAction.MAILBOX_OUTBOUND}. */
  public Future<JsonObject> outbound(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    JsonArray messages = body.getJsonArray(A2aFields.MESSAGES, new JsonArray());
    if (caller == null) {
      throw new AspException(A2aError.VALIDATION_ERROR, "caller is required");
    }
    long startBefore = System.currentTimeMillis() + settings.busTimeoutMs();
    JsonArray results = new JsonArray();
    return next(caller, messages, 0, results, startBefore, false)
        .map(
            v ->
                new JsonObject()
                    .put(A2aFields.RESULTS, results)
                    .put(A2aFields.COUNT, results.size()));
  }

  private Future<Void> next(
      String caller,
      JsonArray messages,
      int index,
      JsonArray results,
      long startBefore,
      boolean halted) {
    if (index == messages.size()) {
      return Future.succeededFuture();
    }
    JsonObject message = messages.getJsonObject(index);
    String id = message.getString(A2aFields.ID);
    String type = message.getString(A2aFields.TYPE);
    Future<JsonObject> result;
    if (halted) {
      result =
          Future.succeededFuture(
              failed(id, type, "not attempted: an earlier message of the batch failed; retry"));
    } else if (System.currentTimeMillis() > startBefore) {
      result =
          Future.succeededFuture(failed(id, type, "not attempted: the batch took too long; retry"));
    } else {
      Future<JsonObject> applied;
      try {
        applied = one(caller, message, id, type);
      } catch (RuntimeException e) {
        applied = Future.failedFuture(e);
      }
      result =
          applied.recover(failure -> Future.succeededFuture(transientResult(id, type, failure)));
    }
    return result.compose(
        r -> {
          results.add(r);
          return next(
              caller,
              messages,
              index + 1,
              results,
              startBefore,
              halted || FAILED.equals(r.getString(A2aFields.STATUS)));
        });
  }

  /** One message: its stored result if it has one, else its outcome, stored. */
  private Future<JsonObject> one(String caller, JsonObject message, String id, String type) {
    JsonObject rejection = message.getJsonObject(A2aFields.REJECTION);
    if (id == null) {
      // no key to keep it under: answered, never stored
      JsonObject verdict =
          rejection != null
              ? rejection
              : new JsonObject()
                  .put(A2aFields.ERROR, A2aError.VALIDATION_ERROR.wireCode())
                  .put(A2aFields.REASON, "id is required");
      return Future.succeededFuture(
          rejected(
              null, type, verdict.getString(A2aFields.ERROR), verdict.getString(A2aFields.REASON)));
    }
    return stored(pool, caller, id)
        .compose(
            stored -> {
              if (stored != null && stored.result() != null) {
                return Future.succeededFuture(stored.result());
              }
              if (stored != null && !DM.equals(type)) {
                return Future.succeededFuture(inFlight(id, type));
              }
              if (rejection != null) {
                return reject(
                    caller,
                    id,
                    type,
                    rejection.getString(A2aFields.ERROR),
                    rejection.getString(A2aFields.REASON));
              }
              JsonObject command =
                  message.getJsonObject(A2aFields.COMMAND, new JsonObject()).copy();
              command.put(BusFields.CALLER, caller);
              return switch (type == null ? "" : type) {
                case SESSION_CREATE ->
                    apply(caller, id, type, () -> sessions.prepareCreate(command));
                case SESSION_JOIN ->
                    apply(caller, id, type, gated(caller, () -> sessions.prepareJoin(command)));
                case SESSION_LEAVE ->
                    apply(caller, id, type, gated(caller, () -> sessions.prepareLeave(command)));
                case SESSION_MESSAGE ->
                    apply(caller, id, type, gated(caller, () -> sessions.prepareMessage(command)));
                case SESSION_DELEGATE ->
                    apply(caller, id, type, gated(caller, () -> board.prepareUpdate(command)));
                case SESSION_SUBMIT ->
                    apply(caller, id, type, gated(caller, () -> board.prepareSubmit(command)));
                case DM -> dm(caller, id, type, command, stored != null);
                default ->
                    reject(
                        caller,
                        id,
                        type,
                        A2aError.UNSUPPORTED_MESSAGE_TYPE.wireCode(),
                        "unknown mailbox message type");
              };
            });
  }

  /** A level-2 operation: prepared only once the caller's level allows it (when gating is on). */
  private Supplier<Future<SessionCommands.Prepared>> gated(
      String caller, Supplier<Future<SessionCommands.Prepared>> prepare) {
    return () -> nodes.requireLevel(caller, 2).compose(v -> prepare.get());
  }

  // --- session commands: effect and key in one transaction

  /** Rolls back a transaction whose key another request stored first; carries no stack trace. */
  private static final class LostRace extends RuntimeException {
    LostRace() {
      super("mailbox message id taken by a concurrent request", null, false, false);
    }
  }

  private record Applied(JsonObject result, Committed committed) {}

  private Future<JsonObject> apply(
      String caller, String id, String type, Supplier<Future<SessionCommands.Prepared>> prepare) {
    Future<SessionCommands.Prepared> prepared;
    try {
      prepared = prepare.get();
    } catch (RuntimeException e) {
      prepared = Future.failedFuture(e);
    }
    return prepared
        .compose(
            command ->
                pool.withTransaction(
                    conn ->
                        command
                            .run(conn)
                            .compose(
                                committed -> {
                                  JsonObject result = ok(id, type, committed.reply());
                                  return remember(conn, caller, id, result)
                                      .compose(
                                          taken ->
                                              taken
                                                  ? Future.succeededFuture(
                                                      new Applied(result, committed))
                                                  : Future.failedFuture(new LostRace()));
                                })))
        .map(
            applied -> {
              sessions.announce(applied.committed());
              return applied.result();
            })
        .recover(failure -> decided(caller, id, type, failure));
  }

  /**
   * After a failure: a lost race answers the winner's result; a 4xx is a rejection, stored; any
   * other failure goes up as transient (nothing stored).
   */
  private Future<JsonObject> decided(String caller, String id, String type, Throwable failure) {
    if (failure instanceof LostRace) {
      return winner(caller, id, type);
    }
    AspException error = AspException.from(DbFailures.map(failure));
    A2aError code = A2aError.of(error);
    if (!terminal(code)) {
      return Future.failedFuture(error);
    }
    return reject(caller, id, type, code.wireCode(), error.getMessage());
  }

  /** 4xx, except a rate limit (a retry later succeeds), is what the REST route would refuse. */
  private static boolean terminal(A2aError code) {
    return code.httpStatus() >= 400 && code.httpStatus() < 500 && code.httpStatus() != 429;
  }

  /** Stores a rejection under the id (or answers what another request stored first). */
  private Future<JsonObject> reject(
      String caller, String id, String type, String code, String reason) {
    JsonObject result = rejected(id, type, code, reason);
    return remember(pool, caller, id, result)
        .compose(taken -> taken ? Future.succeededFuture(result) : winner(caller, id, type));
  }

  private Future<JsonObject> winner(String caller, String id, String type) {
    return stored(pool, caller, id)
        .map(
            stored ->
                stored != null && stored.result() != null ? stored.result() : inFlight(id, type));
  }

  // --- direct messages: claim, send, settle

  private Future<JsonObject> dm(
      String caller, String id, String type, JsonObject command, boolean claimed) {
    Future<Boolean> claim =
        claimed
            ? pool.preparedQuery(A2aQueries.MAILBOX_TAKE_OVER)
                .execute(Tuple.of(caller, id, 2 * settings.busTimeoutMs()))
                .map(rows -> rows.size() > 0)
            : remember(pool, caller, id, null);
    return claim.compose(
        mine -> {
          if (!mine) {
            return winner(caller, id, type);
          }
          return bus.request(Addresses.A2A, A2aAction.DM_SEND, command)
              .compose(reply -> settle(caller, id, type, ok(id, type, reply)))
              .recover(
                  failure -> {
                    AspException error = AspException.from(failure);
                    A2aError code = A2aError.of(error);
                    if (unknownAction(error)) {
                      return release(caller, id)
                          .compose(
                              v ->
                                  Future.failedFuture(
                                      new AspException(
                                          A2aError.SERVER_BUSY,
                                          "direct messages are not served by this operator yet")));
                    }
                    if (terminal(code)) {
                      return settle(
                          caller,
                          id,
                          type,
                          rejected(id, type, code.wireCode(), error.getMessage()));
                    }
                    return release(caller, id).compose(v -> Future.failedFuture(error));
                  });
        });
  }

  /** The bus's answer when no handler serves the action: DM_SEND is not deployed (yet). */
  private static boolean unknownAction(AspException error) {
    return error.a2a() == null
        && error.code() == ErrorCode.INVALID_REQUEST
        && "unknown action".equals(error.getMessage());
  }

  private Future<JsonObject> settle(String caller, String id, String type, JsonObject result) {
    return pool.preparedQuery(A2aQueries.MAILBOX_SETTLE)
        .execute(Tuple.of(caller, id, result))
        .compose(
            rows ->
                rows.rowCount() > 0 ? Future.succeededFuture(result) : winner(caller, id, type));
  }

  private Future<Void> release(String caller, String id) {
    return pool.preparedQuery(A2aQueries.MAILBOX_RELEASE)
        .execute(Tuple.of(caller, id))
        .<Void>mapEmpty()
        .recover(f -> Future.succeededFuture()); // a claim left behind is taken over later
  }

  // --- the results table

  private record Stored(JsonObject result) {}

  /** The row under the key: null when there is none; a null result while a DM is in flight. */
  private static Future<Stored> stored(SqlClient client, String caller, String id) {
    return client
        .preparedQuery(A2aQueries.MAILBOX_RESULT)
        .execute(Tuple.of(caller, id))
        .map(
            rows ->
                rows.size() == 0
                    ? null
                    : new Stored(rows.iterator().next().getJsonObject("result")));
  }

  /** Inserts the key with its result; false when another request holds it. */
  private static Future<Boolean> remember(
      SqlClient client, String caller, String id, JsonObject result) {
    return client
        .preparedQuery(A2aQueries.MAILBOX_REMEMBER)
        .execute(Tuple.of(caller, id, result))
        .map(rows -> rows.size() > 0);
  }

  /**
   * Deletes stored results older than the retention ({@code ASP_A2A_MAILBOX_TTL_MS}), a bounded
   * batch per call; every node may run it, the statement is idempotent.
   */
  public Future<Integer> sweep() {
    return pool.preparedQuery(A2aQueries.MAILBOX_SWEEP)
        .execute(Tuple.of(settings.mailboxTtlMs(), SWEEP_BATCH))
        .map(rows -> rows.rowCount());
  }

  // --- results

  private static JsonObject base(String id, String type, String status) {
    return new JsonObject()
        .put(A2aFields.ID, id)
        .put(A2aFields.STATUS, status)
        .put(A2aFields.ORIGINAL_TYPE, type);
  }

  static JsonObject ok(String id, String type, JsonObject response) {
    return base(id, type, OK)
        .put(A2aFields.RESPONSE, response)
        .put(A2aFields.RETRYABLE, false)
        .put(A2aFields.TERMINAL, true);
  }

  static JsonObject rejected(String id, String type, String code, String reason) {
    return base(id, type, REJECTED)
        .put(A2aFields.ERROR, code)
        .put(A2aFields.REASON, bounded(reason))
        .put(A2aFields.RETRYABLE, false)
        .put(A2aFields.TERMINAL, true);
  }

  /**
   * A reason as stored: a validation message names the offending field, and a client chooses field
   * names, so it is cut to a bound rather than stored at any length.
   */
  private static String bounded(String reason) {
    if (reason == null || reason.length() <= MAX_REASON) {
      return reason;
    }
    int end = MAX_REASON;
    if (Character.isHighSurrogate(reason.charAt(end - 1))) {
      end--; // never cut a character in half
    }
    return reason.substring(0, end) + "…";
  }

  static JsonObject failed(String id, String type, String reason) {
    return failed(id, type, A2aError.SERVER_BUSY.wireCode(), reason);
  }

  private static JsonObject failed(String id, String type, String code, String reason) {
    return base(id, type, FAILED)
        .put(A2aFields.ERROR, code)
        .put(A2aFields.REASON, bounded(reason))
        .put(A2aFields.RETRY_AFTER_MS, RETRY_AFTER_MS)
        .put(A2aFields.RETRYABLE, true)
        .put(A2aFields.TERMINAL, false);
  }

  private static JsonObject inFlight(String id, String type) {
    return failed(id, type, "a message with this id is being applied right now; retry");
  }

  /**
   * A transient failure: server busy (database, bus), a timeout, a rate limit, or an unexpected
   * error (logged here, since it never reaches the dispatcher; sent without detail).
   */
  private static JsonObject transientResult(String id, String type, Throwable failure) {
    AspException error = AspException.from(DbFailures.map(failure));
    A2aError code = A2aError.of(error);
    if (code == A2aError.INTERNAL_ERROR) {
      LOG.error("mailbox message of type {} failed", type, failure);
      return failed(id, type, code.wireCode(), "internal error");
    }
    if (code == A2aError.RATE_LIMITED) {
      return failed(id, type, code.wireCode(), error.getMessage());
    }
    return failed(id, type, A2aError.SERVER_BUSY.wireCode(), error.getMessage());
  }
}
