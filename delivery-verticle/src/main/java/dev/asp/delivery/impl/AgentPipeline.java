package dev.asp.delivery.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.Eligibility;
import dev.asp.protocol.ErrorCode;
import dev.asp.protocol.EventType;
import dev.asp.protocol.Fields;
import dev.asp.protocol.ParticipantStatus;
import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.SessionAction;
import io.vertx.core.Context;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ordered, gap-free delivery to one agent's connections on this node (P5). Everything runs on the
 * delivery context. Live events are written straight away only when they are the next one of their
 * session for this agent; any gap (a lost or reordered announcement, a replay after connecting, the
 * transcript after a join) is filled by reading the log through the session verticle, and live
 * events of a session wait while its read runs. So replay and live delivery share one path and
 * cannot race, duplicate or reorder.
 *
 * <p>Events the agent's status admits but this view never shows it (an audience without it, an
 * extension {@code a2a.*} type: hub spec §2.3) are <em>passed</em>: the cursor counts them as
 * delivered without writing anything, whether they come live or from the log (which reports them as
 * hidden), so the next event is next in line and nothing waits for them.
 */
final class AgentPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(AgentPipeline.class);
  private static final long RETRY_MS = 1_000;

  final String agent;
  private final Context context;
  private final BusClient bus;
  private final int batch;
  private final DeliveryMeters meters;
  private final List<Connection> connections = new ArrayList<>();
  private final Map<String, DeliveryCursor> cursors = new HashMap<>();

  /** Sessions announced before the cursors were loaded, with the latest sequence announced. */
  private final Map<String, Long> touchedWhileLoading = new HashMap<>();

  private final ArrayDeque<Runnable> parked = new ArrayDeque<>();
  private final long holdMs;
  private final Map<String, Held> held = new HashMap<>();
  private boolean ready;
  private boolean stopped;

  AgentPipeline(
      String agent, Context context, BusClient bus, int batch, long holdMs, DeliveryMeters meters) {
    this.agent = agent;
    this.context = context;
    this.bus = bus;
    this.batch = batch;
    this.holdMs = holdMs;
    this.meters = meters;
  }

  /** Live events that arrived ahead of their turn, waiting briefly for the ones before them. */
  private static final class Held {
    final TreeMap<Long, String> texts = new TreeMap<>();
    final Map<Long, Long> createdAt = new HashMap<>();
    long timer = -1;
  }

  /** At most this many events wait per session; beyond, the log is read at once. */
  private static final int MAX_HELD = 64;

  void add(Connection connection) {
    connections.add(connection);
    connection.onDrained(this::resume);
  }

  void remove(Connection connection) {
    connections.remove(connection);
    resume();
  }

  List<Connection> connections() {
    return connections;
  }

  boolean isEmpty() {
    return connections.isEmpty();
  }

  /** Stops all work: the pipeline's last connection is gone. */
  void stop() {
    stopped = true;
    for (String sessionId : List.copyOf(held.keySet())) {
      dropHeld(sessionId);
    }
  }

  /**
   * Installs the persisted cursors ({@code DELIVERY_STATE} or {@code AGENT_CONNECT} reply) and
   * replays, for every session, whatever lies beyond them; sessions announced while loading are
   * read too. A first page the reply carries is delivered as a page of {@link #read} would be (the
   * session counts as being read meanwhile, so its live events wait), unless it was read without
   * the extension events a connection that came meanwhile asked for: then the log is read again.
   */
  void start(JsonObject state) {
    Set<String> toRead = new HashSet<>();
    boolean pagesFit = state.getBoolean(BusFields.EXTENSIONS, false) == anyExtensions();
    Map<String, JsonObject> pages = new LinkedHashMap<>();
    for (Object item : state.getJsonArray(BusFields.SESSIONS, new JsonArray())) {
      JsonObject session = (JsonObject) item;
      String id = session.getString(Fields.SESSION_ID);
      long prefix = session.getLong(BusFields.PREFIX, -1L);
      cursors.put(id, new DeliveryCursor(prefix, session.getJsonArray(BusFields.EXTRAS)));
      if (pagesFit && session.getJsonArray(Fields.EVENTS) != null) {
        pages.put(id, session);
      } else if (session.getLong(BusFields.HEAD, -1L) > prefix) {
        toRead.add(id);
      }
    }
    ready = true;
    Map<String, Long> pageEnds = new HashMap<>();
    pages.forEach((id, page) -> pageEnds.put(id, pageEnd(page)));
    pages.forEach(this::deliverFirstPage);
    // What was announced meanwhile is read, unless a complete page holds it (the page is read
    // after the agent's own reconnect commits, and usually after the others' too): sequences
    // commit in order, so a page read up to its end saw every event before it. A page may still
    // be under way (its connection backed up): it delivers them when it continues.
    touchedWhileLoading.forEach(
        (id, latest) -> {
          DeliveryCursor cursor = cursors.get(id);
          if (cursor == null || (latest > pageEnds.getOrDefault(id, -1L) && !cursor.sent(latest))) {
            toRead.add(id);
          }
        });
    touchedWhileLoading.clear();
    toRead.forEach(this::read);
  }

  /** The last sequence a page covers when it is complete (no continuation), else -1. */
  private static long pageEnd(JsonObject page) {
    if (page.getString(Fields.NEXT_CURSOR) != null) {
      return -1;
    }
    long end = -1;
    for (Object event : page.getJsonArray(Fields.EVENTS)) {
      end = Math.max(end, ((JsonObject) event).getLong(Fields.SEQUENCE));
    }
    for (Object hidden : page.getJsonArray(BusFields.HIDDEN, new JsonArray())) {
      end = Math.max(end, ((Number) hidden).longValue());
    }
    return end;
  }

  private void deliverFirstPage(String sessionId, JsonObject page) {
    DeliveryCursor cursor = cursors.get(sessionId);
    if (stopped || !cursor.startFetch()) {
      return;
    }
    deliverPage(sessionId, cursor, page);
  }

  /**
   * Re-reads every session whose log goes beyond the persisted cursor ({@code DELIVERY_STATE}
   * reply): announcements may have been lost (a partition), and only the log knows. Reading a
   * session that is already up to date delivers nothing.
   */
  void refresh(JsonObject state) {
    if (!ready) {
      return; // start() reads everything anyway
    }
    for (Object item : state.getJsonArray(BusFields.SESSIONS, new JsonArray())) {
      JsonObject session = (JsonObject) item;
      if (session.getLong(BusFields.HEAD, -1L) > session.getLong(BusFields.PREFIX, -1L)) {
        read(session.getString(Fields.SESSION_ID));
      }
    }
  }

  /**
   * Live events of one session, with this agent's status right after their commit.
   *
   * @param audiences parallel to {@code events}: null or the handles each is restricted to; null
   *     altogether from an announcer that sends none
   */
  void offer(
      String sessionId,
      JsonArray events,
      JsonArray audiences,
      JsonObject participant,
      EncodedEvents encoded) {
    if (!ready) {
      for (int i = 0; i < events.size(); i++) {
        long sequence = events.getJsonObject(i).getLong(Fields.SEQUENCE);
        touchedWhileLoading.merge(sessionId, sequence, Math::max);
      }
      return;
    }
    DeliveryCursor cursor = cursors.computeIfAbsent(sessionId, id -> DeliveryCursor.empty());
    ParticipantStatus status = ParticipantStatus.fromWire(participant.getString(Fields.STATUS));
    long leftSequence = participant.getLong(BusFields.LEFT_SEQUENCE, -1L);
    for (int i = 0; i < events.size(); i++) {
      JsonObject event = events.getJsonObject(i);
      long sequence = event.getLong(Fields.SEQUENCE);
      if (cursor.sent(sequence) || !eligibleByStatus(status, leftSequence, event)) {
        continue;
      }
      if (!shown(event, audiences == null ? null : audiences.getJsonArray(i))) {
        cursor.markPassed(sequence); // never on this view: nothing to write, nothing to wait for
        releaseHeld(sessionId, cursor);
        continue;
      }
      if (cursor.fetching() || congested()) {
        read(sessionId); // the log has this event and any before it
        return;
      }
      long createdAt = event.getLong(Fields.CREATED_AT, 0L);
      if (!cursor.isNext(sequence)) {
        if (!hold(sessionId, sequence, encoded.text(i), createdAt)) {
          read(sessionId);
          return;
        }
        continue;
      }
      send(sessionId, cursor, sequence, encoded.text(i));
      meters.handedOver(createdAt, true);
      releaseHeld(sessionId, cursor);
    }
  }

  /**
   * An event ahead of its turn: announcements of one session can arrive out of order (two session
   * verticles, two nodes), and the missing one usually follows within a millisecond. It waits up to
   * {@code holdMs}; if the gap is still open then, the log is read, as for any gap (P5).
   */
  private boolean hold(String sessionId, long sequence, String text, long createdAt) {
    if (holdMs <= 0) {
      return false;
    }
    Held waiting = held.get(sessionId);
    if (waiting == null) {
      waiting = new Held();
      held.put(sessionId, waiting);
      waiting.timer = context.owner().setTimer(holdMs, t -> holdExpired(sessionId));
    }
    if (waiting.texts.size() >= MAX_HELD) {
      return false;
    }
    waiting.texts.put(sequence, text);
    waiting.createdAt.put(sequence, createdAt);
    return true;
  }

  /** The gap before held events closed: send those now next in line, in order. */
  private void releaseHeld(String sessionId, DeliveryCursor cursor) {
    Held waiting = held.get(sessionId);
    while (waiting != null && !waiting.texts.isEmpty()) {
      long next = waiting.texts.firstKey();
      if (cursor.sent(next)) {
        waiting.texts.remove(next);
        continue;
      }
      if (!cursor.isNext(next)) {
        return; // still a gap before it
      }
      if (congested()) {
        read(sessionId);
        return;
      }
      send(sessionId, cursor, next, waiting.texts.remove(next));
      meters.handedOver(waiting.createdAt.remove(next), true);
    }
    dropHeld(sessionId);
  }

  private void holdExpired(String sessionId) {
    Held waiting = held.remove(sessionId);
    if (waiting != null && !waiting.texts.isEmpty() && !stopped) {
      read(sessionId);
    }
  }

  private void dropHeld(String sessionId) {
    Held waiting = held.remove(sessionId);
    if (waiting != null) {
      context.owner().cancelTimer(waiting.timer);
    }
  }

  /** Eligibility by status alone; an extension event (type null) counts as any other event. */
  private boolean eligibleByStatus(ParticipantStatus status, long leftSequence, JsonObject event) {
    JsonObject payload = event.getJsonObject(Fields.PAYLOAD, new JsonObject());
    EventType type = EventType.fromWire(event.getString(Fields.TYPE));
    String subject =
        type == EventType.INVITED
            ? payload.getString(Fields.INVITEE)
            : payload.getString(Fields.AGENT);
    return Eligibility.eligible(
        status, leftSequence, agent, type, subject, event.getLong(Fields.SEQUENCE));
  }

  /**
   * Whether this view shows the agent an event its status admits: an ASP type (extensions need an
   * opt-in this view does not have) and an audience that lists the agent, or none.
   */
  @SuppressWarnings("unchecked")
  private boolean shown(JsonObject event, JsonArray audience) {
    String type = event.getString(Fields.TYPE);
    boolean typeShown =
        EventType.fromWire(type) != null || (EventType.isExtension(type) && anyExtensions());
    return typeShown && Eligibility.inAudience(agent, audience == null ? null : audience.getList());
  }

  /** Reads the log after the session's cursor and delivers what it may see, page by page. */
  void read(String sessionId) {
    dropHeld(sessionId); // the log has the held events too
    DeliveryCursor cursor = cursors.computeIfAbsent(sessionId, id -> DeliveryCursor.empty());
    if (stopped || !cursor.startFetch()) {
      return;
    }
    readPage(sessionId, cursor, cursor.readFrom());
  }

  private void readPage(String sessionId, DeliveryCursor cursor, long after) {
    JsonObject request =
        new JsonObject()
            .put(BusFields.CALLER, agent)
            .put(Fields.SESSION_ID, sessionId)
            .put(Fields.AFTER_SEQUENCE, after)
            .put(Fields.LIMIT, batch)
            .put(BusFields.WITH_HIDDEN, true)
            .put(BusFields.EXTENSIONS, anyExtensions());
    bus.session(SessionAction.EVENTS, request)
        .onComplete(
            result -> {
              if (stopped) {
                return;
              }
              if (result.failed()) {
                readFailed(sessionId, cursor, result.cause());
                return;
              }
              deliverPage(sessionId, cursor, result.result());
            });
  }

  /** A page of the log ({@code EVENTS} with hidden rows): passes the hidden, delivers the rest. */
  private void deliverPage(String sessionId, DeliveryCursor cursor, JsonObject page) {
    JsonArray events = page.getJsonArray(Fields.EVENTS, new JsonArray());
    for (Object hidden : page.getJsonArray(BusFields.HIDDEN, new JsonArray())) {
      cursor.markPassed(((Number) hidden).longValue());
    }
    meters.replayPage(events.size());
    deliverFrom(sessionId, cursor, events, 0, page.getString(Fields.NEXT_CURSOR));
  }

  /**
   * Delivers a page read from the log, pausing while any connection of the agent is backed up: the
   * page is already in memory, and nothing more is read until it is written out (P7).
   */
  private void deliverFrom(
      String sessionId, DeliveryCursor cursor, JsonArray events, int from, String next) {
    for (int i = from; i < events.size(); i++) {
      if (stopped) {
        return;
      }
      if (congested()) {
        int at = i;
        parked.add(() -> deliverFrom(sessionId, cursor, events, at, next));
        return;
      }
      JsonObject event = events.getJsonObject(i);
      long sequence = event.getLong(Fields.SEQUENCE);
      if (!cursor.sent(sequence)) {
        send(sessionId, cursor, sequence, event.encode());
        meters.handedOver(event.getLong(Fields.CREATED_AT, 0L), false);
      }
    }
    if (next != null) {
      readPage(sessionId, cursor, Long.parseLong(next));
    } else if (cursor.endFetch()) {
      read(sessionId);
    }
  }

  /** Whether some connection has frames waiting: the agent's stream waits for it. */
  private boolean congested() {
    for (Connection connection : connections) {
      if (connection.backedUp()) {
        return true;
      }
    }
    return false;
  }

  /** A connection drained or went away: continue the work parked behind it. */
  void resume() {
    while (!parked.isEmpty() && !congested() && !stopped) {
      parked.poll().run();
    }
  }

  private void readFailed(String sessionId, DeliveryCursor cursor, Throwable failure) {
    cursor.endFetch();
    if (AspException.from(failure).code() == ErrorCode.NOT_FOUND) {
      cursors.remove(sessionId); // no longer a participant at all: nothing to deliver
      return;
    }
    LOG.warn(
        "reading session {} for {} failed, retrying: {}", sessionId, agent, failure.getMessage());
    context.owner().setTimer(RETRY_MS, t -> read(sessionId));
  }

  private void send(String sessionId, DeliveryCursor cursor, long sequence, String text) {
    if (isExtensionFrame(text) && !anyExtensions() && !connections.isEmpty()) {
      // every connection of the agent filters it out at write time (hub spec §2.3): delivered
      cursor.markPassed(sequence);
      return;
    }
    cursor.markSent(sequence);
    boolean extension = isExtensionFrame(text);
    for (Connection connection : connections) {
      if (extension && !connection.extensions) {
        continue; // filtered per connection, at write time
      }
      connection.write(
          text,
          flushed -> {
            cursor.markFlushed(sequence);
            meters.delivered();
          });
    }
  }

  /**
   * Whether a frame is an extension event: {@code Event.toJson} writes {@code type} first, so its
   * encoding starts with the type (both for announced frames and for events read from the log).
   */
  static boolean isExtensionFrame(String text) {
    return text.startsWith(EXTENSION_FRAME);
  }

  private static final String EXTENSION_FRAME = "{\"type\":\"a2a.";

  /** Whether some connection of the agent opted in to extension events. */
  boolean anyExtensions() {
    for (Connection connection : connections) {
      if (connection.extensions) {
        return true;
      }
    }
    return false;
  }

  /** Cursors that advanced since the last save, in the {@code SAVE_CURSORS} form. */
  JsonArray takeDirtyCursors() {
    JsonArray dirty = new JsonArray();
    cursors.forEach(
        (sessionId, cursor) -> {
          if (cursor.dirty()) {
            dirty.add(cursor.takeSave(sessionId));
          }
        });
    return dirty;
  }

  /** Saving failed: mark them again so the next flush retries. */
  void restoreDirty(JsonArray saved) {
    for (Object item : saved) {
      JsonObject save = (JsonObject) item;
      if (!agent.equals(save.getString(BusFields.AGENT, agent))) {
        continue;
      }
      DeliveryCursor cursor = cursors.get(save.getString(Fields.SESSION_ID));
      if (cursor != null) {
        cursor.markDirty();
      }
    }
  }
}
