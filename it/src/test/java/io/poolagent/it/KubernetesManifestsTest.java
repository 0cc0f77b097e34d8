package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.poolagent.it.apps.OneQuery;
import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Field;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The operations kit for Kubernetes (deploy/kubernetes and deploy/docker/Dockerfile): the manifests parse,
 * name only settings the agent reads, fit together (the jar's way from the image to -javaagent, the port,
 * the probes, the scrape), and the ConfigMap's values are accepted by the real agent.
 */
@Tag("slow")
class KubernetesManifestsTest {

    /** Tests run in it/. */
    private static final Path ROOT = Path.of("..");
    private static final Path KUBERNETES = ROOT.resolve("deploy/kubernetes");
    private static final Path DOCKERFILE = ROOT.resolve("deploy/docker/Dockerfile");
    private static final Path AGENT_CLASSES = ROOT.resolve("agent/target/classes");
    private static final String BUILT_JAR = "agent/target/pool-agent.jar";
    private static final String METRICS_PORT_NAME = "pool-metrics";
    private static final String AGENT_INIT_CONTAINER = "pool-agent";
    private static final Pattern DB_NAME = Pattern.compile("\\bDB_[A-Z0-9_]+");
    private static final Pattern JAVAAGENT = Pattern.compile("-javaagent:([^=\\s]+)");

    @RegisterExtension
    /** As large as the server in configmap.yaml's sizing example, so that the pool fits the way it does there. */
    static final PostgresExtension PG = PostgresExtension.server(100, PostgresServer.Auth.SCRAM)
            .role("app", "app-secret");

    // ---------------------------------------------------------------- the files themselves

    @Test
    void everyDocumentParsesAndHasApiVersionKindAndName() throws IOException {
        List<Doc> docs = documents();
        assertFalse(docs.isEmpty(), "no YAML documents under " + KUBERNETES.toAbsolutePath());
        for (Doc doc : docs) {
            for (Object[] path : new Object[][] {{"apiVersion"}, {"kind"}, {"metadata", "name"}}) {
                Object value = at(doc.body, path);
                assertTrue(value instanceof String && !((String) value).isBlank(),
                        doc + " has no " + String.join(".", asStrings(path)));
            }
        }
    }

    /** The API server refuses numbers and booleans where it wants strings; YAML makes them out of 9433 or off. */
    @Test
    void valuesKubernetesWantsAsStringsAreStrings() throws IOException {
        List<String> notStrings = new ArrayList<>();
        for (Doc doc : documents()) {
            checkStrings(at(doc.body, "metadata", "labels"), doc + " metadata.labels", notStrings);
            checkStrings(at(doc.body, "metadata", "annotations"), doc + " metadata.annotations", notStrings);
        }
        checkStrings(configMap().get("data"), "ConfigMap data", notStrings);
        Map<String, Object> template = map(at(deployment(), "spec", "template"), "Deployment spec.template");
        checkStrings(at(template, "metadata", "labels"), "pod labels", notStrings);
        checkStrings(at(template, "metadata", "annotations"), "pod annotations", notStrings);
        for (Map<String, Object> container : allContainers()) {
            for (Map<String, Object> env : maps(container.get("env"))) {
                if (env.containsKey("value") && !(env.get("value") instanceof String)) {
                    notStrings.add("env of " + container.get("name") + ": " + env.get("name") + "=" + env.get("value"));
                }
            }
        }
        assertTrue(notStrings.isEmpty(), "quote these values, Kubernetes wants strings: " + notStrings);
    }

    // ---------------------------------------------------------------- settings

    @Test
    void everyDbNameInTheKitIsASettingTheAgentReads() throws Exception {
        List<String> keys = agentKeys();
        Map<String, String> seenWhere = new TreeMap<>();
        for (String key : map(configMap().get("data"), "ConfigMap data").keySet()) {
            if (key.startsWith("DB_")) {
                seenWhere.merge(key, "ConfigMap key", (a, b) -> a);
            }
        }
        for (Map<String, Object> container : allContainers()) {
            for (Map<String, Object> env : maps(container.get("env"))) {
                String name = String.valueOf(env.get("name"));
                if (name.startsWith("DB_")) {
                    seenWhere.merge(name, "env of container " + container.get("name"), (a, b) -> a);
                }
            }
        }
        for (Path file : kitFiles()) {
            Matcher m = DB_NAME.matcher(Files.readString(file, StandardCharsets.UTF_8));
            while (m.find()) {
                seenWhere.merge(m.group(), ROOT.relativize(file).toString(), (a, b) -> a);
            }
        }
        assertTrue(seenWhere.containsKey("DB_MAX_OPEN_CONNS"), "the kit names no DB_MAX_OPEN_CONNS: " + seenWhere);
        Map<String, String> unknown = new TreeMap<>(seenWhere);
        unknown.keySet().removeAll(keys);
        assertTrue(unknown.isEmpty(), "not a setting the agent reads (io.poolagent.config.Settings.KEYS): "
                + unknown + "\nthe agent reads " + keys);
    }

