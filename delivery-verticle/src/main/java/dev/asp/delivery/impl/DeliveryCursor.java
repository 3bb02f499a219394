package dev.asp.delivery.impl;

import dev.asp.protocol.Fields;
import dev.asp.protocol.bus.BusFields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Delivery state of one agent in one session on this node (P5). {@code sent} is what has been
 * handed to the agent's connections, so nothing is written twice; {@code flushed} is what at least
 * one connection has written out, and only that is persisted: an event queued on a connection that
 * dies is replayed on the next one, never lost.
 */
final class DeliveryCursor {
  private final Progress sent;
  private final Progress flushed;
  private boolean fetching;
  private boolean refetch;
  private boolean dirty;

  DeliveryCursor(long prefix, JsonArray extras) {
    this.sent = new Progress(prefix, extras);
    this.flushed = new Progress(prefix, extras);
  }

  static DeliveryCursor empty() {
    return new DeliveryCursor(-1, null);
  }

  boolean sent(long sequence) {
    return sent.contains(sequence);
  }

  boolean isNext(long sequence) {
    return sent.isNext(sequence);
  }

  /** The sequence after which the log still has to be read. */
  long readFrom() {
    return sent.prefix();
  }

  void markSent(long sequence) {
    sent.add(sequence);
  }

  void markFlushed(long sequence) {
    flushed.add(sequence);
    dirty = true;
  }

  /**
   * An event the agent never sees on this view (its audience leaves the agent out, or an extension
   * type): delivered and confirmed at once, with nothing written. Only the prefix before it still
   * decides what is saved, so nothing earlier is skipped.
   */
  void markPassed(long sequence) {
    sent.add(sequence);
    flushed.add(sequence);
    dirty = true;
  }

  /** Starts a log read unless one runs; if one runs, asks it to read once more when done. */
  boolean startFetch() {
    if (fetching) {
      refetch = true;
      return false;
    }
    fetching = true;
    refetch = false;
    return true;
  }

  /** Ends a log read; true if another was asked for meanwhile. */
  boolean endFetch() {
    fetching = false;
    boolean again = refetch;
    refetch = false;
    return again;
  }

  boolean fetching() {
    return fetching;
  }

  /** The persisted form, and clears the dirty mark (set again if saving fails). */
  JsonObject takeSave(String sessionId) {
    dirty = false;
    return new JsonObject()
        .put(Fields.SESSION_ID, sessionId)
        .put(BusFields.PREFIX, flushed.prefix())
        .put(BusFields.EXTRAS, flushed.extras());
  }

  boolean dirty() {
    return dirty;
  }

  void markDirty() {
    dirty = true;
  }
}
