package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvFromSource;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1EnvVarSource;
import io.kubernetes.client.openapi.models.V1HTTPGetAction;
import io.kubernetes.client.openapi.models.V1HTTPIngressPath;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressRule;
import io.kubernetes.client.openapi.models.V1IngressServiceBackend;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1LabelSelectorRequirement;
import io.kubernetes.client.openapi.models.V1LifecycleHandler;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1NetworkPolicyIngressRule;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPeer;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPort;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodSecurityContext;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1SeccompProfile;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceBackendPort;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Checks {@code deploy/} without a cluster. Every manifest document parses into the official
 * Kubernetes models ({@code io.kubernetes:client-java-api}: unknown fields, wrong types, missing
 * required fields and unknown kinds fail); every kustomization references files that exist; and
 * every overlay, built offline by this test (resources plus JSON 6902 patches) and, when {@code
 * kubectl} is on the PATH, rendered by {@code kubectl kustomize}, passes the semantic checks that
 * schemas miss: selectors, target ports, the Hazelcast DNS name, probes, image tags, resources,
 * settings the operator knows, drain time, security contexts, autoscalers, the ingress routing and
 * the migration Job.
 */
@DisplayName("deploy/ manifests")
class DeployManifestsTest {
  private static final Path DEPLOY = locateDeploy();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODELS = "io.kubernetes.client.openapi.models.";

  /**
   * The kinds deploy/ may contain, with their API group ("" = core). No RBAC kinds: none needed.
   */
  private static final Map<String, String> KIND_GROUPS =
      Map.of(
          "ConfigMap", "",
          "Secret", "",
          "Service", "",
          "Deployment", "apps",
          "StatefulSet", "apps",
          "Job", "batch",
          "HorizontalPodAutoscaler", "autoscaling",
          "PodDisruptionBudget", "policy",
          "Ingress", "networking.k8s.io",
          "NetworkPolicy", "networking.k8s.io");

  /** The kustomization fields the offline build understands; others must be added to it first. */
  private static final Set<String> KUSTOMIZATION_FIELDS =
      Set.of("apiVersion", "kind", "resources", "patches");

  private static final String OPERATOR_IMAGE = "asp-operator";
  private static final String LIVE = "/health/live";
  private static final String READY = "/health/ready";
  private static final List<String> ALL_ROLES = List.of("gateway", "session", "trust", "delivery");

  /** Named container ports of the operator and the setting that decides each one's number. */
  private static final Map<String, String> PORT_SETTINGS =
      Map.of(
          "http", "ASP_HTTP_PORT",
          "management", "ASP_MANAGEMENT_PORT",
          "hazelcast", "ASP_CLUSTER_PORT",
          "eventbus", "ASP_EVENTBUS_PORT");

  /**
   * Stand-ins for values only a cluster knows, so a pod's settings can be run through the loader.
   */
  private static final String PLACEHOLDER_NAMESPACE = "namespace-from-downward-api";

  private static final Map<String, String> FIELD_PLACEHOLDERS =
      Map.of("metadata.namespace", PLACEHOLDER_NAMESPACE, "status.podIP", "10.0.0.10");
  private static final Map<String, String> SECRET_PLACEHOLDERS =
      Map.of(
          "ASP_DATABASE_URL", "postgresql://asp:placeholder@db.invalid:5432/asp",
          "ASP_ADMIN_TOKEN", "placeholder-admin-token-0123456789");

  private static final Pattern ENV_REFERENCE =
      Pattern.compile("(?<!\\$)\\$\\(([A-Za-z_][\\w.-]*)\\)");

  // ---------------------------------------------------------------------------------------------
  // Files: every manifest parses, every kustomization points at real files, nothing is orphaned.

  @Test
  @DisplayName("every document of every manifest file parses into the official Kubernetes models")
  void everyManifestParses() throws IOException {
    List<String> problems = new ArrayList<>();
    for (Path file : manifestFiles()) {
      for (ObjectNode doc : readDocuments(file, problems)) {
        parse(new Sourced(relative(file), doc), problems);
      }
    }
    assertNoProblems("manifest files", problems);
  }

  @Test
  @DisplayName("kustomizations reference only files that exist, with valid JSON 6902 patches")
  void kustomizationsReferenceExistingFiles() throws IOException {
    List<String> problems = new ArrayList<>();
    for (Path kustomization : kustomizationFiles()) {
      checkKustomization(kustomization, problems);
    }
    assertNoProblems("kustomizations", problems);
  }

  @Test
  @DisplayName("every YAML file under deploy/ is a kustomization, a resource or a patch of one")
  void noOrphanYaml() throws IOException {
    Set<Path> used = new TreeSet<>(kustomizationFiles());
    for (Path kustomization : kustomizationFiles()) {
      Path dir = kustomization.getParent();
      JsonNode k = readKustomization(dir);
      for (JsonNode r : k.path("resources")) {
        used.add(dir.resolve(r.asText()).normalize());
      }
      for (JsonNode p : k.path("patches")) {
        used.add(dir.resolve(p.path("path").asText()).normalize());
      }
    }
    List<String> problems = new ArrayList<>();
    for (Path file : yamlFiles()) {
      if (!used.contains(file)) {
        problems.add(
            relative(file)
                + " is referenced by no kustomization: kustomize would silently skip it");
      }
    }
    assertNoProblems("YAML files", problems);
  }

  @Test
  @DisplayName("Secrets with values exist only in the dev overlay")
  void secretsOnlyInDev() throws IOException {
    List<String> problems = new ArrayList<>();
    for (Path file : manifestFiles()) {
      for (ObjectNode doc : readDocuments(file, problems)) {
        boolean secret = "Secret".equals(doc.path("kind").asText());
        if (secret && !relative(file).startsWith("overlays/dev/")) {
          problems.add(
              relative(file)
                  + ": Secret/"
                  + doc.path("metadata").path("name").asText()
                  + " outside overlays/dev: credentials are created in the cluster, never"
                  + " committed (see deploy/README.md)");
        }
      }
    }
    assertNoProblems("Secrets", problems);
  }

  @Test
  @DisplayName("the Dockerfile pins its base images and runs as the pods' numeric user")
  void dockerfile() throws IOException {
    List<String> problems = new ArrayList<>();
    List<String> lines = Files.readAllLines(DEPLOY.resolve("Dockerfile"));
    for (String line : lines) {
      String[] words = line.trim().split("\\s+");
      if (words[0].equalsIgnoreCase("FROM") && words.length > 1) {
        imageProblem(words[1]).ifPresent(p -> problems.add("Dockerfile " + line.trim() + ": " + p));
      }
    }
    String user = dockerfileUser();
    if (user == null || !user.matches("[1-9]\\d*")) {
      problems.add("Dockerfile: USER must be a non-root numeric uid (runAsNonRoot), got " + user);
    }
    String text = String.join("\n", lines);
    if (!text.contains("MaxRAMPercentage")) {
      problems.add("Dockerfile: the JVM heap must follow the container limit (MaxRAMPercentage)");
    }
    assertNoProblems("Dockerfile", problems);
  }

  @Test
  @DisplayName(
      "yamllint accepts deploy/ by the repository's .yamllint (when yamllint is installed)")
  void yamllint() throws Exception {
    // the rules are the root's .yamllint, the file `yamllint deploy/` reads there: one set of rules
    Path config = DEPLOY.resolveSibling(".yamllint");
    assertTrue(Files.isRegularFile(config), config + " is missing");
    Optional<Path> yamllint = onPath("yamllint");
    assumeTrue(yamllint.isPresent(), "yamllint is not on the PATH: YAML style not checked");
    Run run =
        run(
            List.of(
                yamllint.get().toString(),
                "-f",
                "parsable",
                "-c",
                config.toString(),
                DEPLOY.toString()));
    assertEquals(0, run.exit(), "yamllint found problems:\n" + run.stdout() + run.stderr());
  }

  // ---------------------------------------------------------------------------------------------
  // Overlays: built offline by this test and, where kubectl is installed, by kubectl kustomize.

  @TestFactory
  @DisplayName("overlays built offline (resources + JSON 6902 patches)")
  Stream<DynamicNode> overlaysBuiltOffline() throws IOException {
    List<DynamicNode> nodes = new ArrayList<>();
    for (Path overlay : overlays()) {
      List<String> problems = new ArrayList<>();
      Bundle bundle = new Bundle(overlay, parseAll(buildOffline(overlay, problems), problems));
      nodes.add(bundleTests(bundle, "offline", problems, List.of()));
    }
    return nodes.stream();
  }