    /** One child JVM with the agent and the ConfigMap's DB_* values: no value refused, the pool sized as configured. */
    @Test
    void theConfigMapsValuesAreValidForTheRealAgent() {
        Map<String, Object> data = map(configMap().get("data"), "ConfigMap data");
        Object maxOpen = data.get("DB_MAX_OPEN_CONNS");
        assertNotNull(maxOpen, "the ConfigMap sets no DB_MAX_OPEN_CONNS");
        ChildJvm jvm = ChildJvm.on(Jdks.current()).withAgent();
        data.forEach((key, value) -> {
            if (key.startsWith("DB_")) {
                jvm.env(key, String.valueOf(value));
            }
        });
        // Any free port: the ConfigMap's fixed one may be taken on a build machine.
        jvm.env("DB_POOL_METRICS_PORT", "0");

        ChildJvm.Result r = jvm.run(OneQuery.class, PG.url(), "app", "app-secret");

        assertEquals(0, r.exitCode, r.toString());
        assertEquals("1", r.value("answer"), r.toString());
        List<String> refused = r.agentLines().stream()
                .filter(l -> l.contains("is not valid") || l.contains("has no effect")).collect(Collectors.toList());
        assertTrue(refused.isEmpty(), "the agent refuses or ignores values from configmap.yaml: " + refused + "\n" + r);
        assertEquals(1, r.agentLinesContaining("ready: MaxOpen=" + maxOpen + ","),
                "the pool's ready line shows the ConfigMap's DB_MAX_OPEN_CONNS=" + maxOpen + "\n" + r);
    }

    // ---------------------------------------------------------------- how the jar reaches the application

    @Test
    void theInitContainerCopiesIntoTheVolumeTheAppMountsReadOnly() throws IOException {
        jarPathInApp(); // asserts on every step of the way
    }

    @Test
    void theJavaAgentPathIsTheCopiedJarInsideTheAppsMount() throws IOException {
        String options = effectiveJavaToolOptions();
        Matcher agent = JAVAAGENT.matcher(options);
        assertTrue(agent.find(), "JAVA_TOOL_OPTIONS has no -javaagent: \"" + options + "\"");
        String agentPath = agent.group(1);
        String mountPath = appMountOfAgentVolume().get("mountPath").toString();
        assertTrue(agentPath.startsWith(mountPath + "/"),
                "-javaagent:" + agentPath + " is outside the agent volume's mount " + mountPath);
        assertEquals(fileName(dockerfileCopy()[1]), fileName(agentPath),
                "-javaagent: names another file than the one the Dockerfile puts in the image");
        assertEquals(jarPathInApp(), agentPath, "-javaagent: is not where the init container's copy appears");
    }

    @Test
    void envFromNamesTheConfigMapThatIsDefined() {
        String name = (String) at(configMap(), "metadata", "name");
        List<Map<String, Object>> sources = maps(appContainer().get("envFrom"));
        Map<String, Object> ref = sources.stream().map(s -> asMap(s.get("configMapRef")))
                .filter(r -> r != null && name.equals(r.get("name"))).findFirst().orElse(null);
        assertNotNull(ref, "the app container's envFrom does not take ConfigMap " + name + ": " + sources);
        assertFalse(Boolean.TRUE.equals(ref.get("optional")),
                "an optional ConfigMap would start pods without the agent when it is missing");
    }

    @Test
    void theDockerfileCopiesTheBuiltJarWhereTheInitContainerLooks() throws IOException {
        String[] copy = dockerfileCopy();
        assertEquals(BUILT_JAR, copy[0], "the Dockerfile's COPY source (build context: the repository root)");
        assertTrue(Files.isRegularFile(ROOT.resolve(copy[0])), "no " + copy[0] + " after the build");
        List<String> cmd = dockerfileCmd();
        assertEquals(copy[1], copySourceAndTarget(cmd)[0], "the Dockerfile's CMD copies another file than its COPY put in");
        List<String> init = initCommand(initContainer());
        assertEquals(copy[1], copySourceAndTarget(init)[0], "the init container copies another file than the image holds");
        assertEquals(cmd, init, "the init container's command differs from the image's CMD");
    }

