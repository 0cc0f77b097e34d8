package io.poolagent.it;

import io.poolagent.it.support.Prometheus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The alert rules shipped in deploy/prometheus/: promtool accepts them, their unit tests pass, every alert is
 * tested both firing and silent, and those unit tests can fail.
 */
@Tag("slow")
class AlertRulesTest {

    /** The it module runs in it/, so the repository root is its parent. */
    private static final Path DIR = Path.of("..", "deploy", "prometheus");
    private static final String RULES = "pool-agent-alerts.yml";
    private static final String TESTS = "pool-agent-alerts.test.yml";

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        String out = Prometheus.promtool(DIR, "check", "rules", RULES);
        assertTrue(out.contains("SUCCESS"), out);
    }

    @Test
    void theRulesPassTheirUnitTests() throws Exception {
        String out = Prometheus.promtool(DIR, "test", "rules", TESTS);
        assertTrue(out.contains("SUCCESS"), out);
    }

    @Test
    void everyAlertHasAFiringCaseAndASilentCase() throws IOException {
        Set<String> alerts = new TreeSet<>();
        for (Map<String, Object> group : list(load(DIR.resolve(RULES)).get("groups"))) {
            for (Map<String, Object> rule : list(group.get("rules"))) {
                if (rule.containsKey("alert")) {
                    alerts.add((String) rule.get("alert"));
                }
            }
        }
        assertFalse(alerts.isEmpty(), "no alerts in " + RULES);
        Set<String> firing = new TreeSet<>();
        Set<String> silent = new TreeSet<>();
        for (Map<String, Object> check : alertChecks(load(DIR.resolve(TESTS)))) {
            (list(check.get("exp_alerts")).isEmpty() ? silent : firing).add((String) check.get("alertname"));
        }

        List<String> problems = new ArrayList<>();
        for (String alert : alerts) {
            if (!firing.contains(alert)) {
                problems.add(alert + ": no case where it fires");
            }
            if (!silent.contains(alert)) {
                problems.add(alert + ": no case where it stays silent");
            }
        }
        // A misspelt name would make its silent case pass without testing anything.
        Set<String> tested = new TreeSet<>(firing);
        tested.addAll(silent);
        tested.removeAll(alerts);
        tested.forEach(name -> problems.add(name + ": tested but not defined in " + RULES));
        assertEquals(List.of(), problems);
    }

    @Test
    void theUnitTestsFailWhenAFiringExpectationIsRemoved(@TempDir Path tmp) throws IOException {
        Files.copy(DIR.resolve(RULES), tmp.resolve(RULES));
        Map<String, Object> tests = load(DIR.resolve(TESTS));
        Map<String, Object> firstFiring = alertChecks(tests).stream()
                .filter(check -> !list(check.get("exp_alerts")).isEmpty()).findFirst().orElseThrow();
        firstFiring.put("exp_alerts", List.of());
        Files.writeString(tmp.resolve(TESTS), new Yaml().dump(tests));

        AssertionError failure = assertThrows(AssertionError.class,
                () -> Prometheus.promtool(tmp, "test", "rules", TESTS));
        assertTrue(failure.getMessage().contains("FAILED"), failure.getMessage());
        assertTrue(failure.getMessage().contains((String) firstFiring.get("alertname")), failure.getMessage());
    }

    /** Every {@code alert_rule_test} entry of every test in a promtool test file. */
    private static List<Map<String, Object>> alertChecks(Map<String, Object> testFile) {
        List<Map<String, Object>> checks = new ArrayList<>();
        for (Map<String, Object> test : list(testFile.get("tests"))) {
            checks.addAll(list(test.get("alert_rule_test")));
        }
        return checks;
    }

    private static Map<String, Object> load(Path file) throws IOException {
        return new Yaml().load(Files.readString(file));
    }

    /** A YAML list of mappings; a missing one (promtool's default for exp_alerts) is empty. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object value) {
        return value == null ? List.of() : (List<Map<String, Object>>) value;
    }
}
