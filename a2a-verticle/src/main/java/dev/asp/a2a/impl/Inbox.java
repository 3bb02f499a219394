package dev.asp.a2a.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.a2a.A2aError;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code DM_INBOX} (hub spec §7): the node's {@code inbox} view, a pull view of its own ({@link
 * PullView}, view and channel {@link PullChannels#INBOX}) that carries direct messages only, with
 * the implicit acknowledgement of §5.3. {@code include_read} is a plain read of the newest DMs that
 * leaves the view as it is.
 */
public final class Inbox {
  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;

  private final Pool pool;
  private final PullView view;
  private final EventViews views;

  public Inbox(Pool pool, EventViews views) {
    this.pool = pool;
    this.views = views;
    this.view = new PullView(pool, views);
  }

  /** {@code DM_INBOX}: see {@code A2aAction.DM_INBOX}. */
  public Future<JsonObject> read(JsonObject body) {
    String caller = body.getString(BusFields.CALLER);
    int limit = body.getInteger(A2aFields.LIMIT, DEFAULT_LIMIT);
    boolean includeRead = body.getBoolean(A2aFields.INCLUDE_READ, false);
    String requestId = body.getString(A2aFields.REQUEST_ID);
    if (caller == null || (requestId == null && !includeRead)) {
      throw new AspException(A2aError.VALIDATION_ERROR, "caller and request_id are required");
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new AspException(A2aError.VALIDATION_ERROR, "limit must be between 1 and " + MAX_LIMIT);
    }
    if (includeRead) {
      return pool.withConnection(conn -> newest(conn, caller, limit));
    }
    PullView.Request request =
        new PullView.Request(
            caller,
            PullChannels.INBOX,
            PullChannels.INBOX,
            requestId,
            null,
            limit,
            true,
            true,
            // the inbox response ends only after its report committed, so the next read cannot
            // overtake it; no wait for reports is needed here
            false);
    // the count runs under the view's lock, after the pull moved the positions: it is exactly
    // what the next read will find beyond this batch
    return pool.withTransaction(
        conn ->
            view.take(conn, request)
                .compose(
                    batch -> {
                      JsonArray numbers = batch.reply().getJsonArray(A2aFields.NUMBERS);
                      List<JsonObject> messages = new ArrayList<>();
                      for (Object item : batch.reply().getJsonArray(A2aFields.EVENTS)) {
                        JsonObject envelope = (JsonObject) item;
                        messages.add(message(envelope.getJsonObject(A2aFields.PAYLOAD), false));
                      }
                      return unread(conn, caller, numbers)
                          .map(unread -> reply(messages, unread, numbers));
                    }));
  }

  /** The newest DMs, oldest first, each {@code read} if the view delivered it already. */
  private Future<JsonObject> newest(SqlConnection conn, String caller, int limit) {
    return conn.preparedQuery(A2aQueries.DMS_READ)
        .execute(Tuple.of(caller, PullChannels.INBOX, limit))
        .compose(
            rows -> {
              List<JsonObject> messages = new ArrayList<>();
              for (Row row : rows) {
                JsonObject mapped = views.map(row, caller);
                if (mapped != null
                    && EventViews.DIRECT_MESSAGE.equals(mapped.getString(A2aFields.TYPE))) {
                  messages.add(
                      0, message(mapped.getJsonObject(A2aFields.PAYLOAD), row.getBoolean("read")));
                }
              }
              JsonArray none = new JsonArray();
              return unread(conn, caller, none).map(unread -> reply(messages, unread, none));
            });
  }

  private static Future<Long> unread(SqlConnection conn, String caller, JsonArray numbers) {
    Long[] handedOut = new Long[numbers.size()];
    for (int i = 0; i < handedOut.length; i++) {
      handedOut[i] = numbers.getLong(i);
    }
    return conn.preparedQuery(A2aQueries.DMS_UNREAD)
        .execute(Tuple.of(caller, PullChannels.INBOX, handedOut))
        .map(rows -> rows.iterator().next().getLong("unread"));
  }

  /** The §7 inbox message from a {@code direct_message} payload. */
  static JsonObject message(JsonObject dm, boolean read) {
    String id = dm.getString(A2aFields.DM_ID);
    String from = dm.getString(A2aFields.FROM_NODE_ID);
    String createdAt = dm.getString(A2aFields.CREATED_AT);
    return new JsonObject()
        .put(A2aFields.ID, id)
        .put(A2aFields.DM_ID, id)
        .put(A2aFields.MESSAGE_ID, id)
        .put(A2aFields.SENDER_ID, from)
        .put(A2aFields.FROM, from)
        .put(A2aFields.FROM_NODE_ID, from)
        .put(A2aFields.FROM_NODE_ID_CAMEL, from)
        .put(A2aFields.TO_NODE_ID, dm.getString(A2aFields.TO_NODE_ID))
        .put(A2aFields.PAYLOAD, dm.getValue(A2aFields.PAYLOAD))
        .put(A2aFields.CONTENT, dm.getValue(A2aFields.CONTENT))
        .put(A2aFields.METADATA, dm.getValue(A2aFields.METADATA))
        .put(A2aFields.TIMESTAMP, createdAt)
        .put(A2aFields.CREATED_AT, createdAt)
        .put(A2aFields.READ, read);
  }

  private static JsonObject reply(List<JsonObject> messages, long unread, JsonArray numbers) {
    return new JsonObject()
        .put(A2aFields.MESSAGES, new JsonArray(new ArrayList<>(messages)))
        .put(A2aFields.COUNT, messages.size())
        .put(A2aFields.UNREAD, unread)
        .put(A2aFields.NUMBERS, numbers);
  }
}
