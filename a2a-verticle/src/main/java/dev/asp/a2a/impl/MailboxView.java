package dev.asp.a2a.impl;

import dev.asp.a2a.A2aSettings;
import dev.asp.protocol.AspException;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.a2a.A2aTimes;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;

/**
 * {@code MAILBOX_INBOUND}, {@code MAILBOX_ACK} and {@code MAILBOX_STATUS}: the {@code mailbox} view
 * of a node's stream (hub spec §5.3, §10). It shares the numbering and positions of {@link
 * PullView} but is acknowledged explicitly, by message id, and only so: an inbound hands out the
 * unacknowledged messages above its cursor and then new ones, every time, until they are
 * acknowledged or expire ({@code ASP_A2A_MAILBOX_TTL_MS} after their event; expired ones leave the
 * view, the log keeps them). A lost response therefore costs nothing: the next inbound with the
 * same cursor returns the same messages.
 */
public final class MailboxView {
  /** The view's name in {@code a2a_views}: its own positions, beside {@code pull}. */
  static final String VIEW = "mailbox";

  /** Its one channel: any number of readers, none supersedes another. */
  static final String CHANNEL = "mailbox";

  /**
   * New events numbered per status request at most, so it can count them; beyond it {@code pending}
   * counts what was numbered so far (the next request goes on).
   */
  private static final int STATUS_NUMBERING = 500;

  /** Most message ids one acknowledgement names (§10). */
  public static final int MAX_ACK = 500;

  private final Pool pool;
  private final PullView view;
  private final EventViews views;
  private final A2aSettings settings;

  public MailboxView(Pool pool, EventViews views, A2aSettings settings) {
    this.pool = pool;
    this.view = new PullView(pool, views);
    this.views = views;
    this.settings = settings;
  }

  /** {@code MAILBOX_INBOUND}: see {@code A2aAction.MAILBOX_INBOUND}. */
  public Future<JsonObject> inbound(JsonObject body) {
    String caller = caller(body);
    Object cursor = body.getValue(A2aFields.CURSOR);
    int limit = body.getInteger(A2aFields.LIMIT, 50);
    if (limit < 1 || limit > 100) {
      throw new AspException(A2aError.VALIDATION_ERROR, "limit must be between 1 and 100");
    }
    PullView.Explicit request =
        new PullView.Explicit(
            caller,
            VIEW,
            CHANNEL,
            cursor instanceof Number n ? n.longValue() : null,
            limit,
            System.currentTimeMillis() - settings.mailboxTtlMs());
    return pool.withTransaction(
            conn ->
                view.read(conn, request)
                    .compose(
                        batch -> {
                          JsonArray numbers = batch.reply().getJsonArray(A2aFields.NUMBERS);
                          Long last =
                              numbers.isEmpty() ? null : numbers.getLong(numbers.size() - 1);
                          return conn.preparedQuery(A2aQueries.MAILBOX_PULLED)
                              .execute(Tuple.of(caller, last))
                              .map(v -> batch.reply());
                        }))
        .map(this::inboundReply);
  }

  private JsonObject inboundReply(JsonObject batch) {
    JsonArray messages = new JsonArray();
    for (Object item : batch.getJsonArray(A2aFields.EVENTS)) {
      messages.add(message((JsonObject) item));
    }
    return new JsonObject()
        .put(A2aFields.MESSAGES, messages)
        .put(A2aFields.NEXT_CURSOR, batch.getValue(A2aFields.NEXT_CURSOR))
        .put(A2aFields.HAS_MORE, batch.getBoolean(A2aFields.HAS_MORE, false));
  }

  /**
   * One mailbox message from an event's §5.1 envelope: invites as {@code collaboration_invite}
   * (high priority, {@code ref_id} the session), direct messages as {@code dm}, everything else as
   * {@code session_event} with its §5.2 type in {@code event_type}.
   */
  private JsonObject message(JsonObject envelope) {
    String type = envelope.getString(A2aFields.TYPE);
    JsonObject payload = envelope.getJsonObject(A2aFields.PAYLOAD);
    String mailboxType;
    boolean invite = false;
    boolean high = false;
    if (EventViews.SESSION_INVITE.equals(type)) {
      mailboxType = "collaboration_invite";
      invite = true;
      high = true;
    } else if (EventViews.DIRECT_MESSAGE.equals(type)) {
      mailboxType = "dm";
    } else {
      mailboxType = "session_event";
      high = delegatedTo(type, payload, envelope.getString(A2aFields.NODE_ID));
      payload = payload.copy().put(A2aFields.EVENT_TYPE, type);
    }
    long createdAt = Instant.parse(envelope.getString(A2aFields.CREATED_AT)).toEpochMilli();
    return new JsonObject()
        .put(A2aFields.ID, envelope.getString(A2aFields.EVENT_ID))
        .put(A2aFields.TYPE, mailboxType)
        .put(A2aFields.PAYLOAD, payload)
        .put(A2aFields.PRIORITY, high ? "high" : "normal")
        .put(A2aFields.REF_ID, invite ? envelope.getString(A2aFields.SESSION_ID) : null)
        .put(A2aFields.EXPIRES_AT, A2aTimes.iso(createdAt + settings.mailboxTtlMs()));
  }

