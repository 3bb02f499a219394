package dev.asp.a2a.impl;

import dev.asp.protocol.ParticipantStatus;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who is owner and orchestrator of a session, and who takes part, read from its participant rows.
 * The orchestrator role passes on when its holder leaves (§6.3): to the owner if still joined, else
 * to the longest-joined participant. It is derived here, at read time, from the committed rows, so
 * it holds for every way of leaving (A2A leave, ASP leave, grace expiry, a block) without each of
 * them having to know about A2A.
 *
 * @param joined handles of joined participants, longest-joined first
 * @param statuses every participant's status
 */
record Roles(
    String owner,
    String orchestrator,
    List<String> joined,
    Map<String, ParticipantStatus> statuses,
    Map<String, Long> joinedAt) {

  static Future<Roles> read(SqlClient client, A2aSession session) {
    return client
        .preparedQuery(A2aQueries.PARTICIPANTS)
        .execute(Tuple.of(session.id()))
        .map(
            rows -> {
              List<String> joined = new ArrayList<>();
              Map<String, ParticipantStatus> statuses = new LinkedHashMap<>();
              Map<String, Long> joinedAt = new LinkedHashMap<>();
              for (Row row : rows) {
                String handle = row.getString("handle");
                ParticipantStatus status = ParticipantStatus.fromWire(row.getString("status"));
                statuses.put(handle, status);
                joinedAt.put(handle, row.getLong("joined_at"));
                if (status == ParticipantStatus.JOINED) {
                  joined.add(handle);
                }
              }
              String owner = session.ownerHandle();
              String stored = session.orchestrator() != null ? session.orchestrator() : owner;
              String orchestrator;
              if (joined.contains(stored) || joined.isEmpty()) {
                orchestrator = stored;
              } else if (joined.contains(owner)) {
                orchestrator = owner;
              } else {
                orchestrator = joined.get(0);
              }
              return new Roles(owner, orchestrator, joined, statuses, joinedAt);
            });
  }

  /** {@code owner}, {@code orchestrator} or {@code participant}: the first that matches. */
  String roleOf(String handle) {
    if (handle.equals(owner)) {
      return "owner";
    }
    if (handle.equals(orchestrator)) {
      return "orchestrator";
    }
    return "participant";
  }
}
