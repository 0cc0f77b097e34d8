package io.poolagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.poolagent.it.support.ChildJvm;
import io.poolagent.it.support.Jdks;
import io.poolagent.it.support.PostgresExtension;
import io.poolagent.it.support.PostgresServer;
import io.poolagent.it.support.Prometheus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * deploy/grafana/pool-agent-dashboard.json against the real thing: a real Prometheus scrapes a real agent whose
 * pool is too small for its load, and every query of every panel (and of every template variable) must answer
 * with data, once with every variable on "All" and once with the one pod and pool selected, as Grafana would
 * send them.
 */
@Tag("slow")
class GrafanaDashboardTest {

    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "pool-agent-dashboard.json");
    private static final Path ALERT_RULES = Path.of("..", "deploy", "prometheus", "pool-agent-alerts.yml");
    private static final String PASSWORD = "grafana-pw-3381";
    private static final int MAX_OPEN = 3;
    private static final int BORROWERS = 10;
    /** Generous: Prometheus needs two scrapes in the window for rate(), and machines are noisy. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(180);

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.server(20, PostgresServer.Auth.SCRAM).role("app", PASSWORD);

    @Test
    void theDashboardIsImportableAndHasAPanelForEverySubject() throws Exception {
        Map<String, Object> dashboard = dashboard();

        List<Object> inputs = list(dashboard.get("__inputs"));
        assertTrue(inputs.stream().map(GrafanaDashboardTest::map)
                        .anyMatch(i -> "DS_PROMETHEUS".equals(i.get("name")) && "prometheus".equals(i.get("pluginId"))
                                && "datasource".equals(i.get("type"))),
                "__inputs asks for a Prometheus data source DS_PROMETHEUS: " + inputs);
        assertTrue(number(dashboard.get("schemaVersion")) >= 36, "schemaVersion " + dashboard.get("schemaVersion"));
        assertFalse(string(dashboard.get("title")).isBlank());
        assertFalse(string(dashboard.get("uid")).isBlank());

        Map<String, Map<String, Object>> variables = variables(dashboard);
        for (String name : List.of("instance", "pool")) {
            Map<String, Object> variable = variables.get(name);
            assertNotNull(variable, "template variable $" + name + " missing: " + variables.keySet());
            assertEquals("query", variable.get("type"), name);
            assertEquals(true, variable.get("multi"), "$" + name + " is multi-value");
            assertEquals(true, variable.get("includeAll"), "$" + name + " has All");
            assertEquals(".*", variable.get("allValue"), "$" + name + ": All must also match what has no such label");
        }
        for (String name : List.of("namespace", "job")) {
            if (variables.containsKey(name)) {
                assertEquals(".*", variables.get(name).get("allValue"), "$" + name + " is optional: All matches no label");
            }
        }

        List<Map<String, Object>> panels = panels(dashboard);
        Set<Object> ids = new HashSet<>();
        for (Map<String, Object> panel : panels) {
            String title = string(panel.get("title"));
            assertTrue(ids.add(panel.get("id")), "duplicate panel id in '" + title + "'");
            Map<String, Object> grid = map(panel.get("gridPos"));
            assertTrue(number(grid.get("x")) + number(grid.get("w")) <= 24, "'" + title + "' wider than the grid");
            if ("row".equals(panel.get("type"))) {
                continue;
            }
            assertTrue(Set.of("timeseries", "stat").contains(panel.get("type")), "'" + title + "': " + panel.get("type"));
            assertFalse(string(panel.get("description")).isBlank(), "'" + title + "' has no description");
            String unit = string(map(map(panel.get("fieldConfig")).get("defaults")).get("unit"));
            assertFalse(unit.isBlank(), "'" + title + "' has no unit");
            assertTrue(string(map(panel.get("datasource")).get("uid")).startsWith("${"),
                    "'" + title + "' uses a data source chosen at import, not a fixed one: " + panel.get("datasource"));
            List<Map<String, Object>> targets = targets(panel);
            assertFalse(targets.isEmpty(), "'" + title + "' has no query");
            for (Map<String, Object> target : targets) {
                checkExpr(title, "stat".equals(panel.get("type")), string(target.get("expr")), variables.keySet());
            }
        }

        Map<String, Predicate<List<String>>> subjects = new LinkedHashMap<>();
        subjects.put("pool utilisation % (in use / max open)", exprs -> exprs.stream().anyMatch(e ->
                e.matches("(?s).*100 \\*.*db_connections_in_use.*/.*db_connections_max_open.*")));
        subjects.put("in use vs max", exprs -> exprs.stream().anyMatch(e -> e.contains("db_connections_in_use")
                && !e.contains("db_connections_max_open")) && exprs.stream().anyMatch(e ->
                e.contains("db_connections_max_open") && !e.contains("db_connections_in_use")));
        subjects.put("idle", exprs -> exprs.stream().anyMatch(e -> e.contains("db_connections_idle{")));
        subjects.put("open", exprs -> exprs.stream().anyMatch(e -> e.contains("db_connections_open{")));
        subjects.put("wait rate", exprs -> exprs.stream().anyMatch(e -> e.contains("rate(db_connections_wait_count_total")
                && !e.contains("db_connections_wait_duration_seconds")));
        subjects.put("wait time (average per waited borrow, and seconds waited per second)", exprs ->
                exprs.stream().anyMatch(e -> e.matches("(?s).*rate\\(db_connections_wait_duration_seconds.*/.*"
                        + "rate\\(db_connections_wait_count_total.*"))
                && exprs.stream().anyMatch(e -> e.contains("rate(db_connections_wait_duration_seconds")
                        && !e.contains("db_connections_wait_count_total")));
        subjects.put("callers waiting now", exprs -> exprs.stream().anyMatch(e -> e.contains("hikaricp_connections_pending")));
        subjects.put("connect retries by outcome", exprs -> exprs.stream().anyMatch(e ->
                e.contains("pool_agent_connect_retries_total") && e.contains("outcome")));
        subjects.put("exhaustion errors (acquire timeouts and first-connect failures)", exprs ->
                exprs.stream().anyMatch(e -> e.contains("hikaricp_connections_timeout_total"))
                        && exprs.stream().anyMatch(e -> e.contains("pool_agent_connect_failures_total")));
        subjects.put("database reachable", exprs -> exprs.stream().anyMatch(e -> e.contains("pool_agent_database_up")));
        subjects.put("connections closed by reason", exprs -> exprs.stream().anyMatch(e ->
                e.contains("db_connections_closed_max_idle_total")) && exprs.stream().anyMatch(e ->
                e.contains("db_connections_closed_max_idle_time_total")) && exprs.stream().anyMatch(e ->
                e.contains("db_connections_closed_max_lifetime_total")));
        subjects.put("session resets", exprs -> exprs.stream().anyMatch(e -> e.contains("pool_agent_session_resets_total")));
        List<String> missing = new ArrayList<>();
        subjects.forEach((subject, covers) -> {
            boolean covered = panels.stream().filter(p -> "timeseries".equals(p.get("type")))
                    .anyMatch(p -> covers.test(targets(p).stream().map(t -> string(t.get("expr"))).toList()));
            if (!covered) {
                missing.add(subject);
            }
        });
        assertTrue(missing.isEmpty(), "no time-series panel for: " + missing);
    }

    @Test
    void everyPanelQueryAnswersFromARealPrometheusScrapingTheAgentUnderLoad() throws Exception {
        Map<String, Object> dashboard = dashboard();
        ChildJvm.Running app = ChildJvm.on(Jdks.current()).withAgent()
                .env("DB_POOL_METRICS_HOST", "127.0.0.1")
                .env("DB_MAX_OPEN_CONNS", String.valueOf(MAX_OPEN))
                // A "replica" that is the primary itself: refused as no standby, so the read-replica row's series
                // exist (lag +Inf, usable 0, counts 0) without a standby; ReadReplicaTest has the real ones.
                .env("DB_READ_REPLICAS", "127.0.0.1:" + PG.port())
                .start(Borrowers.class, PG.url(), "app", PASSWORD, String.valueOf(BORROWERS), "20");
        try {
            app.awaitOutput("RESULT borrowing=true", Duration.ofSeconds(60));
            int port = app.metricsPort();
            String instance = "127.0.0.1:" + port;
            String pool = "app@127.0.0.1:" + PG.port() + "/postgres";

            try (Prometheus prometheus = Prometheus.scraping(instance)) {
                prometheus.awaitSeries("db_connections_max_open", Duration.ofSeconds(60));

                // Every variable on All, as on first load; then the one pod and pool picked, escaped as Grafana's
                // Prometheus data source escapes multi-value selections (each regex metacharacter behind \\).
                Map<String, String> all = Map.of("namespace", ".*", "job", ".*", "instance", ".*", "pool", ".*");
                Map<String, String> picked = Map.of("namespace", ".*", "job", grafanaRegex("pool-agent"),
                        "instance", grafanaRegex(instance), "pool", grafanaRegex(pool));

                Map<String, String> expected = Map.of("job", "pool-agent", "instance", instance, "pool", pool);
                for (Map.Entry<String, Map<String, Object>> variable : variables(dashboard).entrySet()) {
                    checkVariable(prometheus, variable.getKey(), variable.getValue(), all, expected.get(variable.getKey()));
                }

                for (Map<String, String> selection : List.of(all, picked)) {
                    List<String> silent = awaitEveryPanel(prometheus, dashboard, selection);
                    assertTrue(silent.isEmpty(), "with " + selection + " these panel queries returned nothing within "
                            + ANSWER_TIMEOUT.toSeconds() + "s:\n" + String.join("\n", silent));
                }

                // The load makes callers wait: the wait panels must show it, not just zeros.
                Map<String, Object> waitRate = panelWith(dashboard, "wait rate",
                        e -> e.contains("rate(db_connections_wait_count_total")
                                && !e.contains("db_connections_wait_duration_seconds"));
                Map<String, Object> waitTime = panelWith(dashboard, "wait time",
                        e -> e.contains("db_connections_wait_duration_seconds"));
                Map<String, Object> utilisation = panelWith(dashboard, "utilisation",
                        e -> e.contains("db_connections_in_use") && e.contains("db_connections_max_open"));
                for (Map<String, Object> panel : List.of(waitRate, waitTime, utilisation)) {
                    for (Map<String, Object> target : targets(panel)) {
                        awaitPositive(prometheus, string(panel.get("title")), string(target.get("expr")), picked);
                    }
                }

                // The alert rules watch the same agent: every series they name must exist in this scrape too,
                // or a renamed meter would leave an alert that can never fire (its promtool tests use made-up
                // series).
                Matcher names = Pattern.compile("\\b(?:db_connections|hikaricp_connections|pool_agent)_\\w+")
                        .matcher(Files.readString(ALERT_RULES));
                Set<String> seen = new HashSet<>();
                while (names.find()) {
                    if (seen.add(names.group())) {
                        prometheus.awaitSeries(names.group(), ANSWER_TIMEOUT);
                    }
                }
                assertTrue(seen.size() >= 6, "the rules name only " + seen);
            }
        } finally {
            app.close();
        }
    }

    /**
     * A service whose pool is too small: THREADS threads borrow, hold for HOLD_MS, return, until killed; one
     * borrow in ten changes a session setting, for the session-reset panel. Args: URL USER PASSWORD THREADS HOLD_MS
     */
    public static final class Borrowers {

        public static void main(String[] args) throws Exception {
            String url = args[0];
            int threads = Integer.parseInt(args[3]);
            double holdSeconds = Integer.parseInt(args[4]) / 1000.0;
            AtomicBoolean announced = new AtomicBoolean();
            for (int t = 0; t < threads; t++) {
                Thread thread = new Thread(() -> {
                    while (true) {
                        try (Connection c = DriverManager.getConnection(url, args[1], args[2]);
                             Statement s = c.createStatement()) {
                            if (ThreadLocalRandom.current().nextInt(10) == 0) {
                                s.execute("set statement_timeout = '30s'"); // a session change to reset on return
                            }
                            s.execute("select pg_sleep(" + holdSeconds + ")");
                            if (announced.compareAndSet(false, true)) {
                                System.out.println("RESULT borrowing=true");
                            }
                        } catch (SQLException e) {
                            System.out.println("error: " + e);
                        }
                    }
                });
                thread.start();
            }
        }
    }

    // ------------------------------------------------------------------------------------------- Prometheus

    /** Polls every target of every panel until each returns a sample; returns the ones that never did. */
    private static List<String> awaitEveryPanel(Prometheus prometheus, Map<String, Object> dashboard,
                                                Map<String, String> selection) throws Exception {
        Map<String, String> pending = new LinkedHashMap<>();
        for (Map<String, Object> panel : panels(dashboard)) {
            for (Map<String, Object> target : targets(panel)) {
                pending.put("panel '" + panel.get("title") + "' query " + target.get("refId"),
                        substitute(string(target.get("expr")), selection));
            }
        }
        Map<String, String> lastAnswers = new LinkedHashMap<>();
        List<String> invalid = new ArrayList<>();
        long deadline = System.nanoTime() + ANSWER_TIMEOUT.toNanos();
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            for (Map.Entry<String, String> entry : List.copyOf(pending.entrySet())) {
                String answer = prometheus.query(entry.getValue());
                lastAnswers.put(entry.getKey(), answer);
                Map<String, Object> json = map(parseJson(answer));
                if (!"success".equals(json.get("status"))) {
                    invalid.add(entry.getKey() + " is not valid PromQL: " + entry.getValue() + "\n  -> " + answer);
                    pending.remove(entry.getKey());
                } else if (!samples(json).isEmpty()) {
                    pending.remove(entry.getKey());
                }
            }
            if (!pending.isEmpty()) {
                Thread.sleep(1000);
            }
        }
        List<String> failures = new ArrayList<>(invalid);
        pending.forEach((what, expr) -> failures.add(what + ": " + expr + "\n  -> " + lastAnswers.get(what)));
        return failures;
    }

    private static void awaitPositive(Prometheus prometheus, String title, String expr, Map<String, String> selection)
            throws Exception {
        String query = substitute(expr, selection);
        long deadline = System.nanoTime() + ANSWER_TIMEOUT.toNanos();
        String answer = "";
        while (System.nanoTime() < deadline) {
            answer = prometheus.query(query);
            if (samples(map(parseJson(answer))).stream().anyMatch(v -> v > 0)) {
                return;
            }
            Thread.sleep(1000);
        }
        fail("panel '" + title + "' never showed a value above 0 under a load that waits: " + query + "\n  -> " + answer);
    }

    /** A query variable's label_values(selector, label), run as the equivalent instant query. */
    private static void checkVariable(Prometheus prometheus, String name, Map<String, Object> variable,
                                      Map<String, String> selection, String expectedValue) throws Exception {
        if (!"query".equals(variable.get("type"))) {
            return;
        }
        Object query = variable.get("query");
        String definition = query instanceof Map ? string(map(query).get("query")) : string(query);
        Matcher m = Pattern.compile("(?s)label_values\\((.*),\\s*(\\w+)\\)").matcher(definition.trim());
        assertTrue(m.matches(), "$" + name + ": expected label_values(selector, label), got " + definition);
        String promql = "count by (" + m.group(2) + ") (" + substitute(m.group(1), selection) + ")";
        long deadline = System.nanoTime() + ANSWER_TIMEOUT.toNanos();
        String answer = "";
        while (System.nanoTime() < deadline) {
            answer = prometheus.query(promql);
            Map<String, Object> json = map(parseJson(answer));
            assertEquals("success", json.get("status"), "$" + name + ": " + promql + " -> " + answer);
            boolean found = list(map(json.get("data")).get("result")).stream()
                    .map(r -> map(map(r).get("metric")).get(m.group(2)))
                    .anyMatch(v -> expectedValue == null || expectedValue.equals(v));
            if (found) {
                return;
            }
            Thread.sleep(1000);
        }
        fail("template variable $" + name + " never offered " + expectedValue + ": " + promql + " -> " + answer);
    }

    /** The sample values of an instant-query answer; NaN and infinities do not count as data. */
    private static List<Double> samples(Map<String, Object> answer) {
        List<Double> values = new ArrayList<>();
        if (!"success".equals(answer.get("status"))) {
            return values;
        }
        Map<String, Object> data = map(answer.get("data"));
        List<Object> results = "scalar".equals(data.get("resultType")) ? List.of(Map.of("value", data.get("result")))
                : list(data.get("result"));
        for (Object result : results) {
            String text = string(list(map(result).get("value")).get(1));
            double v = text.endsWith("Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(text); // Go's "+Inf"
            if (Double.isFinite(v)) {
                values.add(v);
            }
        }
        return values;
    }

    // ------------------------------------------------------------------------------------------- dashboard

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::\\w+)?}|\\$(\\w+)");
    private static final Map<String, String> GRAFANA_BUILTINS = Map.of(
            "__rate_interval", "1m", "__interval", "15s", "__range", "5m");

    /** Replaces $var, ${var} and ${var:format} as Grafana would; fails on a variable the dashboard lacks. */
    private static String substitute(String expr, Map<String, String> selection) {
        Matcher m = VARIABLE.matcher(expr);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            String value = selection.containsKey(name) ? selection.get(name) : GRAFANA_BUILTINS.get(name);
            if (value == null) {
                fail("unknown variable $" + name + " in " + expr);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** How Grafana's Prometheus data source writes a multi-value selection into =~"...": \\ before metacharacters. */
    private static String grafanaRegex(String value) {
        return value.replaceAll("([\\\\^$*+?.()|\\[\\]{}])", "\\\\\\\\$1");
    }

    private static final Pattern RANGE = Pattern.compile("\\[([^\\]]+)]");
    private static final Pattern SELECTOR = Pattern.compile("(\\w+)\\{([^}]*)}");

    private static void checkExpr(String title, boolean stat, String expr, Set<String> variables) {
        String where = "'" + title + "': " + expr;
        Matcher range = RANGE.matcher(expr);
        while (range.find()) {
            String window = range.group(1);
            assertTrue(window.equals("$__rate_interval") || stat && window.equals("$__range"),
                    "rate windows follow Grafana's $__rate_interval (a stat's total may use $__range): " + where);
        }
        Matcher selector = SELECTOR.matcher(expr);
        int selectors = 0;
        while (selector.find()) {
            selectors++;
            String metric = selector.group(1);
            String matchers = selector.group(2);
            assertTrue(matchers.contains("instance=~\"$instance\""), "selects on $instance: " + where);
            if (!metric.startsWith("pool_agent_calls_")) { // the only series without a pool label
                assertTrue(matchers.contains("pool=~\"$pool\""), "selects on $pool: " + where);
            }
        }
        assertTrue(selectors > 0, "every metric takes the dashboard's selectors: " + where);
        Matcher variable = VARIABLE.matcher(expr);
        while (variable.find()) {
            String name = variable.group(1) != null ? variable.group(1) : variable.group(2);
            assertTrue(variables.contains(name) || GRAFANA_BUILTINS.containsKey(name), "undefined $" + name + ": " + where);
        }
    }

    private static Map<String, Object> dashboard() throws Exception {
        assertTrue(Files.isRegularFile(DASHBOARD), "no dashboard at " + DASHBOARD.toAbsolutePath());
        return map(parseJson(Files.readString(DASHBOARD)));
    }

    private static Map<String, Map<String, Object>> variables(Map<String, Object> dashboard) {
        Map<String, Map<String, Object>> variables = new LinkedHashMap<>();
        for (Object v : list(map(dashboard.get("templating")).get("list"))) {
            variables.put(string(map(v).get("name")), map(v));
        }
        return variables;
    }

    /** Every panel, those inside rows (collapsed or not) included. */
    private static List<Map<String, Object>> panels(Map<String, Object> dashboard) {
        List<Map<String, Object>> all = new ArrayList<>();
        collect(list(dashboard.get("panels")), all);
        return all;
    }

    private static void collect(List<Object> panels, List<Map<String, Object>> into) {
        for (Object p : panels) {
            into.add(map(p));
            if (map(p).get("panels") != null) {
                collect(list(map(p).get("panels")), into);
            }
        }
    }

    private static List<Map<String, Object>> targets(Map<String, Object> panel) {
        Object targets = panel.get("targets");
        return targets == null ? List.of() : list(targets).stream().map(GrafanaDashboardTest::map)
                .collect(Collectors.toList());
    }

    private static Map<String, Object> panelWith(Map<String, Object> dashboard, String subject, Predicate<String> expr) {
        return panels(dashboard).stream().filter(p -> "timeseries".equals(p.get("type")))
                .filter(p -> targets(p).stream().anyMatch(t -> expr.test(string(t.get("expr")))))
                .findFirst().orElseThrow(() -> new AssertionError("no time-series panel for " + subject));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertTrue(o instanceof Map, "expected a JSON object, got " + o);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        assertTrue(o instanceof List, "expected a JSON array, got " + o);
        return (List<Object>) o;
    }

    private static String string(Object o) {
        return o == null ? "" : o.toString();
    }

    private static double number(Object o) {
        assertTrue(o instanceof Number, "expected a JSON number, got " + o);
        return ((Number) o).doubleValue();
    }

    /** JSON is (near enough) YAML: the dashboard and Prometheus' answers parse with the suite's YAML reader. */
    private static Object parseJson(String text) {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    }
}
