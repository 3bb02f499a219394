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

  private final BusClient bus;
  private final long busTimeoutMs;

  Pulling(BusClient bus, long busTimeoutMs) {
    this.bus = bus;
    this.busTimeoutMs = busTimeoutMs;
  }

  /** One pull; a long one waits up to {@code waitMs} in the A2A verticle. */
  Future<JsonObject> pull(
      String caller, String channel, String requestId, Long cursor, int limit, long waitMs) {
    JsonObject request =
        new JsonObject()
            .put(BusFields.CALLER, caller)
            .put(A2aFields.VIEW, VIEW)
            .put(A2aFields.CHANNEL, channel)
            .put(A2aFields.REQUEST_ID, requestId)
            .put(A2aFields.LIMIT, limit)
            .put(A2aFields.WAIT_MS, waitMs);
    if (cursor != null) {
      request.put(A2aFields.CURSOR, cursor);
    }
    return bus.request(Addresses.A2A, A2aAction.PULL, request, waitMs + busTimeoutMs);
  }

  /** The batch's response was written in full. */
  void written(String caller, String channel, JsonObject batch) {
    report(caller, channel, batch, true);
  }

  /**
   * The batch's response could not be written (the client went away): said at once, so the next
   * request of the channel hands its rows out again without waiting for a report.
   */
  void unwritten(String caller, String channel, JsonObject batch) {
    report(caller, channel, batch, false);
  }

  private void report(String caller, String channel, JsonObject batch, boolean written) {
    JsonArray numbers = batch.getJsonArray(A2aFields.NUMBERS, new JsonArray());
    if (numbers.isEmpty()) {
      return;
    }
    bus.request(
            Addresses.A2A,
            A2aAction.PULL_WRITTEN,
            new JsonObject()
                .put(BusFields.CALLER, caller)
                .put(A2aFields.VIEW, VIEW)
                .put(A2aFields.CHANNEL, channel)
                .put(A2aFields.NUMBERS, numbers)
                .put(A2aFields.WRITTEN, written))
        .onFailure(
            failure ->
                LOG.debug(
                    "write report for {} lost (rows come again): {}", caller, failure.toString()));
  }
}