    @Test
    void theAgentImageAndItsInitContainerRunAsNonRootOnAReadOnlyRoot() throws IOException {
        String user = dockerfileInstruction("USER").orElse(null);
        assertNotNull(user, "the Dockerfile sets no USER: the image would run as root");
        assertTrue(user.matches("[1-9][0-9]*(:[0-9]+)?"),
                "USER " + user + ": Kubernetes can check runAsNonRoot only against a numeric, non-zero user");
        Map<String, Object> security = map(initContainer().get("securityContext"), "init container securityContext");
        assertEquals(Boolean.TRUE, security.get("runAsNonRoot"), "init container runAsNonRoot");
        assertEquals(Boolean.TRUE, security.get("readOnlyRootFilesystem"), "init container readOnlyRootFilesystem");
        assertNotNull(at(initContainer(), "resources", "limits"), "the init container has no resource limits");
    }

    // ---------------------------------------------------------------- port, probes, scraping

    @Test
    void theAnnotationTheContainerPortThePodMonitorAndTheSettingAgreeOnThePort() throws Exception {
        int port = metricsContainerPort();
        Map<String, Object> annotations = map(at(deployment(), "spec", "template", "metadata", "annotations"),
                "pod annotations");
        assertEquals("true", annotations.get("prometheus.io/scrape"), "prometheus.io/scrape");
        assertEquals(String.valueOf(port), annotations.get("prometheus.io/port"),
                "prometheus.io/port against the container port named " + METRICS_PORT_NAME);
        Object setting = map(configMap().get("data"), "ConfigMap data").get("DB_POOL_METRICS_PORT");
        String expected = setting != null ? setting.toString() : String.valueOf(agentDefaultMetricsPort());
        assertEquals(expected, String.valueOf(port), "the port the agent listens on (DB_POOL_METRICS_PORT"
                + (setting == null ? " unset: the agent's default" : "") + ") against the container port");
        List<Map<String, Object>> endpoints = maps(at(podMonitor(), "spec", "podMetricsEndpoints"));
        assertFalse(endpoints.isEmpty(), "the PodMonitor has no podMetricsEndpoints");
        for (Map<String, Object> endpoint : endpoints) {
            assertTrue(METRICS_PORT_NAME.equals(endpoint.get("port")) || Integer.valueOf(port).equals(endpoint.get("portNumber")),
                    "the PodMonitor scrapes another port: " + endpoint);
            assertEquals(annotations.get("prometheus.io/path"), endpoint.get("path"), "PodMonitor path against the annotation");
            assertEquals("/metrics", endpoint.get("path"), "the agent's metrics path");
            assertEquals("15s", endpoint.get("interval"), "PodMonitor scrape interval");
        }
    }

    @Test
    void theProbesAskTheAgentsHealthPathsOnItsPort() {
        Map<String, Object> app = appContainer();
        assertProbe(app, "readinessProbe", "/health/ready");
        assertProbe(app, "livenessProbe", "/health/live");
        // Readiness and liveness must wait for the application itself: with DB_POOL_METRICS_AT_START the agent
        // answers a second after the JVM starts, long before the application serves. Nor may the gate depend on
        // the database, or a database outage during a rollout restarts pods.
        assertNotNull(app.get("startupProbe"), "no startupProbe: readiness would pass before the application listens");
        assertEquals("http", at(app, "startupProbe", "tcpSocket", "port"),
                "the startupProbe must wait for the application's own port, not the agent's endpoint");
        // Without it the endpoint waits for the first connect, which a lazily connecting service makes only on
        // a request, and an unready pod gets none.
        assertEquals("true", map(configMap().get("data"), "ConfigMap data").get("DB_POOL_METRICS_AT_START"),
                "the probes need the endpoint before the first connect: DB_POOL_METRICS_AT_START");
        Map<String, Object> startup = map(app.get("startupProbe"), "startupProbe");
        int window = intOr(startup.get("periodSeconds"), 10) * intOr(startup.get("failureThreshold"), 3);
        assertTrue(window >= 60, "the startupProbe gives a JVM only " + window + " s to start");
    }

