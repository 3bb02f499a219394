package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Checks {@code deploy/compose/compose.yaml} without Docker: read as Compose reads it (anchors and
 * {@code <<} merge keys resolved, {@code ${VAR:-default}} interpolated with its default), every
 * {@code ASP_} setting of every service goes through the operator's own {@link ConfigLoader}, the
 * services are wired as the Kubernetes set-up is (one migration, then the nodes; one cluster), and
 * the settings are those of the dev overlay except where Compose has to differ.
 */
@DisplayName("deploy/compose/compose.yaml")
class ComposeFileTest {
  private static final Path COMPOSE =
      DeployManifestsTest.deployDirectory().resolve("compose/compose.yaml");
  private static final Path REPOSITORY = DeployManifestsTest.deployDirectory().getParent();

  private static final String IMAGE = "asp-operator:0.1.0";
  private static final String POSTGRES = "asp-postgres";
  private static final String MIGRATE = "asp-migrate";
  private static final List<String> NODES = List.of("node-1", "node-2", "node-3");

  /** The overlay the Compose file follows: all-in-one nodes, a throw-away PostgreSQL. */
  private static final String OVERLAY = "dev";

  /**
   * Settings that must differ from the overlay's pods, and why: Compose has no headless Service to
   * discover members through and no pod IP to hand down.
   */
  private static final Map<String, String> DIFFERENT_ON_PURPOSE =
      Map.of(
          "ASP_CLUSTER_MODE", "tcp-ip to the other services, not Kubernetes DNS discovery",
          "ASP_CLUSTER_K8S_SERVICE_DNS", "no headless Service: ASP_CLUSTER_MEMBERS instead",
          "ASP_CLUSTER_MEMBERS", "the node services by name",
          "ASP_CLUSTER_INTERFACE", "no pod IP: Hazelcast binds the container's one interface",
          "ASP_EVENTBUS_PUBLIC_HOST", "the service name, which Compose's DNS resolves");

  /** Top-level keys of the Compose specification this file may use. */
  private static final Set<String> TOP_LEVEL =
      Set.of("name", "services", "networks", "volumes", "configs", "secrets");

  /** Service keys of the Compose specification this file may use (catches misspelt ones). */
  private static final Set<String> SERVICE_KEYS =
      Set.of(
          "image",
          "build",
          "command",
          "entrypoint",
          "environment",
          "depends_on",
          "ports",
          "expose",
          "healthcheck",
          "stop_grace_period",
          "read_only",
          "tmpfs",
          "cap_drop",
          "security_opt",
          "mem_limit",
          "restart",
          "volumes",
          "networks",
          "hostname",
          "user",
          "init");

