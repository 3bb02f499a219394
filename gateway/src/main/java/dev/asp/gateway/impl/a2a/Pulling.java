package dev.asp.gateway.impl.a2a;

import dev.asp.protocol.a2a.A2aAction;
import dev.asp.protocol.a2a.A2aFields;
import dev.asp.protocol.bus.Addresses;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's side of a pull (hub spec §5.3): asks the A2A verticle for a batch, and once the
 * response carrying it was written in full reports its rows {@code written}, so the channel's next
 * request acknowledges them; a response that could not be written is reported too, so its rows come
 * again without delay. A report that is lost leaves the rows unwritten: they come again, first — at
 * least once, never lost.
 */
final class Pulling {
  private static final Logger LOG = LoggerFactory.getLogger(Pulling.class);
  static final String VIEW = "pull";
  static final String POLL = "poll";
  static final String HEARTBEAT = "heartbeat";

  /** The direct-message inbox: a view of its own, whose one channel has the same name. */
  static final String INBOX = "inbox";

  private final BusClient bus;
  private final long busTimeoutMs;

  Pulling(BusClient bus, long busTimeoutMs) {
    this.bus = bus;
    this.busTimeoutMs = busTimeoutMs;
  }

  /**
   * Request field of {@code PULL} (see {@code A2aAction.PULL}): false for a stream's follow-up
   * pulls, which keep the channel only while nobody else took it.
   */
  static final String CLAIM = "claim";

  /** Reply field of {@code PULL}: true once another request of the node and channel took over. */
  static final String SUPERSEDED = "superseded";

  /** One pull that takes the channel; a long one waits up to {@code waitMs} in the A2A verticle. */
  Future<JsonObject> pull(
      String caller, String channel, String requestId, Long cursor, int limit, long waitMs) {
    return pull(caller, channel, requestId, cursor, limit, waitMs, true);
  }

  /**
   * One pull. {@code claim} false is a stream's follow-up under the same {@code requestId}: it
   * answers {@code superseded} instead of taking the channel back from a newer request.
   */
  Future<JsonObject> pull(
      String caller,
      String channel,
      String requestId,
      Long cursor,
      int limit,
      long waitMs,
      boolean claim) {
    JsonObject request =
        new JsonObject()
            .put(BusFields.CALLER, caller)
            .put(A2aFields.VIEW, VIEW)
            .put(A2aFields.CHANNEL, channel)
            .put(A2aFields.REQUEST_ID, requestId)
            .put(A2aFields.LIMIT, limit)
            .put(A2aFields.WAIT_MS, waitMs)
            .put(CLAIM, claim);
    if (cursor != null) {
      request.put(A2aFields.CURSOR, cursor);
    }
    return bus.request(Addresses.A2A, A2aAction.PULL, request, waitMs + busTimeoutMs);
  }

  /**
   * The batch's response was written in full (a channel of the pull view): report its rows.
   * Completes when the report is committed (or failed: then the rows come again, at least once);
   * never fails.
   */
  Future<Void> written(String caller, String channel, JsonObject batch) {
    return written(caller, VIEW, channel, batch);
  }

  /** The batch's response was written in full, on {@code channel} of {@code view}. */
  Future<Void> written(String caller, String view, String channel, JsonObject batch) {
    return report(
        caller, view, channel, batch.getJsonArray(A2aFields.NUMBERS, new JsonArray()), true);
  }

  /** These rows of the pull view were written in full (a stream reports frame by frame). */
  Future<Void> written(String caller, String channel, JsonArray numbers) {
    return report(caller, VIEW, channel, numbers, true);
  }

  /**
   * The batch's response could not be written (the client went away): said at once, so the next
   * request of any channel hands its rows out again without waiting for a report.
   */
  Future<Void> unwritten(String caller, String view, String channel, JsonObject batch) {
    return report(
        caller, view, channel, batch.getJsonArray(A2aFields.NUMBERS, new JsonArray()), false);
  }

  /**
   * Reports rows written (or not). The future completes once the A2A verticle recorded it, or the
   * report was lost (logged; the rows then come again): it never fails, so a stream can wait for it
   * before its next pull, whose implicit acknowledgement must see the rows written.
   */
  private Future<Void> report(
      String caller, String view, String channel, JsonArray numbers, boolean written) {
    if (numbers.isEmpty()) {
      return Future.succeededFuture();
    }
    return bus.request(
            Addresses.A2A,
            A2aAction.PULL_WRITTEN,
            new JsonObject()
                .put(BusFields.CALLER, caller)
                .put(A2aFields.VIEW, view)
                .put(A2aFields.CHANNEL, channel)
                .put(A2aFields.NUMBERS, numbers)
                .put(A2aFields.WRITTEN, written))
        .<Void>mapEmpty()
        .recover(
            failure -> {
              LOG.debug(
                  "write report for {} lost (rows come again): {}", caller, failure.toString());
              return Future.succeededFuture();
            });
  }
}