    @Test
    void thePodMonitorSelectsTheDeploymentsPods() {
        Map<String, Object> podLabels = map(at(deployment(), "spec", "template", "metadata", "labels"), "pod labels");
        assertSelects(at(deployment(), "spec", "selector"), podLabels, "the Deployment's own selector");
        assertSelects(at(podMonitor(), "spec", "selector"), podLabels, "the PodMonitor's selector");
    }

    // ---------------------------------------------------------------- the jar's way, step by step

    /** Where the init container's copy of the jar appears in the application container. */
    private static String jarPathInApp() throws IOException {
        Map<String, Object> init = initContainer();
        String[] copy = copySourceAndTarget(initCommand(init));
        String target = copy[1].endsWith("/") ? copy[1] + fileName(copy[0]) : copy[1];
        Map<String, Object> initMount = maps(init.get("volumeMounts")).stream()
                .filter(m -> target.startsWith(m.get("mountPath") + "/")).findFirst().orElse(null);
        assertNotNull(initMount, "the init container copies to " + target + ", which is on none of its volumes: "
                + init.get("volumeMounts"));
        String volume = (String) initMount.get("name");
        Map<String, Object> declared = maps(at(podSpec(), "volumes")).stream()
                .filter(v -> volume.equals(v.get("name"))).findFirst().orElse(null);
        assertNotNull(declared, "no volume " + volume + " in the pod spec");
        assertTrue(declared.containsKey("emptyDir"), "volume " + volume + " should be an emptyDir: " + declared);
        Map<String, Object> appMount = appMountOfAgentVolume();
        assertEquals(volume, appMount.get("name"), "the app mounts another volume than the init container fills");
        String relative = target.substring(initMount.get("mountPath").toString().length() + 1);
        return appMount.get("mountPath") + "/" + relative;
    }

    private static Map<String, Object> appMountOfAgentVolume() throws IOException {
        String target = copySourceAndTarget(initCommand(initContainer()))[1];
        String volume = maps(initContainer().get("volumeMounts")).stream()
                .filter(m -> target.startsWith(m.get("mountPath") + "/")).map(m -> (String) m.get("name"))
                .findFirst().orElseThrow(() -> new AssertionError("the init container writes to no volume: " + target));
        Map<String, Object> mount = maps(appContainer().get("volumeMounts")).stream()
                .filter(m -> volume.equals(m.get("name"))).findFirst().orElse(null);
        assertNotNull(mount, "the app container does not mount volume " + volume + ", where the init container puts the jar");
        assertEquals(Boolean.TRUE, mount.get("readOnly"), "the app should mount the agent's volume readOnly: " + mount);
        return mount;
    }

    /** The init container's command and args, or the image's CMD when it gives neither. */
    private static List<String> initCommand(Map<String, Object> init) throws IOException {
        List<String> command = new ArrayList<>(strings(init.get("command")));
        command.addAll(strings(init.get("args")));
        return command.isEmpty() ? dockerfileCmd() : command;
    }

    /** {source, target} of a "cp [flags] SOURCE TARGET" command. */
    private static String[] copySourceAndTarget(List<String> command) {
        List<String> operands = command.stream().skip(1).filter(a -> !a.startsWith("-")).collect(Collectors.toList());
        assertTrue(!command.isEmpty() && (command.get(0).equals("cp") || command.get(0).endsWith("/cp"))
                && operands.size() == 2, "expected cp SOURCE TARGET, got " + command);
        return operands.toArray(new String[0]);
    }

    private static String effectiveJavaToolOptions() {
        for (Map<String, Object> env : maps(appContainer().get("env"))) {
            if ("JAVA_TOOL_OPTIONS".equals(env.get("name"))) {
                return String.valueOf(env.get("value")); // env wins over envFrom
            }
        }
        Object options = map(configMap().get("data"), "ConfigMap data").get("JAVA_TOOL_OPTIONS");
        assertNotNull(options, "neither the ConfigMap nor the app container sets JAVA_TOOL_OPTIONS");
        return options.toString();
    }

    // ---------------------------------------------------------------- the Dockerfile

    /** {source, destination} of the Dockerfile's only COPY. */
    private static String[] dockerfileCopy() throws IOException {
        List<String> copies = dockerfileInstructions("COPY");
        assertEquals(1, copies.size(), "the Dockerfile should COPY exactly one thing: " + copies);
        List<String> operands = Stream.of(copies.get(0).trim().split("\\s+")).filter(t -> !t.startsWith("--"))
                .collect(Collectors.toList());
        assertEquals(2, operands.size(), "COPY SOURCE DESTINATION expected: " + copies.get(0));
        return operands.toArray(new String[0]);
    }