  @TestFactory
  @DisplayName("overlays rendered by kubectl kustomize")
  Stream<DynamicNode> overlaysRenderedByKubectl() throws Exception {
    Optional<Path> kubectl = onPath("kubectl");
    assumeTrue(
        kubectl.isPresent(),
        "kubectl is not on the PATH: `kubectl kustomize` output not checked (the offline build of"
            + " every overlay still is)");
    List<DynamicNode> nodes = new ArrayList<>();
    for (Path overlay : overlays()) {
      List<String> problems = new ArrayList<>();
      List<Sourced> rendered = render(kubectl.get(), overlay, problems);
      Bundle bundle = new Bundle(overlay, parseAll(rendered, problems));
      List<String> offlineProblems = new ArrayList<>();
      List<Sourced> offline = buildOffline(overlay, offlineProblems);
      DynamicTest same =
          DynamicTest.dynamicTest(
              "renders the same objects as the offline build",
              () -> assertNoProblems(overlayName(overlay), compare(offline, rendered)));
      nodes.add(bundleTests(bundle, "kubectl kustomize", problems, List.of(same)));
    }
    return nodes.stream();
  }

  private static DynamicContainer bundleTests(
      Bundle bundle, String how, List<String> buildProblems, List<DynamicTest> extra) {
    String name = overlayName(bundle.overlay());
    List<DynamicTest> tests = new ArrayList<>();
    tests.add(
        DynamicTest.dynamicTest(
            "builds, and every object parses", () -> assertNoProblems(name, buildProblems)));
    tests.addAll(extra);
    checks()
        .forEach(
            (title, check) ->
                tests.add(
                    DynamicTest.dynamicTest(
                        title,
                        () -> {
                          List<String> problems = new ArrayList<>();
                          check.accept(bundle, problems);
                          assertNoProblems(name + " (" + how + "): " + title, problems);
                        })));
    return DynamicContainer.dynamicContainer(name + " (" + how + ")", tests);
  }

  private static Map<String, BiConsumer<Bundle, List<String>>> checks() {
    Map<String, BiConsumer<Bundle, List<String>>> checks = new LinkedHashMap<>();
    checks.put("workload selectors match their pod templates", DeployManifestsTest::selectors);
    checks.put("Services select pods that have their target ports", DeployManifestsTest::services);
    checks.put("the Hazelcast DNS name is the headless Service", DeployManifestsTest::hazelcast);
    checks.put("probes use the operator's health paths on its management port", Probes::check);
    checks.put("images carry a pinned tag", DeployManifestsTest::images);
    checks.put("every container has cpu and memory requests and limits", Resources::check);
    checks.put("every ASP_ setting is one the operator knows", DeployManifestsTest::knownSettings);
    checks.put("the operator accepts every pod's configuration", DeployManifestsTest::accepted);
    checks.put("env, ConfigMap and Secret references resolve", References::check);
    checks.put("ports agree with the ASP_ port settings", DeployManifestsTest::ports);
    checks.put("terminationGracePeriodSeconds exceeds the drain time", DeployManifestsTest::grace);
    checks.put("pods are locked down (non-root, read-only root, no caps)", Security::check);
    checks.put("autoscalers and disruption budgets target workloads", DeployManifestsTest::scaling);
    checks.put("the Ingress routes /connect to delivery, the rest to gateway", Routing::check);
    checks.put("one image, migrated once by the Job", DeployManifestsTest::migration);
    checks.put("no Secret outside the dev overlay", DeployManifestsTest::noSecrets);
    checks.put(
        "the NetworkPolicy keeps member and event-bus ports to operator pods",
        NetworkPolicies::check);
    return checks;
  }

  // ---------------------------------------------------------------------------------------------
  // Semantic checks. Each adds one line per problem, naming the object.

  private static void selectors(Bundle bundle, List<String> problems) {
    for (Pod pod : bundle.pods()) {
      if (pod.selector() == null) {
        continue; // Jobs: the API server generates the selector
      }
      if (empty(pod.selector().getMatchLabels()) && empty(pod.selector().getMatchExpressions())) {
        problems.add(pod.id() + ": empty spec.selector would select every pod");
      } else if (!matches(pod.selector(), pod.labels())) {
        problems.add(
            pod.id()
                + ": spec.selector "
                + pod.selector().getMatchLabels()
                + " does not match the pod template labels "
                + pod.labels());
      }
    }
  }

  private static void services(Bundle bundle, List<String> problems) {
    for (Manifest m : bundle.of(V1Service.class)) {
      V1Service service = (V1Service) m.model();
      Map<String, String> selector = service.getSpec().getSelector();
      if (empty(selector)) {
        problems.add(m.id() + ": no selector (endpoints would have to be managed by hand)");
        continue;
      }
      List<Pod> selected = bundle.podsSelectedBy(selector);
      if (selected.isEmpty()) {
        problems.add(m.id() + ": selector " + selector + " matches no pod template");
      }
      for (V1ServicePort port : orEmpty(service.getSpec().getPorts())) {
        IntOrString target =
            port.getTargetPort() == null ? new IntOrString(port.getPort()) : port.getTargetPort();
        for (Pod pod : selected) {
          if (pod.containers().noneMatch(c -> containerPort(c, target).isPresent())) {
            problems.add(
                m.id() + ": targetPort " + target + " is no container port of " + pod.id());
          }
        }
      }
    }
  }

  private static void hazelcast(Bundle bundle, List<String> problems) {
    Set<String> clusterNames = new TreeSet<>();
    for (Node node : bundle.nodes()) {
      if (!"kubernetes".equals(node.setting("ASP_CLUSTER_MODE"))) {
        problems.add(node.id() + ": ASP_CLUSTER_MODE is not kubernetes (DNS discovery)");
        continue;
      }
      clusterNames.add(node.setting("ASP_CLUSTER_NAME"));
      String dns = node.setting("ASP_CLUSTER_K8S_SERVICE_DNS");
      if (dns == null) {
        problems.add(node.id() + ": ASP_CLUSTER_K8S_SERVICE_DNS is not set");
        continue;
      }
      checkDnsName(bundle, node, dns, problems);
    }
    if (clusterNames.size() > 1) {
      problems.add("operator pods disagree on ASP_CLUSTER_NAME " + clusterNames + ": one cluster");
    }
  }

