package dev.asp.session.log;

import dev.asp.protocol.bus.BusClient;
import dev.asp.protocol.bus.BusFields;
import dev.asp.protocol.bus.TrustAction;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Asks the trust verticle which handles an agent may contact (spec §2: checked on create, invite
 * and reopen). Called before a transaction opens, so no row lock is held while waiting on the bus;
 * a trust verticle that does not answer fails the command with {@code unavailable}.
 */
public final class TrustGate {
  private final BusClient bus;

  public TrustGate(BusClient bus) {
    this.bus = bus;
  }

  /**
   * The members of {@code to} that exist and may communicate with {@code from}, in order, and have
   * no block either way with anyone in {@code with} (whom they would share the session with), so a
   * third party cannot bring a blocked agent back into contact with its blocker.
   */
  public Future<List<String>> reachable(String from, List<String> to, List<String> with) {
    if (to.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    JsonObject request =
        new JsonObject()
            .put(BusFields.FROM, from)
            .put(BusFields.TO, new JsonArray(to))
            .put(BusFields.WITH, new JsonArray(with));
    return bus.trust(TrustAction.REACHABLE, request)
        .map(
            reply -> {
              JsonArray answer = reply.getJsonArray(BusFields.REACHABLE, new JsonArray());
              Set<Object> allowed = new HashSet<>(answer.getList());
              // Keep only what was asked, in the caller's order: the reply is not trusted to add.
              return to.stream().filter(allowed::contains).toList();
            });
  }

  /** The members of {@code with} that have a block either way with {@code agent}. */
  public Future<Set<String>> blockedAmong(String agent, List<String> with) {
    if (with.isEmpty()) {
      return Future.succeededFuture(Set.of());
    }
    JsonObject request =
        new JsonObject().put(BusFields.AGENT, agent).put(BusFields.WITH, new JsonArray(with));
    return bus.trust(TrustAction.BLOCKED_AMONG, request)
        .map(
            reply -> {
              Set<String> asked = new HashSet<>(with);
              Set<String> blocked = new HashSet<>();
              for (Object handle : reply.getJsonArray(BusFields.BLOCKED, new JsonArray())) {
                // only what was asked: the reply is not trusted to add
                if (handle instanceof String h && asked.contains(h)) {
                  blocked.add(h);
                }
              }
              return blocked;
            });
  }
}