    /** The exec-form CMD, ["cp", ...]. */
    private static List<String> dockerfileCmd() throws IOException {
        String cmd = dockerfileInstruction("CMD").orElseThrow(() -> new AssertionError("the Dockerfile has no CMD"));
        assertTrue(cmd.trim().startsWith("["), "CMD should be in exec form (no shell in the way): " + cmd);
        List<String> parts = new ArrayList<>();
        Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(cmd);
        while (m.find()) {
            parts.add(m.group(1));
        }
        return parts;
    }

    private static java.util.Optional<String> dockerfileInstruction(String name) throws IOException {
        List<String> all = dockerfileInstructions(name);
        return all.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(all.get(all.size() - 1));
    }

    /** The arguments of every instruction {@code name}, continuation lines joined and comments left out. */
    private static List<String> dockerfileInstructions(String name) throws IOException {
        assertTrue(Files.isRegularFile(DOCKERFILE), "no " + DOCKERFILE.toAbsolutePath());
        List<String> joined = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(DOCKERFILE, StandardCharsets.UTF_8)) {
            if (line.trim().startsWith("#")) {
                continue;
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            current.append(line);
            joined.add(current.toString().trim());
            current.setLength(0);
        }
        List<String> found = new ArrayList<>();
        for (String instruction : joined) {
            String[] parts = instruction.split("\\s+", 2);
            if (parts[0].equalsIgnoreCase(name)) {
                found.add(parts.length > 1 ? parts[1] : "");
            }
        }
        return found;
    }

    // ---------------------------------------------------------------- the agent's own answers

    private static Class<?> settingsClass(URLClassLoader loader) throws ClassNotFoundException {
        assertTrue(Files.isRegularFile(AGENT_CLASSES.resolve("io/poolagent/config/Settings.class")),
                "no compiled agent classes under " + AGENT_CLASSES.toAbsolutePath() + ": build the agent module first");
        return Class.forName("io.poolagent.config.Settings", true, loader);
    }

    private static URLClassLoader agentLoader() throws IOException {
        return new URLClassLoader(new URL[] {AGENT_CLASSES.toAbsolutePath().normalize().toUri().toURL()},
                ClassLoader.getPlatformClassLoader());
    }

    /** Settings.KEYS: every variable the agent reads. */
    @SuppressWarnings("unchecked")
    private static List<String> agentKeys() throws Exception {
        try (URLClassLoader loader = agentLoader()) {
            Field keys = settingsClass(loader).getDeclaredField("KEYS");
            keys.setAccessible(true);
            return List.copyOf((List<String>) keys.get(null));
        }
    }

    private static int agentDefaultMetricsPort() throws Exception {
        try (URLClassLoader loader = agentLoader()) {
            return settingsClass(loader).getField("DEFAULT_METRICS_PORT").getInt(null);
        }
    }

    // ---------------------------------------------------------------- the objects

    private static Map<String, Object> configMap() {
        return one("ConfigMap");
    }

    private static Map<String, Object> deployment() {
        return one("Deployment");
    }

    private static Map<String, Object> podMonitor() {
        return one("PodMonitor");
    }

    private static Map<String, Object> podSpec() {
        return map(at(deployment(), "spec", "template", "spec"), "Deployment spec.template.spec");
    }

    /** The one application container. */
    private static Map<String, Object> appContainer() {
        List<Map<String, Object>> containers = maps(podSpec().get("containers"));
        assertEquals(1, containers.size(), "expected one application container in the Deployment");
        return containers.get(0);
    }