  private static void checkDnsName(Bundle bundle, Node node, String dns, List<String> problems) {
    String[] labels = dns.split("\\.");
    String where = node.id() + ": ASP_CLUSTER_K8S_SERVICE_DNS " + dns;
    if (labels.length < 3 || !labels[2].equals("svc")) {
      problems.add(where + " is not SERVICE.NAMESPACE.svc[.cluster-domain]");
      return;
    }
    if (!labels[1].equals(PLACEHOLDER_NAMESPACE)) {
      problems.add(
          where
              + ": the namespace must come from the downward API (metadata.namespace), so the"
              + " manifests stay namespace-agnostic");
    }
    Optional<Manifest> found = bundle.named(V1Service.class, labels[0]);
    if (found.isEmpty()) {
      problems.add(where + ": no Service named " + labels[0]);
      return;
    }
    Manifest m = found.get();
    V1Service service = (V1Service) m.model();
    if (!"None".equals(service.getSpec().getClusterIP())) {
      problems.add(
          m.id() + " is Hazelcast's discovery Service: it must be headless (clusterIP None)");
    }
    if (!Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses())) {
      problems.add(
          m.id()
              + ": publishNotReadyAddresses must be true (members find each other before ready)");
    }
    String port = node.setting("ASP_CLUSTER_PORT");
    boolean hasPort =
        orEmpty(service.getSpec().getPorts()).stream()
            .anyMatch(p -> String.valueOf(p.getPort()).equals(port));
    if (!hasPort) {
      problems.add(m.id() + ": no port " + port + " (ASP_CLUSTER_PORT)");
    }
    Map<String, String> selector = service.getSpec().getSelector();
    if (empty(selector) || !node.pod().labels().entrySet().containsAll(selector.entrySet())) {
      problems.add(m.id() + ": selector " + selector + " does not select " + node.id());
    }
    for (Pod other : bundle.podsSelectedBy(selector)) {
      if (!other.servesTheOperator()) {
        problems.add(m.id() + " also selects " + other.id() + ", which is no cluster member");
      }
    }
  }

  private static void images(Bundle bundle, List<String> problems) {
    for (Pod pod : bundle.pods()) {
      pod.allContainers()
          .forEach(
              c ->
                  imageProblem(c.getImage())
                      .ifPresent(
                          p -> problems.add(pod.id() + " container " + c.getName() + ": " + p)));
    }
  }

  private static Optional<String> imageProblem(String image) {
    if (image == null || image.isBlank()) {
      return Optional.of("no image");
    }
    if (image.contains("@sha256:")) {
      return Optional.empty();
    }
    int slash = image.lastIndexOf('/');
    int colon = image.lastIndexOf(':');
    if (colon < slash + 1) {
      return Optional.of("image " + image + " has no tag (means latest): pin a version");
    }
    if (image.substring(colon + 1).equals("latest")) {
      return Optional.of("image " + image + " uses tag latest: pin a version");
    }
    return Optional.empty();
  }

  private static void knownSettings(Bundle bundle, List<String> problems) {
    for (Pod pod : bundle.pods()) {
      pod.allContainers()
          .forEach(
              c -> {
                for (V1EnvVar env : orEmpty(c.getEnv())) {
                  if (env.getName().startsWith("ASP_") && !isSetting(env.getName())) {
                    problems.add(
                        pod.id() + " container " + c.getName() + ": " + unknown(env.getName()));
                  }
                }
              });
    }
    for (Manifest m : bundle.of(V1ConfigMap.class)) {
      for (String key : ((V1ConfigMap) m.model()).getData().keySet()) {
        if (key.startsWith("ASP_") && !isSetting(key)) {
          problems.add(m.id() + ": " + unknown(key));
        }
      }
    }
  }

  private static String unknown(String key) {
    return key + " is not a key of ConfigLoader.SETTINGS: the operator refuses to start on it";
  }

  private static boolean isSetting(String key) {
    return ConfigLoader.SETTINGS.containsKey(key);
  }

  private static void accepted(Bundle bundle, List<String> problems) {
    for (Node node : bundle.allOperatorContainers()) {
      Map<String, String> settings = new TreeMap<>();
      node.env()
          .forEach(
              (k, v) -> {
                if (k.startsWith("ASP_")) {
                  settings.put(k, v);
                }
              });
      if (!settings.containsKey("ASP_DATABASE_URL")) {
        problems.add(
            node.id() + ": no ASP_DATABASE_URL (the operator would start an embedded one)");
      }
      try {
        ConfigLoader.load(settings);
      } catch (ConfigLoader.InvalidConfigException e) {
        problems.add(node.id() + ": " + e.getMessage().replace("\n", " "));
      }
    }
  }

  private static void ports(Bundle bundle, List<String> problems) {
    for (Node node : bundle.nodes()) {
      Map<String, Integer> declared = new TreeMap<>();
      for (V1ContainerPort port : orEmpty(node.container().getPorts())) {
        if (port.getName() != null) {
          declared.put(port.getName(), port.getContainerPort());
        }
      }
      PORT_SETTINGS.forEach(
          (name, key) -> {
            String value = node.setting(key);
            if (declared.containsKey(name) && !String.valueOf(declared.get(name)).equals(value)) {
              problems.add(
                  node.id()
                      + ": container port "
                      + name
                      + " is "
                      + declared.get(name)
                      + " but "
                      + key
                      + " is "
                      + value);
            }
          });
      for (String required : List.of("management", "hazelcast", "eventbus")) {
        if (!declared.containsKey(required)) {
          problems.add(node.id() + ": declares no container port named " + required);
        }
      }
      boolean servesHttp = node.roles().contains("gateway") || node.roles().contains("delivery");
      if (servesHttp != declared.containsKey("http")) {
        problems.add(
            node.id()
                + ": roles "
                + node.roles()
                + (servesHttp ? " serve" : " do not serve")
                + " HTTP, so port http must"
                + (servesHttp ? "" : " not")
                + " be declared");
      }
    }
  }

  private static void grace(Bundle bundle, List<String> problems) {
    for (Node node : bundle.nodes()) {
      String shutdown = node.setting("ASP_SHUTDOWN_TIMEOUT_MS");
      if (shutdown == null || !shutdown.matches("\\d+")) {
        problems.add(node.id() + ": ASP_SHUTDOWN_TIMEOUT_MS has no numeric value: " + shutdown);
        continue;
      }
      Long seconds = node.pod().spec().getTerminationGracePeriodSeconds();
      long graceMs = (seconds == null ? 30 : seconds) * 1000;
      long preStopMs = preStopSleepMs(node.container());
      long drainMs = Long.parseLong(shutdown) + preStopMs;
      if (graceMs <= drainMs) {
        problems.add(
            node.id()
                + ": terminationGracePeriodSeconds "
                + graceMs / 1000
                + " s does not exceed"
                + " the preStop pause ("
                + preStopMs
                + " ms) plus ASP_SHUTDOWN_TIMEOUT_MS ("
                + shutdown
                + " ms): the drain would be cut by SIGKILL");
      }
    }
  }

  private static long preStopSleepMs(V1Container container) {
    V1LifecycleHandler preStop =
        container.getLifecycle() == null ? null : container.getLifecycle().getPreStop();
    if (preStop == null) {
      return 0;
    }
    if (preStop.getSleep() != null) {
      return preStop.getSleep().getSeconds() * 1000;
    }
    List<String> command = preStop.getExec() == null ? List.of() : preStop.getExec().getCommand();
    if (command.size() == 2 && command.get(0).equals("sleep") && command.get(1).matches("\\d+")) {
      return Long.parseLong(command.get(1)) * 1000;
    }
    return 0;
  }

  private static void scaling(Bundle bundle, List<String> problems) {
    for (Manifest m : bundle.of(V2HorizontalPodAutoscaler.class)) {
      var spec = ((V2HorizontalPodAutoscaler) m.model()).getSpec();
      String kind = spec.getScaleTargetRef().getKind();
      String name = spec.getScaleTargetRef().getName();
      Optional<Manifest> target = bundle.find(kind, name);
      if (target.isEmpty()) {
        problems.add(m.id() + ": scaleTargetRef " + kind + "/" + name + " is not in the overlay");
      } else if (target.get().model() instanceof V1Deployment d
          && d.getSpec().getReplicas() != null) {
        problems.add(
            target.get().id()
                + ": sets spec.replicas although "
                + m.id()
                + " owns the count"
                + " (every kubectl apply would reset it)");
      }
      Integer min = spec.getMinReplicas();
      if (min == null || min < 1 || min > spec.getMaxReplicas()) {
        problems.add(m.id() + ": minReplicas " + min + " not in 1.." + spec.getMaxReplicas());
      }
    }
    for (Manifest m : bundle.of(V1PodDisruptionBudget.class)) {
      V1LabelSelector selector = ((V1PodDisruptionBudget) m.model()).getSpec().getSelector();
      if (bundle.pods().stream()
          .noneMatch(p -> p.selector() != null && matches(selector, p.labels()))) {
        problems.add(m.id() + ": selector matches no Deployment or StatefulSet pod");
      }
    }
    for (Pod pod : bundle.pods()) {
      if (pod.kind().equals("Deployment") && pod.servesTheOperator()) {
        requireCover(bundle, pod, problems);
      }
    }
  }

  private static void requireCover(Bundle bundle, Pod pod, List<String> problems) {
    boolean budget =
        bundle.of(V1PodDisruptionBudget.class).stream()
            .anyMatch(
                m ->
                    matches(
                        ((V1PodDisruptionBudget) m.model()).getSpec().getSelector(), pod.labels()));
    if (!budget) {
      problems.add(pod.id() + ": no PodDisruptionBudget selects its pods");
    }
    boolean autoscaled =
        bundle.of(V2HorizontalPodAutoscaler.class).stream()
            .map(m -> ((V2HorizontalPodAutoscaler) m.model()).getSpec().getScaleTargetRef())
            .anyMatch(
                ref -> ref.getKind().equals("Deployment") && ref.getName().equals(pod.name()));
    if (!autoscaled) {
      problems.add(pod.id() + ": no HorizontalPodAutoscaler targets it");
    }
  }

  private static void migration(Bundle bundle, List<String> problems) {
    Set<String> images = new TreeSet<>();
    bundle.allOperatorContainers().forEach(n -> images.add(n.container().getImage()));
    if (images.size() > 1) {
      problems.add(
          "operator containers run different images " + images + ": one version at a time");
    }
    boolean podsMigrate =
        bundle.nodes().stream().anyMatch(n -> !"false".equals(n.setting("ASP_MIGRATE_ON_START")));
    List<Node> jobs =
        bundle.allOperatorContainers().stream()
            .filter(n -> n.pod().kind().equals("Job"))
            .filter(n -> arguments(n.container()).contains("migrate"))
            .collect(Collectors.toList());
    if (!podsMigrate && !bundle.nodes().isEmpty() && jobs.isEmpty()) {
      problems.add(
          "the operator pods run with ASP_MIGRATE_ON_START=false but no Job runs `migrate`: the"
              + " schema would never be applied");
    }
    if (podsMigrate && !jobs.isEmpty()) {
      problems.add("a migration Job exists, yet some pods also migrate on start (racing it)");
    }
  }

  private static List<String> arguments(V1Container container) {
    List<String> all = new ArrayList<>(orEmpty(container.getCommand()));
    all.addAll(orEmpty(container.getArgs()));
    return all;
  }

  /**
   * Every operator pod is selected by a NetworkPolicy, and on the ports its settings choose: the
   * Hazelcast member and event-bus ports admit operator pods only (and all of them), the HTTP port
   * anyone, the management port pods of the namespace only. A rule without ports admits every port,
   * one without {@code from} every source: both count.
   */
  private static final class NetworkPolicies {
    static void check(Bundle bundle, List<String> problems) {
      List<Manifest> policies = bundle.of(V1NetworkPolicy.class);
      for (Node node : bundle.nodes()) {
        List<V1NetworkPolicyIngressRule> rules = new ArrayList<>();
        for (Manifest m : policies) {
          V1NetworkPolicy policy = (V1NetworkPolicy) m.model();
          if (matches(policy.getSpec().getPodSelector(), node.pod().labels())
              && orEmpty(policy.getSpec().getPolicyTypes()).contains("Ingress")) {
            rules.addAll(orEmpty(policy.getSpec().getIngress()));
          }
        }
        if (rules.isEmpty()) {
          problems.add(node.id() + ": no NetworkPolicy restricts ingress to this pod");
          continue;
        }
        for (String name : List.of("hazelcast", "eventbus")) {
          port(node, name, rules, problems)
              .forEach(
                  rule -> {
                    if (!operatorPodsOnly(bundle, rule)) {
                      problems.add(
                          node.id()
                              + ": port "
                              + name
                              + " is admitted from more than operator pods: "
                              + rule.getFrom());
                    }
                  });
          if (bundle.nodes().stream()
              .anyMatch(
                  peer ->
                      port(node, name, rules, problems).stream()
                          .noneMatch(rule -> admitsPod(rule, peer.pod())))) {
            problems.add(node.id() + ": port " + name + " does not admit every operator pod");
          }
        }
        if (node.roles().contains("gateway") || node.roles().contains("delivery")) {
          if (port(node, "http", rules, problems).stream()
              .noneMatch(rule -> empty(rule.getFrom()))) {
            problems.add(node.id() + ": port http is not admitted from anywhere");
          }
        }
        port(node, "management", rules, problems).stream()
            .filter(rule -> !namespacePodsOnly(rule))
            .forEach(
                rule ->
                    problems.add(node.id() + ": port management is admitted beyond the namespace"));
      }
    }

    /** The rules admitting {@code name}'s number (from its setting); none is a problem. */
    static List<V1NetworkPolicyIngressRule> port(
        Node node, String name, List<V1NetworkPolicyIngressRule> rules, List<String> problems) {
      String setting = node.setting(PORT_SETTINGS.get(name));
      int number = setting == null || !setting.matches("\\d+") ? -1 : Integer.parseInt(setting);
      List<V1NetworkPolicyIngressRule> admitting =
          rules.stream().filter(rule -> admits(rule, name, number)).toList();
      if (admitting.isEmpty()) {
        problems.add(
            node.id()
                + ": no NetworkPolicy rule admits port "
                + name
                + " ("
                + PORT_SETTINGS.get(name)
                + "="
                + setting
                + ")");
      }
      return admitting;
    }

    static boolean admits(V1NetworkPolicyIngressRule rule, String name, int number) {
      if (empty(rule.getPorts())) {
        return true;
      }
      for (V1NetworkPolicyPort port : rule.getPorts()) {
        if (port.getProtocol() != null && !port.getProtocol().equals("TCP")) {
          continue;
        }
        IntOrString value = port.getPort();
        if (value == null) {
          return true;
        }
        if (value.isInteger()) {
          int from = value.getIntValue();
          int to = port.getEndPort() == null ? from : port.getEndPort();
          if (number >= from && number <= to) {
            return true;
          }
        } else if (value.getStrValue().equals(name)) {
          return true;
        }
      }
      return false;
    }

    /** Sources are pod selectors of this namespace that select operator pods and nothing else. */
    static boolean operatorPodsOnly(Bundle bundle, V1NetworkPolicyIngressRule rule) {
      if (!namespacePodsOnly(rule)) {
        return false;
      }
      for (V1NetworkPolicyPeer peer : rule.getFrom()) {
        Map<String, String> required =
            peer.getPodSelector().getMatchLabels() == null
                ? Map.of()
                : peer.getPodSelector().getMatchLabels();
        // it must name the operator's label: {} or a role label alone would also admit pods
        // that are not in the manifests (a debug pod, another application)
        if (!"asp-operator".equals(required.get("app.kubernetes.io/name"))) {
          return false;
        }
        if (bundle.pods().stream()
            .anyMatch(
                pod -> matches(peer.getPodSelector(), pod.labels()) && !pod.servesTheOperator())) {
          return false;
        }
      }
      return true;
    }

    /** Non-empty sources, each a pod selector alone (no namespace selector, no IP block). */
    static boolean namespacePodsOnly(V1NetworkPolicyIngressRule rule) {
      return !empty(rule.getFrom())
          && rule.getFrom().stream()
              .allMatch(
                  peer ->
                      peer.getPodSelector() != null
                          && peer.getNamespaceSelector() == null
                          && peer.getIpBlock() == null);
    }

    static boolean admitsPod(V1NetworkPolicyIngressRule rule, Pod pod) {
      return empty(rule.getFrom())
          || rule.getFrom().stream()
              .anyMatch(
                  peer ->
                      peer.getPodSelector() != null
                          && peer.getNamespaceSelector() == null
                          && matches(peer.getPodSelector(), pod.labels()));
    }
  }

  private static void noSecrets(Bundle bundle, List<String> problems) {
    if (overlayName(bundle.overlay()).equals("dev")) {
      return;
    }
    for (Manifest m : bundle.of(V1Secret.class)) {
      problems.add(
          m.id() + ": a Secret outside the dev overlay (create it in the cluster instead)");
    }
  }

  /** Probes of long-running pods; the operator's must hit its health paths on management. */
  private static final class Probes {
    static void check(Bundle bundle, List<String> problems) {
      for (Pod pod : bundle.pods()) {
        if (pod.kind().equals("Job")) {
          continue;
        }
        for (V1Container c : pod.spec().getContainers()) {
          String id = pod.id() + " container " + c.getName();
          if (c.getLivenessProbe() == null || c.getReadinessProbe() == null) {
            problems.add(id + ": needs a livenessProbe and a readinessProbe");
          }
        }
      }
      for (Node node : bundle.nodes()) {
        V1Container c = node.container();
        probe(node, "startupProbe", c.getStartupProbe(), Set.of(LIVE, READY), problems);
        probe(node, "livenessProbe", c.getLivenessProbe(), Set.of(LIVE), problems);
        probe(node, "readinessProbe", c.getReadinessProbe(), Set.of(READY), problems);
      }
    }

    static void probe(Node node, String which, V1Probe probe, Set<String> paths, List<String> out) {
      String id = node.id() + " " + which;
      V1HTTPGetAction get = probe == null ? null : probe.getHttpGet();
      if (get == null) {
        out.add(id + ": missing, or not an httpGet on the operator's health endpoints");
        return;
      }
      if (!paths.contains(get.getPath())) {
        out.add(id + ": path " + get.getPath() + " is not one of " + paths);
      }
      Optional<Integer> port = containerPort(node.container(), get.getPort());
      String management = node.setting("ASP_MANAGEMENT_PORT");
      if (port.isEmpty() || !String.valueOf(port.get()).equals(management)) {
        out.add(
            id
                + ": port "
                + get.getPort()
                + " is not the management port (ASP_MANAGEMENT_PORT "
                + management
                + ")");
      }
    }
  }

  /** Requests and limits for cpu and memory on every container, init containers included. */
  private static final class Resources {
    static void check(Bundle bundle, List<String> problems) {
      for (Pod pod : bundle.pods()) {
        pod.allContainers()
            .forEach(c -> container(pod.id() + " container " + c.getName(), c, problems));
      }
    }

    static void container(String id, V1Container c, List<String> problems) {
      V1ResourceRequirements r = c.getResources();
      for (String resource : List.of("cpu", "memory")) {
        Quantity request =
            r == null || r.getRequests() == null ? null : r.getRequests().get(resource);
        Quantity limit = r == null || r.getLimits() == null ? null : r.getLimits().get(resource);
        if (request == null || limit == null) {
          problems.add(id + ": needs resources.requests and resources.limits for " + resource);
        } else if (request.getNumber().compareTo(limit.getNumber()) > 0) {
          problems.add(
              id
                  + ": "
                  + resource
                  + " request "
                  + request.toSuffixedString()
                  + " exceeds its limit "
                  + limit.toSuffixedString());
        }
      }
    }
  }

  /** $(VAR) expansions, ConfigMap and Secret references: each must resolve. */
  private static final class References {
    static void check(Bundle bundle, List<String> problems) {
      for (Pod pod : bundle.pods()) {
        pod.allContainers()
            .forEach(c -> container(bundle, pod.id() + " container " + c.getName(), c, problems));
      }
    }

    static void container(Bundle bundle, String id, V1Container c, List<String> problems) {
      Set<String> defined = new LinkedHashSet<>();
      for (V1EnvFromSource from : orEmpty(c.getEnvFrom())) {
        if (from.getConfigMapRef() != null) {
          String name = from.getConfigMapRef().getName();
          Optional<Manifest> map = bundle.named(V1ConfigMap.class, name);
          if (map.isEmpty()) {
            problems.add(id + ": envFrom ConfigMap " + name + " is not in the overlay");
          } else {
            defined.addAll(((V1ConfigMap) map.get().model()).getData().keySet());
          }
        }
        if (from.getSecretRef() != null) {
          problems.add(id + ": envFrom a Secret hides which keys it needs; use secretKeyRef");
        }
      }
      for (V1EnvVar env : orEmpty(c.getEnv())) {
        expansions(env.getValue()).stream()
            .filter(v -> !defined.contains(v))
            .forEach(
                v ->
                    problems.add(
                        id + ": " + env.getName() + " uses $(" + v + "), not defined before it"));
        if (env.getValueFrom() != null) {
          source(bundle, id + " " + env.getName(), env.getValueFrom(), problems);
        }
        defined.add(env.getName());
      }
      for (String arg : arguments(c)) {
        expansions(arg).stream()
            .filter(v -> !defined.contains(v))
            .forEach(v -> problems.add(id + ": argument uses $(" + v + "), not defined"));
      }
    }

    static void source(Bundle bundle, String id, V1EnvVarSource from, List<String> problems) {
      if (from.getConfigMapKeyRef() != null) {
        String name = from.getConfigMapKeyRef().getName();
        String key = from.getConfigMapKeyRef().getKey();
        Optional<Manifest> map = bundle.named(V1ConfigMap.class, name);
        if (map.isEmpty() || !((V1ConfigMap) map.get().model()).getData().containsKey(key)) {
          problems.add(id + ": ConfigMap " + name + " key " + key + " is not in the overlay");
        }
      }
      if (from.getSecretKeyRef() != null) {
        secret(
            bundle,
            id,
            from.getSecretKeyRef().getName(),
            from.getSecretKeyRef().getKey(),
            problems);
      }
      if (from.getFieldRef() != null
          && !FIELD_PLACEHOLDERS.containsKey(from.getFieldRef().getFieldPath())) {
        problems.add(id + ": fieldRef " + from.getFieldRef().getFieldPath() + " is not expected");
      }
    }

    /** A Secret in the overlay must have the key; one created by hand must be documented. */
    static void secret(Bundle bundle, String id, String name, String key, List<String> problems) {
      Optional<Manifest> secret = bundle.named(V1Secret.class, name);
      if (secret.isPresent()) {
        if (!secretKeys((V1Secret) secret.get().model()).contains(key)) {
          problems.add(id + ": Secret " + name + " has no key " + key);
        }
        return;
      }
      String readme = readme();
      if (!readme.contains("create secret generic " + name) || !readme.contains(key + "=")) {
        problems.add(
            id
                + ": Secret "
                + name
                + " key "
                + key
                + " is not in the overlay and deploy/README.md"
                + " does not show how to create it (`kubectl create secret generic "
                + name
                + " --from-literal="
                + key
                + "=...`)");
      }
    }
  }

  /** The pods' security settings: non-root, read-only root, no privileges, no capabilities. */
  private static final class Security {
    static void check(Bundle bundle, List<String> problems) {
      String dockerUser = dockerfileUser();
      for (Pod pod : bundle.pods()) {
        pod(pod, problems);
        pod.allContainers().forEach(c -> container(pod, c, problems));
        if (pod.servesTheOperator() || pod.runsTheOperator()) {
          operatorPod(pod, dockerUser, problems);
        }
      }
    }

    static void pod(Pod pod, List<String> problems) {
      V1PodSpec spec = pod.spec();
      V1PodSecurityContext context = spec.getSecurityContext();
      if (context == null || !Boolean.TRUE.equals(context.getRunAsNonRoot())) {
        problems.add(pod.id() + ": pod securityContext.runAsNonRoot must be true");
      }
      if (context == null || !runtimeDefault(context.getSeccompProfile())) {
        problems.add(pod.id() + ": pod securityContext.seccompProfile must be RuntimeDefault");
      }
      if (!Boolean.FALSE.equals(spec.getAutomountServiceAccountToken())) {
        problems.add(
            pod.id() + ": automountServiceAccountToken must be false (no API access needed)");
      }
      Set<String> volumes = new TreeSet<>(pod.claimTemplates());
      orEmpty(spec.getVolumes()).forEach(v -> volumes.add(v.getName()));
      pod.allContainers()
          .flatMap(c -> orEmpty(c.getVolumeMounts()).stream())
          .filter(mount -> !volumes.contains(mount.getName()))
          .forEach(
              mount ->
                  problems.add(pod.id() + ": volumeMount " + mount.getName() + " has no volume"));
    }

    static void container(Pod pod, V1Container c, List<String> problems) {
      String id = pod.id() + " container " + c.getName();
      V1SecurityContext s = c.getSecurityContext();
      if (s == null) {
        problems.add(id + ": no securityContext");
        return;
      }
      if (!Boolean.TRUE.equals(s.getReadOnlyRootFilesystem())) {
        problems.add(id + ": readOnlyRootFilesystem must be true");
      }
      if (!Boolean.FALSE.equals(s.getAllowPrivilegeEscalation())) {
        problems.add(id + ": allowPrivilegeEscalation must be false");
      }
      if (!Boolean.TRUE.equals(s.getRunAsNonRoot())) {
        problems.add(id + ": runAsNonRoot must be true");
      }
      if (s.getCapabilities() == null || !orEmpty(s.getCapabilities().getDrop()).contains("ALL")) {
        problems.add(id + ": capabilities.drop must contain ALL");
      }
      if (s.getCapabilities() != null && !empty(s.getCapabilities().getAdd())) {
        problems.add(id + ": adds capabilities " + s.getCapabilities().getAdd());
      }
      if (Boolean.TRUE.equals(s.getPrivileged())) {
        problems.add(id + ": privileged");
      }
    }

    static void operatorPod(Pod pod, String dockerUser, List<String> problems) {
      V1PodSpec spec = pod.spec();
      if (!Boolean.FALSE.equals(spec.getEnableServiceLinks())) {
        problems.add(
            pod.id()
                + ": enableServiceLinks must be false: a Service named asp-* injects ASP_*"
                + " variables, and the operator refuses unknown ASP_ keys");
      }
      Long user =
          spec.getSecurityContext() == null ? null : spec.getSecurityContext().getRunAsUser();
      if (user != null && dockerUser != null && !String.valueOf(user).equals(dockerUser)) {
        problems.add(pod.id() + ": runAsUser " + user + " is not the image's USER " + dockerUser);
      }
      Set<String> emptyDirs =
          orEmpty(spec.getVolumes()).stream()
              .filter(v -> v.getEmptyDir() != null)
              .map(V1Volume::getName)
              .collect(Collectors.toSet());
      for (V1Container c : spec.getContainers()) {
        boolean tmp =
            orEmpty(c.getVolumeMounts()).stream()
                .anyMatch(m -> m.getMountPath().equals("/tmp") && emptyDirs.contains(m.getName()));
        if (!tmp) {
          problems.add(
              pod.id()
                  + " container "
                  + c.getName()
                  + ": needs an emptyDir at /tmp (the root"
                  + " filesystem is read-only)");
        }
      }
    }

    static boolean runtimeDefault(V1SeccompProfile profile) {
      return profile != null && "RuntimeDefault".equals(profile.getType());
    }
  }

  /** Ingress backends exist, and paths reach the role that serves them. */
  private static final class Routing {
    static void check(Bundle bundle, List<String> problems) {
      for (Manifest m : bundle.of(V1Ingress.class)) {
        V1Ingress ingress = (V1Ingress) m.model();
        if (ingress.getSpec().getDefaultBackend() != null) {
          problems.add(m.id() + ": use explicit paths, not a defaultBackend");
        }
        for (V1IngressRule rule : orEmpty(ingress.getSpec().getRules())) {
          if (rule.getHttp() == null) {
            continue;
          }
          for (V1HTTPIngressPath path : rule.getHttp().getPaths()) {
            backend(bundle, m.id() + " path " + path.getPath(), path, problems);
          }
        }
      }
    }

    static void backend(Bundle bundle, String id, V1HTTPIngressPath path, List<String> problems) {
      V1IngressServiceBackend backend = path.getBackend().getService();
      if (backend == null) {
        problems.add(id + ": backend is not a Service");
        return;
      }
      Optional<Manifest> found = bundle.named(V1Service.class, backend.getName());
      if (found.isEmpty()) {
        problems.add(id + ": Service " + backend.getName() + " is not in the overlay");
        return;
      }
      V1Service service = (V1Service) found.get().model();
      V1ServiceBackendPort port = backend.getPort();
      boolean hasPort =
          orEmpty(service.getSpec().getPorts()).stream()
              .anyMatch(
                  p ->
                      port != null
                          && (Objects.equals(p.getName(), port.getName())
                              || Objects.equals(p.getPort(), port.getNumber())));
      if (!hasPort) {
        String wanted =
            port == null
                ? "(none)"
                : port.getName() != null ? port.getName() : "" + port.getNumber();
        problems.add(id + ": Service " + backend.getName() + " has no port " + wanted);
      }
      String role = path.getPath().startsWith("/connect") ? "delivery" : "gateway";
      for (Pod pod : bundle.podsSelectedBy(service.getSpec().getSelector())) {
        List<String> roles = bundle.roles(pod);
        if (!roles.contains(role)) {
          problems.add(
              id + ": routed to " + pod.id() + " whose ASP_ROLES " + roles + " lack " + role);
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The objects of one overlay and what the checks ask of them.

  /** One object with where it came from, before parsing. */
  private record Sourced(String source, ObjectNode json) {
    String kind() {
      return json.path("kind").asText();
    }

    String name() {
      return json.path("metadata").path("name").asText();
    }

    String id() {
      return source + " " + kind() + "/" + name();
    }
  }

  /** One parsed object. */
  private record Manifest(Sourced sourced, Object model) {
    String id() {
      return sourced.id();
    }
  }

  /** A pod template with its owner (Deployment, StatefulSet or Job). */
  private record Pod(
      Manifest owner,
      V1LabelSelector selector,
      V1PodTemplateSpec template,
      List<String> claimTemplates) {
    String id() {
      return owner.id();
    }

    String kind() {
      return owner.sourced().kind();
    }

    String name() {
      return owner.sourced().name();
    }

    Map<String, String> labels() {
      return template.getMetadata() == null || template.getMetadata().getLabels() == null
          ? Map.of()
          : template.getMetadata().getLabels();
    }

    V1PodSpec spec() {
      return template.getSpec();
    }

    Stream<V1Container> containers() {
      return spec().getContainers().stream();
    }

    Stream<V1Container> allContainers() {
      return Stream.concat(orEmpty(spec().getInitContainers()).stream(), containers());
    }

    boolean runsTheOperator() {
      return allContainers().anyMatch(DeployManifestsTest::isOperator);
    }

    /** A long-running operator node (not the migration Job). */
    boolean servesTheOperator() {
      return !kind().equals("Job") && runsTheOperator();
    }
  }

  /** An operator container with its effective environment (placeholders for cluster values). */
  private record Node(Pod pod, V1Container container, Map<String, String> env) {
    String id() {
      return pod.id() + " container " + container.getName();
    }

    /** The value the operator would see: the environment, else ConfigLoader's default. */
    String setting(String key) {
      if (env.containsKey(key)) {
        return env.get(key);
      }
      String[] known = ConfigLoader.SETTINGS.get(key);
      return known == null ? null : known[0];
    }

    List<String> roles() {
      String roles = setting("ASP_ROLES");
      return roles == null
          ? ALL_ROLES
          : Stream.of(roles.split(",")).map(String::trim).collect(Collectors.toList());
    }
  }

  /** The objects of one overlay. */
  private record Bundle(Path overlay, List<Manifest> manifests) {
    List<Manifest> of(Class<?> type) {
      return manifests.stream()
          .filter(m -> type.isInstance(m.model()))
          .collect(Collectors.toList());
    }

    Optional<Manifest> named(Class<?> type, String name) {
      return of(type).stream().filter(m -> m.sourced().name().equals(name)).findFirst();
    }

    Optional<Manifest> find(String kind, String name) {
      return manifests.stream()
          .filter(m -> m.sourced().kind().equals(kind) && m.sourced().name().equals(name))
          .findFirst();
    }

    List<Pod> pods() {
      List<Pod> pods = new ArrayList<>();
      for (Manifest m : manifests) {
        if (m.model() instanceof V1Deployment d) {
          pods.add(new Pod(m, d.getSpec().getSelector(), d.getSpec().getTemplate(), List.of()));
        } else if (m.model() instanceof V1StatefulSet s) {
          List<String> claims = new ArrayList<>();
          orEmpty(s.getSpec().getVolumeClaimTemplates())
              .forEach(c -> claims.add(c.getMetadata().getName()));
          pods.add(new Pod(m, s.getSpec().getSelector(), s.getSpec().getTemplate(), claims));
        } else if (m.model() instanceof V1Job j) {
          pods.add(new Pod(m, null, j.getSpec().getTemplate(), List.of()));
        }
      }
      return pods;
    }

    List<Pod> podsSelectedBy(Map<String, String> selector) {
      if (empty(selector)) {
        return List.of();
      }
      return pods().stream()
          .filter(p -> p.labels().entrySet().containsAll(selector.entrySet()))
          .collect(Collectors.toList());
    }

    /** Operator containers of long-running pods. */
    List<Node> nodes() {
      return allOperatorContainers().stream()
          .filter(n -> n.pod().servesTheOperator())
          .collect(Collectors.toList());
    }

    /** Operator containers of every pod, the migration Job's included. */
    List<Node> allOperatorContainers() {
      List<Node> nodes = new ArrayList<>();
      for (Pod pod : pods()) {
        pod.allContainers()
            .filter(DeployManifestsTest::isOperator)
            .forEach(c -> nodes.add(new Node(pod, c, environment(this, c))));
      }
      return nodes;
    }

    List<String> roles(Pod pod) {
      return nodes().stream()
          .filter(n -> n.pod().equals(pod))
          .findFirst()
          .map(Node::roles)
          .orElse(List.of());
    }
  }

  private static boolean isOperator(V1Container container) {
    String image = container.getImage() == null ? "" : container.getImage().split("[@:]")[0];
    return image.equals(OPERATOR_IMAGE) || image.endsWith("/" + OPERATOR_IMAGE);
  }

  /** The environment a container would see, with placeholders for what only a cluster knows. */
  private static Map<String, String> environment(Bundle bundle, V1Container c) {
    Map<String, String> env = new LinkedHashMap<>();
    for (V1EnvFromSource from : orEmpty(c.getEnvFrom())) {
      if (from.getConfigMapRef() != null) {
        bundle
            .named(V1ConfigMap.class, from.getConfigMapRef().getName())
            .ifPresent(m -> env.putAll(((V1ConfigMap) m.model()).getData()));
      }
    }
    for (V1EnvVar var : orEmpty(c.getEnv())) {
      String value = var.getValue() != null ? expand(var.getValue(), env) : valueFrom(bundle, var);
      env.put(var.getName(), value);
    }
    return env;
  }

  private static String valueFrom(Bundle bundle, V1EnvVar var) {
    V1EnvVarSource from = var.getValueFrom();
    if (from == null) {
      return "";
    }
    if (from.getFieldRef() != null) {
      return FIELD_PLACEHOLDERS.getOrDefault(from.getFieldRef().getFieldPath(), "field");
    }
    if (from.getConfigMapKeyRef() != null) {
      return bundle
          .named(V1ConfigMap.class, from.getConfigMapKeyRef().getName())
          .map(m -> ((V1ConfigMap) m.model()).getData().get(from.getConfigMapKeyRef().getKey()))
          .orElse("");
    }
    if (from.getSecretKeyRef() != null) {
      Optional<String> value =
          bundle
              .named(V1Secret.class, from.getSecretKeyRef().getName())
              .map(m -> secretValue((V1Secret) m.model(), from.getSecretKeyRef().getKey()));
      return value.orElse(SECRET_PLACEHOLDERS.getOrDefault(var.getName(), "placeholder"));
    }
    return "";
  }

  private static String expand(String value, Map<String, String> env) {
    Matcher m = ENV_REFERENCE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement = env.getOrDefault(m.group(1), m.group());
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static List<String> expansions(String value) {
    List<String> names = new ArrayList<>();
    if (value != null) {
      Matcher m = ENV_REFERENCE.matcher(value);
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  private static Set<String> secretKeys(V1Secret secret) {
    Set<String> keys = new TreeSet<>();
    if (secret.getData() != null) {
      keys.addAll(secret.getData().keySet());
    }
    if (secret.getStringData() != null) {
      keys.addAll(secret.getStringData().keySet());
    }
    return keys;
  }

  private static String secretValue(V1Secret secret, String key) {
    if (secret.getStringData() != null && secret.getStringData().containsKey(key)) {
      return secret.getStringData().get(key);
    }
    byte[] data = secret.getData() == null ? null : secret.getData().get(key);
    return data == null ? null : new String(data, StandardCharsets.UTF_8);
  }

  /** A port by name or number on a container, as its number. */
  private static Optional<Integer> containerPort(V1Container container, IntOrString port) {
    if (port == null) {
      return Optional.empty();
    }
    return orEmpty(container.getPorts()).stream()
        .filter(
            p ->
                port.isInteger()
                    ? p.getContainerPort().equals(port.getIntValue())
                    : port.getStrValue().equals(p.getName()))
        .map(V1ContainerPort::getContainerPort)
        .findFirst();
  }

  private static boolean matches(V1LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false;
    }
    Map<String, String> required =
        selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
    if (!labels.entrySet().containsAll(required.entrySet())) {
      return false;
    }
    for (V1LabelSelectorRequirement r : orEmpty(selector.getMatchExpressions())) {
      String value = labels.get(r.getKey());
      List<String> values = orEmpty(r.getValues());
      boolean ok =
          switch (r.getOperator()) {
            case "In" -> value != null && values.contains(value);
            case "NotIn" -> value == null || !values.contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            default -> false;
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * The {@code ASP_*} settings of every operator container of an overlay as built offline, by
   * {@code Kind/name}, with the overlay's own Secrets resolved (placeholders for the others and for
   * values only a cluster knows): what ComposeFileTest compares the Compose file with.
   */
  static Map<String, Map<String, String>> overlaySettings(String overlay) throws IOException {
    Path dir = DEPLOY.resolve("overlays").resolve(overlay);
    List<String> problems = new ArrayList<>();
    Bundle bundle = new Bundle(dir, parseAll(buildOffline(dir, problems), problems));
    assertNoProblems(overlay, problems);
    Map<String, Map<String, String>> settings = new TreeMap<>();
    for (Node node : bundle.allOperatorContainers()) {
      Map<String, String> asp = new TreeMap<>();
      node.env()
          .forEach(
              (k, v) -> {
                if (k.startsWith("ASP_")) {
                  asp.put(k, v);
                }
              });
      settings.put(node.pod().kind() + "/" + node.pod().name(), asp);
    }
    return settings;
  }

  // ---------------------------------------------------------------------------------------------
  // Building an overlay offline: resources (files, or directories with a kustomization) plus
  // JSON 6902 patches. Anything else in a kustomization fails, so this never silently diverges
  // from kustomize (which the rendered check compares against where kubectl is installed).

  private static List<Sourced> buildOffline(Path dir, List<String> problems) throws IOException {
    JsonNode kustomization = readKustomization(dir);
    List<Sourced> objects = new ArrayList<>();
    for (JsonNode resource : kustomization.path("resources")) {
      Path path = dir.resolve(resource.asText()).normalize();
      if (Files.isDirectory(path)) {
        objects.addAll(buildOffline(path, problems));
      } else if (Files.isRegularFile(path)) {
        readDocuments(path, problems).forEach(doc -> objects.add(new Sourced(relative(path), doc)));
      } else {
        problems.add(
            relative(dir) + "/kustomization.yaml: resource " + resource.asText() + " missing");
      }
    }
    for (JsonNode patch : kustomization.path("patches")) {
      applyPatch(dir, patch, objects, problems);
    }
    return objects;
  }

  private static void applyPatch(
      Path dir, JsonNode patch, List<Sourced> objects, List<String> problems) throws IOException {
    Path file = dir.resolve(patch.path("path").asText()).normalize();
    String where = relative(file);
    JsonNode target = patch.path("target");
    List<Sourced> matching =
        objects.stream().filter(o -> targets(target, o)).collect(Collectors.toList());
    if (matching.size() != 1) {
      problems.add(
          where + ": target " + target + " matches " + matching.size() + " objects, not 1");
      return;
    }
    JsonNode ops = YAML.readTree(file.toFile());
    if (ops == null || !ops.isArray()) {
      problems.add(where + ": not a JSON 6902 patch (a list of operations)");
      return;
    }
    Sourced object = matching.get(0);
    for (JsonNode op : ops) {
      Json6902.apply(object.json(), op, where + " on " + object.id(), problems);
    }
  }

  private static boolean targets(JsonNode target, Sourced object) {
    String apiVersion = object.json().path("apiVersion").asText();
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    return target.path("kind").asText().equals(object.kind())
        && target.path("name").asText().equals(object.name())
        && (!target.has("group") || target.path("group").asText().equals(group))
        && (!target.has("version") || target.path("version").asText().equals(version));
  }

  /** RFC 6902 operations on a JSON tree: add, remove, replace and test. */
  private static final class Json6902 {
    static void apply(ObjectNode root, JsonNode op, String where, List<String> problems) {
      String kind = op.path("op").asText();
      String path = op.path("path").asText("");
      List<String> tokens = pointer(path);
      if (tokens == null || tokens.isEmpty()) {
        problems.add(where + ": path " + path + " is not a JSON pointer below the root");
        return;
      }
      JsonNode parent = root.at(path.substring(0, path.lastIndexOf('/')));
      String last = tokens.get(tokens.size() - 1);
      JsonNode current = parent.isObject() ? parent.get(last) : element(parent, last);
      boolean needsValue = Set.of("add", "replace", "test").contains(kind);
      if (needsValue && !op.has("value")) {
        problems.add(where + ": " + kind + " " + path + " has no value");
        return;
      }
      if (!parent.isContainerNode()) {
        problems.add(where + ": " + kind + " " + path + ": the parent does not exist");
      } else if (!kind.equals("add") && current == null) {
        problems.add(where + ": " + kind + " " + path + ": nothing there to " + kind);
      } else {
        change(
            kind,
            parent,
            last,
            op.get("value"),
            current,
            where + ": " + kind + " " + path,
            problems);
      }
    }

    static void change(
        String kind,
        JsonNode parent,
        String last,
        JsonNode value,
        JsonNode current,
        String where,
        List<String> problems) {
      switch (kind) {
        case "test" -> {
          if (!value.equals(current)) {
            problems.add(where + ": found " + current + ", expected " + value);
          }
        }
        case "remove" -> remove(parent, last);
        case "replace" -> {
          remove(parent, last);
          add(parent, last, value, where, problems);
        }
        case "add" -> add(parent, last, value, where, problems);
        default -> problems.add(where + ": operation not supported by the offline build");
      }
    }

    static void add(
        JsonNode parent, String last, JsonNode value, String where, List<String> problems) {
      if (parent instanceof ObjectNode object) {
        object.set(last, value.deepCopy());
        return;
      }
      ArrayNode array = (ArrayNode) parent;
      if (last.equals("-")) {
        array.add(value.deepCopy());
      } else if (last.matches("\\d+") && Integer.parseInt(last) <= array.size()) {
        array.insert(Integer.parseInt(last), value.deepCopy());
      } else {
        problems.add(where + ": index " + last + " is outside the array");
      }
    }

    static void remove(JsonNode parent, String last) {
      if (parent instanceof ObjectNode object) {
        object.remove(last);
      } else {
        ((ArrayNode) parent).remove(Integer.parseInt(last));
      }
    }

    static JsonNode element(JsonNode array, String index) {
      return array.isArray() && index.matches("\\d+") ? array.get(Integer.parseInt(index)) : null;
    }

    static List<String> pointer(String path) {
      if (!path.startsWith("/")) {
        return null;
      }
      return Stream.of(path.substring(1).split("/", -1))
          .map(t -> t.replace("~1", "/").replace("~0", "~"))
          .collect(Collectors.toList());
    }
  }

  private static void checkKustomization(Path file, List<String> problems) throws IOException {
    Path dir = file.getParent();
    JsonNode k = readKustomization(dir);
    String where = relative(file);
    k.fieldNames()
        .forEachRemaining(
            field -> {
              if (!KUSTOMIZATION_FIELDS.contains(field)) {
                problems.add(
                    where
                        + ": field "
                        + field
                        + " is not understood by the offline build in"
                        + " DeployManifestsTest (teach it, or express this as a JSON 6902 patch)");
              }
            });
    if (!"Kustomization".equals(k.path("kind").asText())) {
      problems.add(where + ": kind must be Kustomization");
    }
    for (JsonNode resource : k.path("resources")) {
      Path path = dir.resolve(resource.asText()).normalize();
      boolean ok =
          Files.isRegularFile(path) || Files.isRegularFile(path.resolve("kustomization.yaml"));
      if (!ok) {
        problems.add(where + ": resource " + resource.asText() + " is no file or kustomization");
      }
    }
    for (JsonNode patch : k.path("patches")) {
      checkPatchEntry(dir, where, patch, problems);
    }
  }

  private static void checkPatchEntry(Path dir, String where, JsonNode patch, List<String> problems)
      throws IOException {
    if (!patch.has("path") || patch.has("patch")) {
      problems.add(where + ": patches must name a file (path), not inline patches: " + patch);
      return;
    }
    Path file = dir.resolve(patch.path("path").asText()).normalize();
    if (!Files.isRegularFile(file)) {
      problems.add(where + ": patch " + patch.path("path").asText() + " does not exist");
      return;
    }
    if (!patch.path("target").has("kind") || !patch.path("target").has("name")) {
      problems.add(where + ": patch " + relative(file) + " needs a target with kind and name");
    }
    JsonNode ops = YAML.readTree(file.toFile());
    if (ops == null || !ops.isArray() || ops.isEmpty()) {
      problems.add(
          relative(file)
              + ": not a JSON 6902 patch (a list of operations); strategic-merge"
              + " partials cannot be validated");
      return;
    }
    for (JsonNode op : ops) {
      if (!Set.of("add", "remove", "replace", "test").contains(op.path("op").asText())
          || !op.path("path").asText("").startsWith("/")) {
        problems.add(
            relative(file)
                + ": operation "
                + op
                + " needs op add|remove|replace|test and"
                + " a path starting with /");
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Rendering with kubectl.

  private static List<Sourced> render(Path kubectl, Path overlay, List<String> problems)
      throws Exception {
    Run run = run(List.of(kubectl.toString(), "kustomize", overlay.toString()));
    if (run.exit() != 0) {
      problems.add("kubectl kustomize " + relative(overlay) + " failed: " + run.stderr());
      return List.of();
    }
    List<Sourced> objects = new ArrayList<>();
    String source = "kubectl kustomize " + relative(overlay) + ":";
    for (ObjectNode doc : readDocuments(run.stdout(), source, problems)) {
      objects.add(new Sourced(source, doc));
    }
    return objects;
  }

  private static List<String> compare(List<Sourced> offline, List<Sourced> rendered) {
    Map<String, JsonNode> ours = new TreeMap<>();
    offline.forEach(o -> ours.put(o.kind() + "/" + o.name(), o.json()));
    Map<String, JsonNode> theirs = new TreeMap<>();
    rendered.forEach(o -> theirs.put(o.kind() + "/" + o.name(), o.json()));
    List<String> problems = new ArrayList<>();
    if (!ours.keySet().equals(theirs.keySet())) {
      problems.add("offline build has " + ours.keySet() + ", kubectl kustomize " + theirs.keySet());
    }
    ours.forEach(
        (id, json) -> {
          if (theirs.containsKey(id) && !json.equals(theirs.get(id))) {
            problems.add(id + " differs:\n offline: " + json + "\n kubectl: " + theirs.get(id));
          }
        });
    return problems;
  }

  private record Run(int exit, String stdout, String stderr) {}

  private static Run run(List<String> command) throws Exception {
    Path out = Files.createTempFile("deploy-test", ".out");
    Path err = Files.createTempFile("deploy-test", ".err");
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Run(-1, "", String.join(" ", command) + " timed out");
      }
      return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static Optional<Path> onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "");
    return Stream.of(path.split(File.pathSeparator))
        .filter(dir -> !dir.isBlank())
        .map(dir -> Path.of(dir, program))
        .filter(Files::isExecutable)
        .findFirst();
  }

  // ---------------------------------------------------------------------------------------------
  // Reading files.

  /**
   * {@code ../deploy} from the module (surefire's working directory); -Dasp.deploy.dir overrides.
   */
  private static Path locateDeploy() {
    String override = System.getProperty("asp.deploy.dir");
    if (override != null) {
      return Path.of(override).toAbsolutePath().normalize();
    }
    Path here = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    Path inModule = here.resolveSibling("deploy");
    return Files.isDirectory(inModule) ? inModule : here.resolve("deploy");
  }

  /** The {@code deploy/} directory the tests read. */
  static Path deployDirectory() {
    return DEPLOY;
  }

  private static String relative(Path path) {
    return DEPLOY.relativize(path.toAbsolutePath().normalize()).toString().replace('\\', '/');
  }

  private static String overlayName(Path overlay) {
    return overlay.getFileName().toString();
  }

  /** Every YAML file of the Kubernetes set-up ({@code compose/} is ComposeFileTest's). */
  private static List<Path> yamlFiles() throws IOException {
    try (Stream<Path> files = Files.walk(DEPLOY)) {
      return files
          .filter(Files::isRegularFile)
          .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
          .filter(f -> !relative(f).startsWith("compose/"))
          .map(f -> f.toAbsolutePath().normalize())
          .sorted()
          .collect(Collectors.toList());
    }
  }

  private static List<Path> kustomizationFiles() throws IOException {
    return yamlFiles().stream()
        .filter(f -> f.getFileName().toString().equals("kustomization.yaml"))
        .collect(Collectors.toList());
  }

  /** Every YAML file that holds complete objects: not a kustomization, not a patch. */
  private static List<Path> manifestFiles() throws IOException {
    Set<Path> patches = new TreeSet<>();
    for (Path kustomization : kustomizationFiles()) {
      for (JsonNode patch : readKustomization(kustomization.getParent()).path("patches")) {
        patches.add(kustomization.getParent().resolve(patch.path("path").asText()).normalize());
      }
    }
    return yamlFiles().stream()
        .filter(f -> !f.getFileName().toString().equals("kustomization.yaml"))
        .filter(f -> !patches.contains(f))
        .collect(Collectors.toList());
  }

  private static List<Path> overlays() throws IOException {
    try (Stream<Path> dirs = Files.list(DEPLOY.resolve("overlays"))) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve("kustomization.yaml")))
          .sorted()
          .collect(Collectors.toList());
    }
  }

  private static JsonNode readKustomization(Path dir) throws IOException {
    return YAML.readTree(dir.resolve("kustomization.yaml").toFile());
  }

  private static String readme() {
    try {
      return Files.readString(DEPLOY.resolve("README.md"));
    } catch (IOException e) {
      return "";
    }
  }

  private static String dockerfileUser() {
    try {
      String user = null;
      for (String line : Files.readAllLines(DEPLOY.resolve("Dockerfile"))) {
        String[] words = line.trim().split("\\s+");
        if (words[0].equals("USER") && words.length > 1) {
          user = words[1].split(":")[0];
        }
      }
      return user;
    } catch (IOException e) {
      return null;
    }
  }

  private static List<ObjectNode> readDocuments(Path file, List<String> problems)
      throws IOException {
    return readDocuments(Files.readString(file), relative(file), problems);
  }

  private static List<ObjectNode> readDocuments(String yaml, String source, List<String> problems)
      throws IOException {
    List<ObjectNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      int index = 0;
      while (it.hasNext()) {
        JsonNode doc = it.next();
        index++;
        if (doc == null || doc.isNull() || doc.isMissingNode() || doc.isEmpty()) {
          continue;
        }
        if (doc instanceof ObjectNode object) {
          docs.add(object);
        } else {
          problems.add(source + " document " + index + " is not an object");
        }
      }
    }
    return docs;
  }

  private static List<Manifest> parseAll(List<Sourced> objects, List<String> problems) {
    List<Manifest> manifests = new ArrayList<>();
    for (Sourced object : objects) {
      parse(object, problems).ifPresent(manifests::add);
    }
    return manifests;
  }

  /** The official model for the object's apiVersion and kind, parsed strictly. */
  private static Optional<Manifest> parse(Sourced object, List<String> problems) {
    String apiVersion = object.json().path("apiVersion").asText();
    String kind = object.kind();
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    if (!KIND_GROUPS.containsKey(kind) || !KIND_GROUPS.get(kind).equals(group)) {
      problems.add(
          object.id()
              + ": "
              + apiVersion
              + " "
              + kind
              + " is not one of the kinds deploy/ may"
              + " hold "
              + new TreeSet<>(KIND_GROUPS.keySet()));
      return Optional.empty();
    }
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    String className =
        MODELS + Character.toUpperCase(version.charAt(0)) + version.substring(1) + kind;
    try {
      Object model =
          Class.forName(className)
              .getMethod("fromJson", String.class)
              .invoke(null, JSON.writeValueAsString(object.json()));
      return Optional.of(new Manifest(object, model));
    } catch (ClassNotFoundException e) {
      problems.add(object.id() + ": unknown apiVersion " + apiVersion + " for " + kind);
    } catch (InvocationTargetException e) {
      problems.add(object.id() + ": " + e.getCause().getMessage());
    } catch (ReflectiveOperationException | IOException e) {
      problems.add(object.id() + ": " + e);
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------------------------------------

  private static void assertNoProblems(String what, List<String> problems) {
    assertTrue(
        problems.isEmpty(),
        () ->
            what + ": " + problems.size() + " problem(s):\n  - " + String.join("\n  - ", problems));
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }

  private static boolean empty(Map<?, ?> map) {
    return map == null || map.isEmpty();
  }

  private static boolean empty(Collection<?> collection) {
    return collection == null || collection.isEmpty();
  }
}
