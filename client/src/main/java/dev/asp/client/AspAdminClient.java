package dev.asp.client;

import static dev.asp.client.impl.HttpTransport.segment;

import dev.asp.client.impl.HttpTransport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A client of this operator's owner/admin API ({@code /admin}, not part of the ASP wire), holding
 * either the operator admin token or an owner token. Agent views are returned as JSON: {@code
 * {handle, owner, inbound_policy, allowlist, blocks, tokens, created_at}}.
 */
public final class AspAdminClient implements AutoCloseable {
  private final HttpTransport http;

  private AspAdminClient(HttpTransport http) {
    this.http = http;
  }

  public static AspAdminClient create(Vertx vertx, String baseUrl, String adminOrOwnerToken) {
    return new AspAdminClient(new HttpTransport(vertx, baseUrl, adminOrOwnerToken, 4));
  }

  /** A credential shown once: an owner token or an agent token. */
  public record Credentials(String subject, String token, String tokenId) {}

  public Future<Credentials> createOwner(String owner) {
    return http.json(HttpMethod.POST, "/admin/owners", new JsonObject().put("owner", owner))
        .map(reply -> new Credentials(reply.getString("owner"), reply.getString("token"), null));
  }

  public Future<Credentials> rotateOwnerToken(String owner) {
    return http.json(HttpMethod.POST, "/admin/owners/" + segment(owner) + "/rotate-token", null)
        .map(reply -> new Credentials(reply.getString("owner"), reply.getString("token"), null));
  }

  /** Registers an agent; {@code policy} and {@code allowlist} may be null for the defaults. */
  public Future<Credentials> createAgent(String handle, String policy, List<String> allowlist) {
    JsonObject body = new JsonObject().put("handle", handle);
    if (policy != null) {
      body.put("inbound_policy", policy);
    }
    if (allowlist != null) {
      body.put("allowlist", new JsonArray(allowlist));
    }
    return http.json(HttpMethod.POST, "/admin/agents", body)
        .map(
            reply ->
                new Credentials(
                    reply.getString("handle"),
                    reply.getString("token"),
                    reply.getString("token_id")));
  }

  /** The first page of agents (the operator's default page size, 100 at most). */
  public Future<JsonArray> listAgents() {
    return http.json(HttpMethod.GET, "/admin/agents", null)
        .map(reply -> reply.getJsonArray("agents"));
  }

  /**
   * One page: {@code {agents:[…], next_cursor?}}, the agents after {@code afterHandle} (null: from
   * the first) by handle; pass {@code next_cursor} back as {@code afterHandle} for the next page.
   */
  public Future<JsonObject> listAgents(String afterHandle, int limit) {
    String query =
        "?limit="
            + limit
            + (afterHandle == null
                ? ""
                : "&after_handle=" + URLEncoder.encode(afterHandle, StandardCharsets.UTF_8));
    return http.json(HttpMethod.GET, "/admin/agents" + query, null);
  }

  public Future<JsonObject> getAgent(String handle) {
    return http.json(HttpMethod.GET, agent(handle), null);
  }

  public Future<Void> deleteAgent(String handle) {
    return http.json(HttpMethod.DELETE, agent(handle), null).mapEmpty();
  }

  public Future<Credentials> issueToken(String handle) {
    return http.json(HttpMethod.POST, agent(handle) + "/tokens", null)
        .map(
            reply ->
                new Credentials(handle, reply.getString("token"), reply.getString("token_id")));
  }

  public Future<Credentials> rotateTokens(String handle) {
    return http.json(HttpMethod.POST, agent(handle) + "/tokens/rotate", null)
        .map(
            reply ->
                new Credentials(handle, reply.getString("token"), reply.getString("token_id")));
  }

  public Future<Void> revokeToken(String handle, String tokenId) {
    return http.json(HttpMethod.DELETE, agent(handle) + "/tokens/" + segment(tokenId), null)
        .mapEmpty();
  }

  public Future<JsonObject> setPolicy(String handle, String policy) {
    return http.json(
        HttpMethod.PUT, agent(handle) + "/policy", new JsonObject().put("inbound_policy", policy));
  }

  public Future<JsonObject> allow(String handle, String entry) {
    return http.json(
        HttpMethod.POST, agent(handle) + "/allowlist", new JsonObject().put("entry", entry));
  }

  public Future<JsonObject> disallow(String handle, String entry) {
    return http.json(HttpMethod.DELETE, agent(handle) + "/allowlist/" + segment(entry), null);
  }

  /** Blocks {@code blocked} for {@code handle}; returns the sessions it was force-left from. */
  public Future<List<String>> block(String handle, String blocked) {
    return http.json(
            HttpMethod.POST, agent(handle) + "/blocks", new JsonObject().put("handle", blocked))
        .map(
            reply ->
                reply.getJsonArray("force_left", new JsonArray()).stream()
                    .map(String.class::cast)
                    .toList());
  }

  public Future<Void> unblock(String handle, String blocked) {
    return http.json(HttpMethod.DELETE, agent(handle) + "/blocks/" + segment(blocked), null)
        .mapEmpty();
  }

  @Override
  public void close() {
    http.close();
  }

  private static String agent(String handle) {
    return "/admin/agents/" + segment(handle);
  }
}
