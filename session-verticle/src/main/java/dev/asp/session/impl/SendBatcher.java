package dev.asp.session.impl;

import dev.asp.protocol.AspException;
import dev.asp.protocol.ErrorCode;
import dev.asp.session.log.Committed;
import dev.asp.session.log.EventAnnouncer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * {@code SEND} with group commit across sessions. A send goes at once when fewer than {@code
 * maxInFlight} groups are under way in this verticle instance; sends arriving meanwhile wait, and
 * the next free slot takes them together, in arrival order, as one group (one statement, one
 * transaction, one commit; at most {@link #MAX_GROUP}), each with its own checks, idempotency and
 * reply, exactly as if sent one by one. Under load a commit carries many messages of many sessions,
 * so the database's cost per message falls as the load rises, while a lone send waits for nobody.
 *
 * <p>A session is in at most one group under way: its sends keep their arrival order (a later send
 * of a session never commits before an earlier one of this instance) and two groups never wait on
 * one session's row lock. If a group fails as a whole (a concurrent retry took a key, a deadlock
 * with another command, the database went away), nothing of it committed and each of its sends is
 * tried again alone, so one bad request never fails another. Confined to the verticle's context.
 */
public final class SendBatcher {
  /** Most sends committed together. */
  static final int MAX_GROUP = 64;

  /** Most sends waiting for a slot; beyond, a send is shed with 503 (it did nothing). */
  static final int MAX_WAITING = 4096;

  private final SendMessage sends;
  private final EventAnnouncer announcer;
  private final int maxInFlight;

  private final ArrayDeque<Pending> waiting = new ArrayDeque<>();

  /** Sessions with a group under way. */
  private final Set<String> busy = new HashSet<>();

  private int inFlight;

  /**
   * @param maxInFlight groups under way at once, at most the pool's connections
   */
  public SendBatcher(SendMessage sends, EventAnnouncer announcer, int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1");
    }
    this.sends = sends;
    this.announcer = announcer;
    this.maxInFlight = maxInFlight;
  }

  private record Pending(SendMessage.Request request, Promise<Committed> result) {}

  public Future<Committed> handle(JsonObject body) {
    SendMessage.Request request = sends.parse(body);
    if (waiting.size() >= MAX_WAITING) {
      return Future.failedFuture(
          new AspException(
              ErrorCode.UNAVAILABLE,
              "too many sends waiting",
              new ConnectionPoolTooBusyException("send queue full")));
    }
    Pending pending = new Pending(request, Promise.promise());
    waiting.add(pending);
    dispatch();
    return pending.result().future();
  }

  /** Starts groups while a slot is free and some waiting send's session is not under way. */
  private void dispatch() {
    while (inFlight < maxInFlight && !waiting.isEmpty()) {
      List<Pending> group = take();
      if (group.isEmpty()) {
        return;
      }
      inFlight++;
      run(group)
          .onComplete(
              done -> {
                inFlight--;
                for (Pending pending : group) {
                  busy.remove(pending.request().sessionId());
                }
                dispatch();
              });
    }
  }

  /** The waiting sends of sessions not under way, oldest first, up to a group's size. */
  private List<Pending> take() {
    List<Pending> group = new ArrayList<>(Math.min(MAX_GROUP, waiting.size()));
    Set<String> taken = new HashSet<>();
    Iterator<Pending> it = waiting.iterator();
    while (it.hasNext() && group.size() < MAX_GROUP) {
      Pending pending = it.next();
      String sessionId = pending.request().sessionId();
      if (busy.contains(sessionId) && !taken.contains(sessionId)) {
        continue; // its session's earlier sends are under way: it keeps its place
      }
      it.remove();
      group.add(pending);
      if (taken.add(sessionId)) {
        busy.add(sessionId);
      }
    }
    return group;
  }

  private Future<Void> run(List<Pending> group) {
    if (group.size() == 1) {
      return alone(group.get(0));
    }
    List<SendMessage.Request> requests = new ArrayList<>(group.size());
    for (Pending pending : group) {
      requests.add(pending.request());
    }
    return sends
        .together(requests)
        .map(
            committed -> {
              complete(group, committed);
              return (Void) null;
            })
        .recover(failure -> oneByOne(group));
  }

  private void complete(List<Pending> group, SendMessage.Group committed) {
    // announced before any reply, as every command's commit is
    committed.announcements().forEach(announcer::announce);
    for (int i = 0; i < group.size(); i++) {
      SendMessage.Outcome outcome = committed.outcomes().get(i);
      Promise<Committed> result = group.get(i).result();
      if (outcome.error() != null) {
        result.fail(outcome.error());
      } else {
        result.complete(Committed.replay(outcome.reply()));
      }
    }
  }

  private Future<Void> alone(Pending pending) {
    return sends
        .alone(pending.request())
        .map(
            committed -> {
              complete(List.of(pending), committed);
              return (Void) null;
            })
        .recover(
            failure -> {
              pending.result().fail(failure);
              return Future.succeededFuture();
            });
  }

  /** A group failed as a whole, so nothing of it committed: each send again, alone, in order. */
  private Future<Void> oneByOne(List<Pending> group) {
    Future<Void> chain = Future.succeededFuture();
    for (Pending pending : group) {
      chain = chain.compose(v -> alone(pending));
    }
    return chain;
  }
}