  private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Za-z_]\\w*):-([^}]*)}");

  private final Map<String, Object> compose = read();

  @Test
  @DisplayName("holds PostgreSQL, the migration and three operator nodes, with known keys only")
  void servicesAndKeys() {
    List<String> problems = new ArrayList<>();
    for (String key : compose.keySet()) {
      if (!TOP_LEVEL.contains(key) && !key.startsWith("x-")) {
        problems.add("top-level key " + key + " is not one Compose knows");
      }
    }
    Set<String> expected = new TreeSet<>(NODES);
    expected.add(POSTGRES);
    expected.add(MIGRATE);
    assertEquals(expected, services().keySet());
    services()
        .forEach(
            (name, service) ->
                service.keySet().stream()
                    .filter(k -> !SERVICE_KEYS.contains(k))
                    .forEach(
                        k -> problems.add(name + ": key " + k + " is not one this file uses")));
    assertNoProblems(problems);
  }

  @Test
  @DisplayName(
      "every ASP_ key of every service is a setting, and ConfigLoader accepts each service's")
  void everySettingAccepted() {
    List<String> problems = new ArrayList<>();
    services()
        .forEach(
            (name, service) -> {
              Map<String, String> settings = settings(name, problems);
              for (String key : settings.keySet()) {
                if (!ConfigLoader.SETTINGS.containsKey(key)) {
                  problems.add(name + ": " + key + " is not a key of ConfigLoader.SETTINGS");
                }
              }
              if (settings.isEmpty() && isOperator(service)) {
                problems.add(name + " runs the operator without settings (embedded database)");
              }
              if (!settings.isEmpty()) {
                try {
                  ConfigLoader.load(settings);
                } catch (ConfigLoader.InvalidConfigException e) {
                  problems.add(name + ": " + e.getMessage().replace("\n", " "));
                }
              }
            });
    assertNoProblems(problems);
  }

  @Test
  @DisplayName(
      "the settings are the dev overlay's, the cluster discovery apart; the migration's are its"
          + " Job's")
  void sameAsTheOverlay() throws IOException {
    Map<String, Map<String, String>> overlay = DeployManifestsTest.overlaySettings(OVERLAY);
    Map<String, String> pod = overlay.get("Deployment/asp-operator");
    Map<String, String> job = overlay.get("Job/asp-migrate");
    assertTrue(pod != null && job != null, "the dev overlay has its pods and Job: " + overlay);
    List<String> problems = new ArrayList<>();
    for (String node : NODES) {
      compare(node, settings(node, problems), pod, DIFFERENT_ON_PURPOSE.keySet(), problems);
    }
    compare(MIGRATE, settings(MIGRATE, problems), job, Set.of(), problems);
    assertNoProblems(problems);
  }

  @Test
  @DisplayName(
      "the nodes form one cluster over the Compose network: members are the node services, each"
          + " reached at its own name")
  void oneCluster() {
    List<String> problems = new ArrayList<>();
    Set<String> names = new TreeSet<>();
    for (String node : NODES) {
      Map<String, String> s = settings(node, problems);
      names.add(s.get("ASP_CLUSTER_NAME"));
      if (!"tcp-ip".equals(s.get("ASP_CLUSTER_MODE"))) {
        problems.add(node + ": ASP_CLUSTER_MODE is not tcp-ip");
      }
      String port = s.getOrDefault("ASP_CLUSTER_PORT", "5701");
      List<String> members =
          List.of(s.getOrDefault("ASP_CLUSTER_MEMBERS", "").split(",")).stream()
              .map(String::trim)
              .toList();
      List<String> expected = NODES.stream().map(n -> n + ":" + port).toList();
      if (!members.equals(expected)) {
        problems.add(node + ": ASP_CLUSTER_MEMBERS " + members + ", expected " + expected);
      }
      if (!node.equals(s.get("ASP_EVENTBUS_PUBLIC_HOST"))) {
        problems.add(node + ": ASP_EVENTBUS_PUBLIC_HOST must be its service name " + node);
      }
      if (!"0.0.0.0".equals(s.get("ASP_EVENTBUS_HOST"))) {
        problems.add(node + ": ASP_EVENTBUS_HOST must be 0.0.0.0 (reached from other containers)");
      }
    }
    if (names.size() != 1) {
      problems.add("the nodes disagree on ASP_CLUSTER_NAME " + names + ": one cluster");
    }
    assertNoProblems(problems);
  }

  @Test
  @DisplayName(
      "one image built by deploy/Dockerfile; the migration runs `migrate` after PostgreSQL is"
          + " healthy, the nodes start after it and never migrate themselves")
  void migrationFirst() {
    List<String> problems = new ArrayList<>();
    for (String name : operatorServices()) {
      Map<String, Object> service = service(name);
      if (!IMAGE.equals(service.get("image"))) {
        problems.add(name + ": image " + service.get("image") + ", expected " + IMAGE);
      }
      Map<String, Object> build = map(service.get("build"));
      Path context = COMPOSE.getParent().resolve(String.valueOf(build.get("context"))).normalize();
      if (!context.equals(REPOSITORY.normalize())) {
        problems.add(name + ": build context " + context + " is not the repository root");
      } else if (!Files.isRegularFile(context.resolve(String.valueOf(build.get("dockerfile"))))) {
        problems.add(name + ": build dockerfile " + build.get("dockerfile") + " does not exist");
      }
    }
    if (!List.of("migrate").equals(service(MIGRATE).get("command"))) {
      problems.add(MIGRATE + ": command must be [migrate]");
    }
    requireDependency(MIGRATE, POSTGRES, "service_healthy", problems);
    requireDependency(NODES.get(0), MIGRATE, "service_completed_successfully", problems);
    for (String node : NODES.subList(1, NODES.size())) {
      requireDependency(node, NODES.get(0), "service_healthy", problems);
    }
    for (String node : NODES) {
      if (!"false".equals(settings(node, problems).get("ASP_MIGRATE_ON_START"))) {
        problems.add(node + ": ASP_MIGRATE_ON_START must be false (the migration service runs)");
      }
    }
    assertNoProblems(problems);
  }

  @Test
  @DisplayName(
      "the nodes publish REST and management on loopback only, to the ports their settings name,"
          + " and are healthy when /health/ready answers")
  void portsAndHealth() {
    List<String> problems = new ArrayList<>();
    Set<String> hostPorts = new TreeSet<>();
    for (String node : NODES) {
      Map<String, String> s = settings(node, problems);
      Set<String> targets = Set.of(s.get("ASP_HTTP_PORT"), s.get("ASP_MANAGEMENT_PORT"));
      Set<String> published = new TreeSet<>();
      for (Object entry : list(service(node).get("ports"))) {
        String[] parts = String.valueOf(entry).split(":");
        if (parts.length != 3 || !parts[0].equals("127.0.0.1")) {
          problems.add(node + ": port " + entry + " is not published as 127.0.0.1:HOST:CONTAINER");
          continue;
        }
        if (!hostPorts.add(parts[1])) {
          problems.add(node + ": host port " + parts[1] + " is published twice");
        }
        published.add(parts[2]);
      }
      if (!published.equals(targets)) {
        problems.add(
            node + ": publishes " + published + ", its HTTP and management are " + targets);
      }
      String test = String.valueOf(map(service(node).get("healthcheck")).get("test"));
      String management = "/dev/tcp/127.0.0.1/" + s.get("ASP_MANAGEMENT_PORT");
      if (!test.contains(management) || !test.contains("GET /health/ready ")) {
        problems.add(node + ": the healthcheck must ask /health/ready at " + management);
      }
    }
    for (String other : List.of(POSTGRES, MIGRATE)) {
      if (service(other).containsKey("ports")) {
        problems.add(other + " publishes ports: only the nodes' REST and management are");
      }
    }
    assertNoProblems(problems);
  }

  @Test
  @DisplayName(
      "operator containers are locked down as the pods are, and get longer than the drain to"
          + " stop")
  void lockedDownAndDrained() {
    List<String> problems = new ArrayList<>();
    for (String name : operatorServices()) {
      Map<String, Object> service = service(name);
      if (!Boolean.TRUE.equals(service.get("read_only"))) {
        problems.add(name + ": read_only must be true (as readOnlyRootFilesystem)");
      }
      if (!list(service.get("tmpfs")).contains("/tmp")) {
        problems.add(name + ": needs a tmpfs at /tmp (the JVM and Netty write there)");
      }
      if (!list(service.get("cap_drop")).contains("ALL")) {
        problems.add(name + ": cap_drop must be [ALL]");
      }
      if (!list(service.get("security_opt")).contains("no-new-privileges:true")) {
        problems.add(name + ": security_opt must hold no-new-privileges:true");
      }
      if (service.containsKey("user")) {
        problems.add(name + ": runs as the image's user 10001, as the pods: no user here");
      }
      String shutdown =
          settings(name, problems)
              .getOrDefault(
                  "ASP_SHUTDOWN_TIMEOUT_MS",
                  ConfigLoader.SETTINGS.get("ASP_SHUTDOWN_TIMEOUT_MS")[0]);
      long graceMs = durationMs(String.valueOf(service.get("stop_grace_period")));
      if (graceMs <= Long.parseLong(shutdown)) {
        problems.add(
            name
                + ": stop_grace_period "
                + service.get("stop_grace_period")
                + " does not exceed ASP_SHUTDOWN_TIMEOUT_MS "
                + shutdown
                + " ms: the drain would be cut by SIGKILL");
      }
    }
    assertNoProblems(problems);
  }

  @Test
  @DisplayName("ASP_DATABASE_URL names the PostgreSQL service with its user, password and database")
  void databaseUrl() {
    List<String> problems = new ArrayList<>();
    Map<String, String> pg = environment(POSTGRES, problems);
    String expected =
        "postgresql://"
            + pg.get("POSTGRES_USER")
            + ":"
            + pg.get("POSTGRES_PASSWORD")
            + "@"
            + POSTGRES
            + ":5432/"
            + pg.get("POSTGRES_DB");
    for (String name : operatorServices()) {
      String url = settings(name, problems).get("ASP_DATABASE_URL");
      if (!expected.equals(url)) {
        problems.add(name + ": ASP_DATABASE_URL " + redact(url) + ", expected " + redact(expected));
      }
    }
    assertNoProblems(problems);
  }

  // ---------------------------------------------------------------------------------------------

  private static Map<String, Object> read() {
    try {
      Object doc =
          new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(COMPOSE));
      return map(doc);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + COMPOSE, e);
    }
  }

  private Map<String, Map<String, Object>> services() {
    Map<String, Map<String, Object>> services = new TreeMap<>();
    map(compose.get("services")).forEach((name, service) -> services.put(name, map(service)));
    return services;
  }

  private Map<String, Object> service(String name) {
    return map(services().get(name));
  }

  private List<String> operatorServices() {
    return services().entrySet().stream()
        .filter(e -> isOperator(e.getValue()))
        .map(Map.Entry::getKey)
        .collect(Collectors.toList());
  }

  private static boolean isOperator(Map<String, Object> service) {
    return String.valueOf(service.get("image")).split(":")[0].equals(IMAGE.split(":")[0]);
  }

  /**
   * The service's environment as the container gets it: a map (a list of {@code KEY=VALUE} is
   * refused, to keep one form), every value a string (Compose would turn an unquoted {@code false}
   * into an error or a surprise), {@code ${VAR:-default}} interpolated with its default.
   */
  private Map<String, String> environment(String name, List<String> problems) {
    Object raw = service(name).get("environment");
    Map<String, String> env = new LinkedHashMap<>();
    if (raw == null) {
      return env;
    }
    if (!(raw instanceof Map<?, ?> map)) {
      problems.add(name + ": environment must be a map");
      return env;
    }
    map.forEach(
        (k, v) -> {
          if (!(v instanceof String value)) {
            problems.add(name + ": " + k + " must be a quoted string, got " + v);
            return;
          }
          env.put(String.valueOf(k), interpolate(name, String.valueOf(k), value, problems));
        });
    return env;
  }

  private Map<String, String> settings(String name, List<String> problems) {
    Map<String, String> settings = new TreeMap<>();
    environment(name, problems)
        .forEach(
            (k, v) -> {
              if (k.startsWith("ASP_")) {
                settings.put(k, v);
              }
            });
    return settings;
  }

  private static String interpolate(String service, String key, String value, List<String> out) {
    Matcher m = INTERPOLATION.matcher(value);
    String resolved = m.replaceAll(r -> Matcher.quoteReplacement(r.group(2)));
    if (resolved.contains("$")) {
      out.add(
          service
              + ": "
              + key
              + " has a $ that is not ${VAR:-default} (write $$ for a literal one)");
    }
    return resolved;
  }

  private static void compare(
      String name,
      Map<String, String> ours,
      Map<String, String> theirs,
      Set<String> exempt,
      List<String> problems) {
    Set<String> keys = new TreeSet<>(ours.keySet());
    keys.addAll(theirs.keySet());
    for (String key : keys) {
      if (exempt.contains(key)) {
        continue;
      }
      String mine = ours.get(key);
      String overlay = theirs.get(key);
      if (mine == null || !mine.equals(overlay)) {
        problems.add(
            name
                + ": "
                + key
                + " is "
                + show(key, mine)
                + " here but "
                + show(key, overlay)
                + " in overlays/"
                + OVERLAY
                + " (or add it to DIFFERENT_ON_PURPOSE with the reason)");
      }
    }
  }

  private void requireDependency(
      String service, String dependency, String condition, List<String> problems) {
    Map<String, Object> dependsOn = map(service(service).get("depends_on"));
    Object actual = map(dependsOn.get(dependency)).get("condition");
    if (!condition.equals(actual)) {
      problems.add(service + ": must depend on " + dependency + " with condition " + condition);
    }
  }

  /** Compose durations as used here: {@code 30s}, {@code 1m30s}, {@code 500ms}. */
  private static long durationMs(String text) {
    Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(text);
    long total = 0;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        return 0;
      }
      long n = Long.parseLong(m.group(1));
      total +=
          switch (m.group(2)) {
            case "ms" -> n;
            case "s" -> n * 1000;
            case "m" -> n * 60_000;
            default -> n * 3_600_000;
          };
      end = m.end();
    }
    return end == text.length() ? total : 0;
  }

  private static String show(String key, String value) {
    if (value == null) {
      return "unset";
    }
    return key.equals("ASP_DATABASE_URL") ? redact(value) : value;
  }

  /** A database URL without its password, for messages. */
  private static String redact(String url) {
    if (url == null) {
      return "unset";
    }
    try {
      URI uri = URI.create(url);
      String user = uri.getUserInfo() == null ? "" : uri.getUserInfo().split(":")[0] + ":***@";
      return uri.getScheme() + "://" + user + uri.getHost() + ":" + uri.getPort() + uri.getPath();
    } catch (IllegalArgumentException e) {
      return "<not a URL>";
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  private static List<Object> list(Object value) {
    return value instanceof List<?> l ? List.copyOf(l) : List.of();
  }

  private static void assertNoProblems(List<String> problems) {
    assertTrue(
        problems.isEmpty(),
        () -> problems.size() + " problem(s):\n  - " + String.join("\n  - ", problems));
  }
}