  /** A board update that adds a task assigned to the reader: a delegation to it (§10). */
  private static boolean delegatedTo(String type, JsonObject payload, String reader) {
    if (!"task_board_update".equals(type)) {
      return false;
    }
    JsonArray added = payload.getJsonArray(A2aFields.ADDED, new JsonArray());
    for (int i = 0; i < added.size(); i++) {
      if (reader.equals(added.getJsonObject(i).getString(A2aFields.ASSIGNED_TO))) {
        return true;
      }
    }
    return false;
  }

  /** {@code MAILBOX_ACK}: see {@code A2aAction.MAILBOX_ACK}. */
  public Future<JsonObject> ack(JsonObject body) {
    String caller = caller(body);
    JsonArray ids = body.getJsonArray(A2aFields.MESSAGE_IDS, new JsonArray());
    if (ids.size() > MAX_ACK) {
      throw new AspException(
          A2aError.VALIDATION_ERROR, "message_ids lists at most " + MAX_ACK + " ids");
    }
    String[] values = new String[ids.size()];
    for (int i = 0; i < values.length; i++) {
      if (!(ids.getValue(i) instanceof String id)) {
        throw new AspException(A2aError.VALIDATION_ERROR, "message_ids must be strings");
      }
      values[i] = id;
    }
    if (values.length == 0) {
      return Future.succeededFuture(acked(0));
    }
    // under the view's row lock, like an inbound that marks or drops the same rows: without it
    // the two could lock them in different orders and deadlock
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(A2aQueries.LOCK_VIEW)
                .execute(Tuple.of(caller, VIEW))
                .compose(
                    locked ->
                        locked.size() == 0
                            ? Future.succeededFuture(acked(0)) // never read: nothing to ack
                            : conn.preparedQuery(A2aQueries.MAILBOX_ACK)
                                .execute(Tuple.of(caller, VIEW, values))
                                .map(rows -> acked(rows.rowCount()))));
  }

  private static JsonObject acked(int count) {
    return new JsonObject().put(A2aFields.STATUS, "ok").put(A2aFields.ACKED, count);
  }

  /** {@code MAILBOX_STATUS}: see {@code A2aAction.MAILBOX_STATUS}. */
  public Future<JsonObject> status(JsonObject body) {
    String caller = caller(body);
    boolean probe = body.getBoolean(A2aFields.PROBE, false);
    boolean proxy = body.getBoolean(A2aFields.PROXY, false);
    return client(pool, caller)
        .compose(
            client -> {
              boolean mailboxClient = proxy || (client != null && client.getBoolean("recent"));
              if (probe && !mailboxClient) {
                return Future.succeededFuture(
                    new JsonObject().put(A2aFields.MAILBOX_CLIENT, false));
              }
              long expiresBefore = System.currentTimeMillis() - settings.mailboxTtlMs();
              return pool.withTransaction(
                      conn ->
                          view.numberAhead(
                                  conn, caller, VIEW, CHANNEL, STATUS_NUMBERING, expiresBefore)
                              .compose(
                                  more ->
                                      conn.preparedQuery(A2aQueries.MAILBOX_COUNTS)
                                          .execute(Tuple.of(caller, VIEW))))
                  .map(rows -> statusReply(caller, rows.iterator().next(), client, mailboxClient));
            });
  }

  private JsonObject statusReply(
      String caller, Row counts, JsonObject client, boolean mailboxClient) {
    Long oldest = counts.getLong("oldest");
    Long lastPull = client == null ? null : client.getLong("last_pull_at");
    Long lastCursor = client == null ? null : client.getLong("last_cursor");
    return new JsonObject()
        .put(A2aFields.NODE_ID, views.wire(caller))
        .put(A2aFields.PENDING, counts.getLong("pending"))
        .put(A2aFields.DELIVERED_UNACKED, counts.getLong("delivered"))
        .put(A2aFields.OLDEST_PENDING_AT, oldest == null ? null : A2aTimes.iso(oldest))
        .put(A2aFields.NEXT_CURSOR, lastCursor == null ? null : Long.toString(lastCursor))
        .put(A2aFields.LAST_PULL_AT, lastPull == null ? null : A2aTimes.iso(lastPull))
        .put(A2aFields.MAILBOX_CLIENT, mailboxClient);
  }

  /** The caller's mailbox-client row ({@code last_pull_at, last_cursor, recent}), or null. */
  private Future<JsonObject> client(SqlClient client, String caller) {
    return client
        .preparedQuery(A2aQueries.MAILBOX_CLIENT)
        .execute(Tuple.of(caller, settings.offlineMs()))
        .map(
            rows -> {
              if (rows.size() == 0) {
                return null;
              }
              Row row = rows.iterator().next();
              return new JsonObject()
                  .put("last_pull_at", row.getLong("last_pull_at"))
                  .put("last_cursor", row.getLong("last_cursor"))
                  .put("recent", row.getBoolean("recent"));
            });
  }

  private static String caller(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    if (caller == null) {
      throw new AspException(A2aError.VALIDATION_ERROR, "caller is required");
    }
    return caller;
  }
}
