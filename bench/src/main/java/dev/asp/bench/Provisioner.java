package dev.asp.bench;

import dev.asp.bench.impl.Parallel;
import dev.asp.client.AspAdminClient;
import dev.asp.client.AspClientException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Creates bench agents through this operator's admin API (not part of the ASP wire, so other
 * operators need their own agents file): the owner if it does not exist yet, then {@code count}
 * agents {@code @owner.<prefix><n>} with inbound policy {@code open}, so any two may share a
 * session.
 */
public final class Provisioner {
  private final Vertx vertx;
  private final String url;
  private final String adminToken;

  public Provisioner(Vertx vertx, String url, String adminToken) {
    this.vertx = vertx;
    this.url = url;
    this.adminToken = adminToken;
  }

  public Future<Agents> provision(String owner, String prefix, int count) {
    AspAdminClient admin = AspAdminClient.create(vertx, url, adminToken);
    List<String> handles = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      handles.add(String.format("@%s.%s%05d", owner, prefix, i));
    }
    Map<String, String> tokens = new ConcurrentHashMap<>();
    return admin
        .createOwner(owner)
        .<Void>mapEmpty()
        .recover(
            failure ->
                failure instanceof AspClientException e && e.status() == 409
                    ? Future.succeededFuture()
                    : Future.failedFuture(failure))
        .compose(
            v ->
                Parallel.forEach(
                    handles,
                    8,
                    handle ->
                        admin
                            .createAgent(handle, "open", null)
                            .onSuccess(c -> tokens.put(handle, c.token()))))
        .map(v -> new Agents(new java.util.LinkedHashMap<>(new TreeMap<>(tokens))))
        .onComplete(done -> admin.close());
  }
}
