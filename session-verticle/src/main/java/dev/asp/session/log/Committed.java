package dev.asp.session.log;

import dev.asp.protocol.Event;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of a command after its transaction committed: the reply for the caller and what it
 * appended, one {@link Announcement} per session it wrote to (events in sequence order,
 * participants at commit), to be announced on the bus with {@link EventAnnouncer#announce(
 * Committed)}.
 *
 * <p>Most commands write to one session. Some write to several in one transaction (a board change
 * that also appends notices to subscribers' notice sessions), so every announcement must be
 * published, in order: publishing only the first would leave the others undelivered until a
 * reconnect replays them.
 */
public record Committed(JsonObject reply, List<Announcement> announcements) {

  public Committed {
    announcements = List.copyOf(announcements);
  }

  /** A command that wrote to one session (or none, when {@code announcement} is empty). */
  public Committed(JsonObject reply, Announcement announcement) {
    this(reply, List.of(announcement));
  }

  /** A reply that appended nothing (idempotent replays, no-op commands). */
  public static Committed replay(JsonObject reply) {
    return new Committed(reply, List.of());
  }

  /** The same commit with {@code more} announced after what is already there. */
  public Committed plus(List<Announcement> more) {
    if (more.isEmpty()) {
      return this;
    }
    List<Announcement> all = new ArrayList<>(announcements);
    all.addAll(more);
    return new Committed(reply, all);
  }

  /** Every event committed, session by session in announcement order. */
  public List<Event> events() {
    List<Event> all = new ArrayList<>();
    for (Announcement announcement : announcements) {
      all.addAll(announcement.events());
    }
    return all;
  }
}