    private static Map<String, Object> initContainer() {
        return maps(podSpec().get("initContainers")).stream()
                .filter(c -> AGENT_INIT_CONTAINER.equals(c.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no init container named " + AGENT_INIT_CONTAINER));
    }

    private static List<Map<String, Object>> allContainers() {
        List<Map<String, Object>> all = new ArrayList<>(maps(podSpec().get("initContainers")));
        all.addAll(maps(podSpec().get("containers")));
        return all;
    }

    private static int metricsContainerPort() {
        Map<String, Object> port = maps(appContainer().get("ports")).stream()
                .filter(p -> METRICS_PORT_NAME.equals(p.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("the app container has no port named " + METRICS_PORT_NAME));
        assertTrue(port.get("containerPort") instanceof Integer, "containerPort of " + METRICS_PORT_NAME + ": " + port);
        return (Integer) port.get("containerPort");
    }

    private static void assertProbe(Map<String, Object> container, String probe, String path) {
        Object httpGet = at(container, probe, "httpGet");
        assertNotNull(httpGet, "the app container has no " + probe + " with httpGet");
        Map<String, Object> get = map(httpGet, probe + ".httpGet");
        assertEquals(path, get.get("path"), probe + " path");
        Object port = get.get("port");
        assertTrue(METRICS_PORT_NAME.equals(port) || Integer.valueOf(metricsContainerPort()).equals(port),
                probe + " asks port " + port + ", not the agent's " + METRICS_PORT_NAME);
    }

    private static void assertSelects(Object selector, Map<String, Object> labels, String what) {
        Map<String, Object> matchLabels = asMap(at(selector, "matchLabels"));
        assertTrue(matchLabels != null && !matchLabels.isEmpty(), what + " has no matchLabels: " + selector);
        assertEquals(null, at(selector, "matchExpressions"), what + ": matchExpressions are not checked here");
        matchLabels.forEach((key, value) -> assertEquals(value, labels.get(key),
                what + " wants " + key + "=" + value + ", the pods carry " + labels));
    }

    // ---------------------------------------------------------------- YAML

    private record Doc(Path file, int index, Map<String, Object> body) {
        @Override
        public String toString() {
            return ROOT.relativize(file) + " document " + index + " (" + body.get("kind") + " "
                    + at(body, "metadata", "name") + ")";
        }
    }

    private static List<Path> kitFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(KUBERNETES)) {
            list.filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        files.add(DOCKERFILE);
        return files;
    }

    @SuppressWarnings("unchecked")
    private static List<Doc> documents() throws IOException {
        List<Doc> docs = new ArrayList<>();
        for (Path file : kitFiles()) {
            String name = file.getFileName().toString();
            if (!name.endsWith(".yaml") && !name.endsWith(".yml")) {
                continue;
            }
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                int index = 0;
                for (Object body : new Yaml().loadAll(in)) {
                    index++;
                    if (!(body instanceof Map)) {
                        fail(ROOT.relativize(file) + " document " + index + " is not a mapping: " + body);
                    }
                    docs.add(new Doc(file, index, (Map<String, Object>) body));
                }
            } catch (YAMLException e) {
                fail(ROOT.relativize(file) + " is not valid YAML: " + e.getMessage());
            }
        }
        return docs;
    }

    private static Map<String, Object> one(String kind) {
        List<Doc> found;
        try {
            found = documents().stream().filter(d -> kind.equals(d.body.get("kind"))).collect(Collectors.toList());
        } catch (IOException e) {
            throw new AssertionError("cannot read " + KUBERNETES, e);
        }
        assertEquals(1, found.size(), "expected one " + kind + " under deploy/kubernetes: " + found);
        return found.get(0).body;
    }

    @SuppressWarnings("unchecked")
    private static Object at(Object node, Object... path) {
        Object current = node;
        for (Object step : path) {
            if (!(current instanceof Map)) {
                return null;
            }
            current = ((Map<String, Object>) current).get(step);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object node) {
        return node instanceof Map ? (Map<String, Object>) node : null;
    }

    private static Map<String, Object> map(Object node, String what) {
        Map<String, Object> map = asMap(node);
        assertNotNull(map, what + " is missing or not a mapping: " + node);
        return map;
    }

    /** A list of mappings; a missing list is empty. */
    private static List<Map<String, Object>> maps(Object node) {
        if (node == null) {
            return List.of();
        }
        assertTrue(node instanceof List, "expected a list: " + node);
        List<Map<String, Object>> maps = new ArrayList<>();
        for (Object item : (List<?>) node) {
            maps.add(map(item, "list item"));
        }
        return maps;
    }

    private static List<String> strings(Object node) {
        if (node == null) {
            return List.of();
        }
        assertTrue(node instanceof List, "expected a list of strings: " + node);
        return ((List<?>) node).stream().map(String::valueOf).collect(Collectors.toList());
    }

    private static void checkStrings(Object node, String where, List<String> notStrings) {
        Map<String, Object> map = asMap(node);
        if (map != null) {
            map.forEach((key, value) -> {
                if (!(value instanceof String)) {
                    notStrings.add(where + ": " + key + "=" + value);
                }
            });
        }
    }

    private static int intOr(Object value, int fallback) {
        return value instanceof Integer ? (Integer) value : fallback;
    }

    private static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static String[] asStrings(Object[] path) {
        return Stream.of(path).map(String::valueOf).toArray(String[]::new);
    }
}
