package dev.asp.operator;

import dev.asp.operator.cluster.ClusterSettings;
import dev.asp.operator.logging.LogFormat;
import dev.asp.protocol.MessageLimits;
import dev.asp.protocol.bus.TrustAction;
import dev.asp.storage.DatabaseSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Builds an {@link OperatorConfig} from {@code ASP_*} settings: first the optional properties file
 * named by {@code ASP_CONFIG_FILE} (same keys), then the environment, which wins. Every value is
 * checked; all problems are reported together in one {@link InvalidConfigException}, and unknown
 * {@code ASP_} keys are refused so a typo never silently falls back to a default.
 */
public final class ConfigLoader {
  /** Every setting with its default ({@code null} = unset) and one line of documentation. */
  public static final Map<String, String[]> SETTINGS = new LinkedHashMap<>();

  static {
    setting("ASP_CONFIG_FILE", null, "optional properties file with any of these keys");
    setting("ASP_ROLES", "gateway,session,trust,delivery", "what this node runs (P9)");
    setting("ASP_HTTP_HOST", "127.0.0.1", "interface the HTTP server binds");
    setting("ASP_HTTP_PORT", "8080", "HTTP port (0 = any free port)");
    setting(
        "ASP_HTTP_IDLE_TIMEOUT_MS", "60000", "keep-alive connection with no request closed after");
    setting(
        "ASP_HTTP_HEADER_TIMEOUT_MS", "10000", "connection without complete headers closed after");
    setting("ASP_HTTP_MAX_CONNECTIONS", "16000", "open HTTP connections per node; more closed");
    setting("ASP_DATABASE_URL", null, "postgresql://user:password@host:port/db; unset = embedded");
    setting("ASP_DATABASE_POOL_SIZE", "8", "connections per verticle instance");
    setting("ASP_DATABASE_WAIT_QUEUE", "4096", "requests waiting per pool before 503");
    setting("ASP_DATA_DIR", "./data", "where the embedded PostgreSQL keeps its data");
    setting("ASP_EMBEDDED_DB_PORT", "0", "port of the embedded PostgreSQL (0 = any free port)");
    setting("ASP_ADMIN_TOKEN", null, "operator admin credential (>= 16 chars); unset = no admin");
    setting("ASP_SEED_FILE", null, "JSON seed of agents loaded at start-up (idempotent)");
    setting("ASP_ADMIN_PAGE_LIMIT", "1000", "largest page of GET /admin/agents (limit 1..this)");
    setting("ASP_MAX_BODY_BYTES", "1048576", "largest HTTP request body (413 beyond)");
    setting("ASP_MAX_CONTENT_BYTES", "262144", "largest message content as JSON (413 beyond)");
    setting("ASP_MAX_PARTS", "64", "most parts in one message (413 beyond)");
    setting("ASP_MAX_METADATA_BYTES", "16384", "largest message metadata as JSON (413 beyond)");
    setting("ASP_MAX_INVITEES", "100", "most handles in one invite list (400 beyond)");
    setting("ASP_MAX_TOPIC_LENGTH", "1000", "longest session topic in characters (400 beyond)");
    setting("ASP_BUS_TIMEOUT_MS", "10000", "event-bus request timeout between verticles (503)");
    setting("ASP_GATEWAY_INSTANCES", "2", "HTTP gateway verticle instances (share the port)");
    setting("ASP_SESSION_INSTANCES", "2", "session verticle instances");
    setting("ASP_GRACE_MS", "30000", "grace window after an agent's last connection drops");
    setting("ASP_GRACE_SWEEP_MS", "1000", "how often expired grace windows are looked for");
    setting("ASP_WS_PING_INTERVAL_MS", "15000", "how often every WebSocket is pinged");
    setting("ASP_WS_IDLE_TIMEOUT_MS", "45000", "a WebSocket silent this long is closed (4000)");
    setting(
        "ASP_WS_WRITE_QUEUE_BYTES", "262144", "bytes queued per WebSocket before delivery waits");
    setting(
        "ASP_WS_SLOW_CONSUMER_MS", "10000", "a WebSocket not draining this long is closed (4001)");
    setting(
        "ASP_WS_CLOSING_TIMEOUT_S", "2", "seconds a WebSocket peer has to answer a close frame");
    setting("ASP_AUTH_CACHE_SIZE", "10000", "token lookups cached per node (0 = off)");
    setting("ASP_AUTH_CACHE_TTL_MS", "60000", "how long a cached token lookup is trusted");
    setting(
        "ASP_AUTH_CACHE_CONNECT_TTL_MS",
        "600000",
        "how long a token lookup that opened a WS /connect is trusted after its verification");
    setting("ASP_AUTH_FAILURE_LIMIT", "20", "failed authentications per client address (429)");
    setting("ASP_AUTH_FAILURE_WINDOW_MS", "60000", "window of that limit (its refill period)");
    setting("ASP_CURSOR_FLUSH_MS", "250", "how often delivery cursors are persisted");
    setting("ASP_REPLAY_BATCH", "500", "events read from the log per replay request");
    setting(
        "ASP_REORDER_HOLD_MS", "20", "how long an event ahead of its turn waits (0 = read log)");
    setting("ASP_DELIVERY_REQUESTS", "64", "delivery's requests in flight to the session service");
    setting("ASP_MIGRATE_ON_START", "true", "apply schema migrations at start-up");
    setting("ASP_SHUTDOWN_TIMEOUT_MS", "20000", "longest a stopping node takes to hand over");
    setting("ASP_CLUSTER_MODE", "none", "none | tcp-ip | kubernetes | multicast");
    setting(
        "ASP_CLUSTER_NAME",
        ClusterSettings.DEFAULT_NAME,
        "Hazelcast cluster name: only equal names join (not a secret)");
    setting("ASP_CLUSTER_PORT", "5701", "Hazelcast member port of this node");
    setting("ASP_CLUSTER_MEMBERS", null, "tcp-ip: comma-separated host[:port] of members");
    setting("ASP_CLUSTER_K8S_SERVICE_DNS", null, "kubernetes: DNS name of the headless Service");
    setting(
        "ASP_CLUSTER_INTERFACE",
        null,
        "IP Hazelcast binds (only) and advertises; unset = its choice");
    setting("ASP_CLUSTER_HEARTBEAT_S", "1", "seconds between Hazelcast heartbeats");
    setting("ASP_CLUSTER_MEMBER_TIMEOUT_S", "10", "a member silent this long is removed");
    setting("ASP_CLUSTER_JOIN_WAIT_S", "5", "how long a starting member looks for others");
    setting("ASP_CLUSTER_MERGE_DELAY_S", "30", "how soon the halves of a healed partition merge");
    setting("ASP_EVENTBUS_HOST", null, "address the event bus binds; unset = cluster address");
    setting("ASP_EVENTBUS_PUBLIC_HOST", null, "address other nodes reach this event bus at");
    setting("ASP_EVENTBUS_PORT", "0", "event-bus port (0 = any free port)");
    setting("ASP_CLUSTER_PRESENCE_CHECK_S", "60", "how often presence of departed nodes is swept");
    setting("ASP_CLUSTER_TLS_CERT", null, "PEM certificate of this node: event-bus mutual TLS");
    setting("ASP_CLUSTER_TLS_KEY", null, "PEM private key of that certificate");
    setting("ASP_CLUSTER_TLS_CA", null, "PEM CA a peer node's certificate must be signed by");
    setting("ASP_MANAGEMENT_HOST", "127.0.0.1", "interface of the health and metrics server");
    setting("ASP_MANAGEMENT_PORT", "9090", "port of /health/live, /health/ready, /metrics");
    setting("ASP_HEALTH_TIMEOUT_MS", "2000", "longest a readiness check waits (then: not ready)");
    setting(
        "ASP_METRICS_VERTX_DETAIL",
        "true",
        "Vert.x's per-route HTTP and per-address event-bus meters (false: asp_*, pools, JVM only)");
    setting("ASP_LOG_FORMAT", "text", "text | json (one JSON object per line)");
    setting("ASP_A2A_ENABLED", "true", "serve the A2A hub surface /a2a/*");
    setting("ASP_A2A_NODE_OWNER", "a2a", "reserved owner of hub nodes (@a2a.node_x)");
    setting("ASP_A2A_NODE_POLICY", "open", "inbound policy of new hub nodes: open | allowlist");
    setting("ASP_A2A_HUB_NODE_ID", null, "hub_<32 hex>; unset = generated once and stored");
    setting("ASP_A2A_DEFAULT_LEVEL", "3", "capability level of every node (1..3)");
    setting("ASP_A2A_LEVEL_GATING", "false", "refuse calls above the node's level (403)");
    setting("ASP_A2A_HELLO_LIMIT", "60", "hellos per client address per window (429 beyond)");
    setting("ASP_A2A_HELLO_WINDOW_MS", "3600000", "window of the hello limit");
    setting("ASP_A2A_TRUST_FORWARDED_FOR", "false", "take the hello address from X-Forwarded-For");
    setting(
        "ASP_A2A_UNCLAIMED_REISSUE_MS",
        "600000",
        "reissue window of a never-used secret (0 = off)");
    setting("ASP_A2A_HEARTBEAT_INTERVAL_MS", "300000", "heartbeat interval told to nodes");
    setting("ASP_A2A_OFFLINE_MS", "900000", "a node is alive this long after its last heartbeat");
    setting("ASP_A2A_HEARTBEAT_LIMIT", "6", "heartbeats per node per window (429 beyond)");
    setting("ASP_A2A_HEARTBEAT_WINDOW_MS", "300000", "window of the heartbeat limit");
    setting("ASP_A2A_HEARTBEAT_EVENTS", "20", "events carried per heartbeat");
    setting("ASP_A2A_POLL_MAX_WAIT_MS", "55000", "longest long-poll");
    setting(
        "ASP_A2A_POLL_LINGER_MS",
        "100",
        "a long-poll or stream pull looks this long after it arrives, so a busy stream is answered"
            + " in batches (0: at once)");
    setting("ASP_A2A_POLL_BATCH", "50", "default poll limit (max 100)");
    setting("ASP_A2A_POLL_LIMIT", "120", "polls per node per window (429 beyond)");
    setting("ASP_A2A_POLL_WINDOW_MS", "60000", "window of the poll limit");
    setting("ASP_A2A_SSE_MAX_MS", "3600000", "longest SSE stream (duration_ms is capped to it)");
    setting("ASP_A2A_SSE_KEEPALIVE_MS", "15000", "ping comment interval of an idle SSE stream");
    setting("ASP_A2A_MAX_MESSAGE_CHARS", "16384", "largest A2A message payload as JSON (413)");
    setting("ASP_A2A_MAX_PARTICIPANTS", "20", "default and cap of max_participants");
    setting("ASP_A2A_SHARED_CONTEXT_BYTES", "51200", "bound of shared_context as UTF-8 JSON");
    setting("ASP_A2A_CONTEXT_MAX", "500", "largest recent_messages window of session/context");
    setting("ASP_A2A_MAILBOX_MAX_BYTES", "4194304", "body limit of POST /a2a/mailbox/outbound");
    setting("ASP_A2A_MAILBOX_TTL_MS", "604800000", "mailbox expiry and outbound result retention");
    setting(
        "ASP_A2A_SESSION_IDLE_MS", "172800000", "idle time (no event) before an A2A session fails");
    setting(
        "ASP_A2A_CONVERGE_WINDOW_MS",
        "60000",
        "converging → completed after this long (0 = at once)");
    setting("ASP_A2A_MAX_SUBSCRIPTIONS", "50", "topics a node may subscribe to");
    setting(
        "ASP_A2A_DELIBERATION_MAX_AGENTS",
        "5",
        "most participants a deliberation picks (and the cap of min_agents, max_agents)");
    setting("ASP_A2A_SWEEP_MS", "1000", "how often converge windows and idle limits are checked");
  }

  private ConfigLoader() {}

  /** Thrown with every problem found, one per line; the operator exits without starting. */
  public static final class InvalidConfigException extends RuntimeException {
    public InvalidConfigException(String message) {
      super(message);
    }
  }

  public static OperatorConfig load(Map<String, String> environment) {
    Map<String, String> values = new HashMap<>();
    List<String> problems = new ArrayList<>();
    String file = environment.get("ASP_CONFIG_FILE");
    if (file != null && !file.isBlank()) {
      readFile(Path.of(file), values, problems);
    }
    environment.forEach(
        (key, value) -> {
          if (key.startsWith("ASP_")) {
            values.put(key, value);
          }
        });
    for (String key : new TreeSet<>(values.keySet())) {
      if (!SETTINGS.containsKey(key)) {
        problems.add(key + " is not a known setting");
      }
    }
    Reader reader = new Reader(values, problems);
    String databaseUrl = reader.optional("ASP_DATABASE_URL");
    int poolSize = reader.integer("ASP_DATABASE_POOL_SIZE", 1, 1000);
    if (databaseUrl != null) {
      try {
        DatabaseSettings.fromUrl(databaseUrl, poolSize);
      } catch (IllegalArgumentException e) {
        problems.add("ASP_DATABASE_URL " + e.getMessage());
      }
    }
    String adminToken = reader.optional("ASP_ADMIN_TOKEN");
    if (adminToken != null && adminToken.length() < 16) {
      problems.add("ASP_ADMIN_TOKEN must be at least 16 characters");
    }
    String seed = reader.optional("ASP_SEED_FILE");
    if (seed != null && !Files.isReadable(Path.of(seed))) {
      problems.add("ASP_SEED_FILE " + seed + " is not a readable file");
    }
    OperatorConfig config =
        new OperatorConfig(
            reader.parsed("ASP_ROLES", Role::parseList, Role.ALL),
            cluster(reader, problems),
            reader.bool("ASP_MIGRATE_ON_START"),
            reader.integer("ASP_SHUTDOWN_TIMEOUT_MS", 1000, 600_000),
            reader.text("ASP_HTTP_HOST"),
            reader.integer("ASP_HTTP_PORT", 0, 65535),
            databaseUrl,
            poolSize,
            Path.of(reader.text("ASP_DATA_DIR")),
            reader.integer("ASP_EMBEDDED_DB_PORT", 0, 65535),
            adminToken,
            seed == null ? null : Path.of(seed),
            reader.integer("ASP_MAX_BODY_BYTES", 1024, 64 * 1024 * 1024),
            new MessageLimits(
                reader.integer("ASP_MAX_CONTENT_BYTES", 16, 64 * 1024 * 1024),
                reader.integer("ASP_MAX_PARTS", 1, 10_000),
                reader.integer("ASP_MAX_METADATA_BYTES", 16, 64 * 1024 * 1024)),
            reader.integer("ASP_MAX_INVITEES", 1, 10_000),
            reader.integer("ASP_MAX_TOPIC_LENGTH", 1, 100_000),
            reader.integer("ASP_BUS_TIMEOUT_MS", 100, 600_000),
            reader.integer("ASP_GATEWAY_INSTANCES", 1, 64),
            reader.integer("ASP_SESSION_INSTANCES", 1, 64),
            reader.integer("ASP_GRACE_MS", 100, 86_400_000),
            reader.integer("ASP_GRACE_SWEEP_MS", 20, 600_000),
            reader.integer("ASP_WS_PING_INTERVAL_MS", 50, 600_000),
            reader.integer("ASP_WS_IDLE_TIMEOUT_MS", 100, 3_600_000),
            reader.integer("ASP_WS_WRITE_QUEUE_BYTES", 1024, 256 * 1024 * 1024),
            reader.integer("ASP_WS_SLOW_CONSUMER_MS", 50, 600_000),
            reader.integer("ASP_WS_CLOSING_TIMEOUT_S", 1, 600),
            reader.integer("ASP_AUTH_CACHE_SIZE", 0, 10_000_000),
            reader.integer("ASP_AUTH_CACHE_TTL_MS", 100, 3_600_000),
            reader.integer("ASP_AUTH_CACHE_CONNECT_TTL_MS", 100, 86_400_000),
            reader.integer("ASP_CURSOR_FLUSH_MS", 10, 60_000),
            reader.integer("ASP_REPLAY_BATCH", 1, 1000),
            reader.text("ASP_MANAGEMENT_HOST"),
            reader.integer("ASP_MANAGEMENT_PORT", 0, 65535),
            reader.integer("ASP_HEALTH_TIMEOUT_MS", 100, 60_000),
            reader.parsed("ASP_LOG_FORMAT", LogFormat::parse, LogFormat.TEXT),
            reader.integer("ASP_REORDER_HOLD_MS", 0, 10_000),
            reader.integer("ASP_DELIVERY_REQUESTS", 1, 10_000),
            reader.integer("ASP_DATABASE_WAIT_QUEUE", 1, 1_000_000),
            reader.integer("ASP_ADMIN_PAGE_LIMIT", 1, TrustAction.MAX_AGENTS_PAGE),
            a2a(reader, problems),
            reader.integer("ASP_HTTP_IDLE_TIMEOUT_MS", 100, 3_600_000),
            reader.integer("ASP_HTTP_HEADER_TIMEOUT_MS", 100, 600_000),
            reader.integer("ASP_HTTP_MAX_CONNECTIONS", 1, 1_000_000),
            reader.integer("ASP_AUTH_FAILURE_LIMIT", 1, 1_000_000),
            reader.integer("ASP_AUTH_FAILURE_WINDOW_MS", 100, 86_400_000),
            reader.bool("ASP_METRICS_VERTX_DETAIL"));
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(
          "invalid configuration:\n  " + String.join("\n  ", problems));
    }
    return config;
  }

  private static A2aConfig a2a(Reader reader, List<String> problems) {
    String owner = reader.text("ASP_A2A_NODE_OWNER");
    if (!owner.matches("[a-z0-9_-]{1,64}")) {
      problems.add("ASP_A2A_NODE_OWNER must be an owner name ([a-z0-9_-], got '" + owner + "')");
    }
    String hubId = reader.optional("ASP_A2A_HUB_NODE_ID");
    if (hubId != null && !hubId.matches("hub_[0-9a-f]{32}")) {
      problems.add("ASP_A2A_HUB_NODE_ID must be hub_ and 32 lowercase hex digits");
    }
    return new A2aConfig(
        reader.bool("ASP_A2A_ENABLED"),
        owner,
        reader.parsed(
            "ASP_A2A_NODE_POLICY",
            dev.asp.protocol.InboundPolicy::fromWire,
            dev.asp.protocol.InboundPolicy.OPEN),
        hubId,
        reader.integer("ASP_A2A_DEFAULT_LEVEL", 1, 3),
        reader.bool("ASP_A2A_LEVEL_GATING"),
        reader.integer("ASP_A2A_HELLO_LIMIT", 1, 1_000_000),
        reader.integer("ASP_A2A_HELLO_WINDOW_MS", 100, 86_400_000),
        reader.bool("ASP_A2A_TRUST_FORWARDED_FOR"),
        reader.integer("ASP_A2A_UNCLAIMED_REISSUE_MS", 0, 86_400_000),
        reader.integer("ASP_A2A_HEARTBEAT_INTERVAL_MS", 1000, 86_400_000),
        reader.integer("ASP_A2A_OFFLINE_MS", 1000, 604_800_000),
        reader.integer("ASP_A2A_HEARTBEAT_LIMIT", 1, 1_000_000),
        reader.integer("ASP_A2A_HEARTBEAT_WINDOW_MS", 100, 86_400_000),
        reader.integer("ASP_A2A_HEARTBEAT_EVENTS", 0, 100),
        reader.integer("ASP_A2A_POLL_MAX_WAIT_MS", 0, 300_000),
        reader.integer("ASP_A2A_POLL_LINGER_MS", 0, 1000),
        reader.integer("ASP_A2A_POLL_BATCH", 1, 100),
        reader.integer("ASP_A2A_POLL_LIMIT", 1, 1_000_000),
        reader.integer("ASP_A2A_POLL_WINDOW_MS", 100, 86_400_000),
        reader.integer("ASP_A2A_SSE_MAX_MS", 1000, 86_400_000),
        reader.integer("ASP_A2A_SSE_KEEPALIVE_MS", 100, 300_000),
        reader.integer("ASP_A2A_MAX_MESSAGE_CHARS", 16, 1_048_576),
        reader.integer("ASP_A2A_MAX_PARTICIPANTS", 2, 1000),
        reader.integer("ASP_A2A_SHARED_CONTEXT_BYTES", 256, 16_777_216),
        reader.integer("ASP_A2A_CONTEXT_MAX", 1, 10_000),
        reader.integer("ASP_A2A_MAILBOX_MAX_BYTES", 1024, 268_435_456),
        reader.integer("ASP_A2A_MAILBOX_TTL_MS", 1000, 2_000_000_000),
        reader.integer("ASP_A2A_SESSION_IDLE_MS", 1000, 2_000_000_000),
        reader.integer("ASP_A2A_CONVERGE_WINDOW_MS", 0, 86_400_000),
        reader.integer("ASP_A2A_MAX_SUBSCRIPTIONS", 1, 10_000),
        reader.integer("ASP_A2A_SWEEP_MS", 20, 600_000),
        reader.integer("ASP_A2A_DELIBERATION_MAX_AGENTS", 1, 100));
  }

  private static ClusterSettings cluster(Reader reader, List<String> problems) {
    ClusterSettings.Mode mode =
        reader.parsed("ASP_CLUSTER_MODE", ClusterSettings.Mode::parse, ClusterSettings.Mode.NONE);
    String members = reader.optional("ASP_CLUSTER_MEMBERS");
    String dns = reader.optional("ASP_CLUSTER_K8S_SERVICE_DNS");
    if (mode == ClusterSettings.Mode.TCP_IP && members == null) {
      problems.add("ASP_CLUSTER_MEMBERS is required with ASP_CLUSTER_MODE=tcp-ip");
    }
    if (mode == ClusterSettings.Mode.KUBERNETES && dns == null) {
      problems.add("ASP_CLUSTER_K8S_SERVICE_DNS is required with ASP_CLUSTER_MODE=kubernetes");
    }
    List<String> memberList = new ArrayList<>();
    if (members != null) {
      for (String member : members.split(",")) {
        if (!member.isBlank()) {
          memberList.add(member.trim());
        }
      }
    }
    return new ClusterSettings(
        mode,
        reader.text("ASP_CLUSTER_NAME"),
        reader.integer("ASP_CLUSTER_PORT", 1, 65535),
        memberList,
        dns,
        reader.optional("ASP_CLUSTER_INTERFACE"),
        reader.integer("ASP_CLUSTER_HEARTBEAT_S", 1, 600),
        reader.integer("ASP_CLUSTER_MEMBER_TIMEOUT_S", 2, 3600),
        reader.integer("ASP_CLUSTER_JOIN_WAIT_S", 0, 600),
        reader.integer("ASP_CLUSTER_MERGE_DELAY_S", 1, 3600),
        reader.optional("ASP_EVENTBUS_HOST"),
        reader.optional("ASP_EVENTBUS_PUBLIC_HOST"),
        reader.integer("ASP_EVENTBUS_PORT", 0, 65535),
        reader.integer("ASP_CLUSTER_PRESENCE_CHECK_S", 5, 86_400),
        eventBusTls(reader, mode, problems));
  }

  /** All three PEM files or none: half a TLS set-up would silently run in clear. */
  private static ClusterSettings.EventBusTls eventBusTls(
      Reader reader, ClusterSettings.Mode mode, List<String> problems) {
    List<String> keys =
        List.of("ASP_CLUSTER_TLS_CERT", "ASP_CLUSTER_TLS_KEY", "ASP_CLUSTER_TLS_CA");
    List<String> paths = keys.stream().map(reader::optional).toList();
    long set = paths.stream().filter(java.util.Objects::nonNull).count();
    if (set == 0) {
      return null;
    }
    if (set < keys.size()) {
      problems.add(String.join(", ", keys) + " must be set all three or none");
      return null;
    }
    if (mode == ClusterSettings.Mode.NONE) {
      problems.add("ASP_CLUSTER_TLS_* is set but ASP_CLUSTER_MODE is none");
    }
    for (int i = 0; i < keys.size(); i++) {
      if (!Files.isReadable(Path.of(paths.get(i)))) {
        problems.add(keys.get(i) + " " + paths.get(i) + " is not a readable file");
      }
    }
    return new ClusterSettings.EventBusTls(paths.get(0), paths.get(1), paths.get(2));
  }

  private static void readFile(Path file, Map<String, String> values, List<String> problems) {
    Properties properties = new Properties();
    try (java.io.Reader in = Files.newBufferedReader(file)) {
      properties.load(in);
      properties.stringPropertyNames().forEach(key -> values.put(key, properties.getProperty(key)));
    } catch (IOException e) {
      problems.add("ASP_CONFIG_FILE " + file + " cannot be read: " + e.getMessage());
    }
  }

  private static void setting(String key, String defaultValue, String doc) {
    SETTINGS.put(key, new String[] {defaultValue, doc});
  }

  /** Reads typed values, collecting problems instead of stopping at the first. */
  private record Reader(Map<String, String> values, List<String> problems) {
    String optional(String key) {
      String value = values.get(key);
      if (value == null || value.isBlank()) {
        return SETTINGS.get(key)[0];
      }
      return value.trim();
    }

    String text(String key) {
      return optional(key);
    }

    boolean bool(String key) {
      String text = optional(key);
      return switch (text.toLowerCase(java.util.Locale.ROOT)) {
        case "true" -> true;
        case "false" -> false;
        default -> {
          problems.add(key + " must be true or false (got '" + text + "')");
          yield false;
        }
      };
    }

    <T> T parsed(String key, Function<String, T> parser, T fallback) {
      String text = optional(key);
      try {
        return parser.apply(text);
      } catch (IllegalArgumentException e) {
        problems.add(key + " " + e.getMessage());
        return fallback;
      }
    }

    int integer(String key, int min, int max) {
      String text = optional(key);
      try {
        long value = Long.parseLong(text);
        if (value < min || value > max) {
          problems.add(key + " must be between " + min + " and " + max + " (got " + text + ")");
          return min;
        }
        return (int) value;
      } catch (NumberFormatException e) {
        problems.add(key + " must be an integer (got '" + text + "')");
        return min;
      }
    }
  }
}
