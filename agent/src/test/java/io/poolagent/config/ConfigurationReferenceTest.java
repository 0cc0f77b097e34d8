package io.poolagent.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/configuration.md has one row per setting: its name, system property, default and meaning. This keeps it
 * true to the code: the same settings as the catalogue ({@link Setting}, {@link Settings#KEYS}), the system
 * property the agent reads, and the default the catalogue names and the agent uses when nothing is set.
 */
class ConfigurationReferenceTest {

    private static final Path REFERENCE = Path.of("..", "docs", "configuration.md");
    private static final Pattern ROW = Pattern.compile("^\\| `(DB_[A-Z_]+)` \\| `([a-z.]+)` \\|\\s*([^|]*?)\\s*\\|");

    /** name -> {system property, default cell}, in the page's order; a name twice fails. */
    private static Map<String, String[]> rows() throws IOException {
        Map<String, String[]> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(REFERENCE)) {
            Matcher row = ROW.matcher(line);
            if (row.find()) {
                String[] previous = rows.put(row.group(1), new String[] {row.group(2), row.group(3).trim()});
                assertEquals(null, previous, row.group(1) + " has two rows");
            }
        }
        return rows;
    }

    @Test
    void everySettingOfTheAgentHasOneRowAndNoRowNamesAnotherSetting() throws IOException {
        assertEquals(new TreeSet<>(Settings.KEYS), new TreeSet<>(rows().keySet()));
    }

    @Test
    void theHeadroomsDocumentedDefaultIsTheArithmeticTheAgentDoes() {
        assertEquals("max(" + ShareSettings.DEFAULT_HEADROOM_SLOTS + ", " + ShareSettings.DEFAULT_HEADROOM_PERCENT + "%)",
                ShareSettings.DEFAULT_HEADROOM);
    }

    @Test
    void eachRowNamesTheSystemPropertyTheAgentReads() throws IOException {
        rows().forEach((key, row) -> assertEquals(SettingSources.propertyName(key), row[0], key));
    }

    @Test
    void eachDocumentedDefaultIsTheOneTheAgentUses() throws IOException {
        Settings defaults = Settings.defaults();
        ShareSettings share = Settings.load(Map.of(Settings.MAX_OPEN, Settings.AUTO), null).share();
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put(Settings.ENABLED, String.valueOf(defaults.enabled()));
        expected.put(Settings.URLS, String.join(",", defaults.urlPrefixes()));
        expected.put(Settings.MAX_OPEN, String.valueOf(defaults.maxOpen()));
        expected.put(Settings.MAX_IDLE, String.valueOf(defaults.maxIdle()));
        expected.put(Settings.MAX_LIFETIME, duration(defaults.maxLifetime()));
        expected.put(Settings.MAX_IDLE_TIME, duration(defaults.maxIdleTime()));
        expected.put(Settings.MIN_IDLE, String.valueOf(defaults.minIdle()));
        expected.put(Settings.ACQUIRE_TIMEOUT, duration(defaults.acquireTimeout()));
        expected.put(Settings.RESET, defaults.reset().toString());
        expected.put(Settings.RESET_TIMEOUT, duration(defaults.resetTimeout()));
        expected.put(Settings.PGBOUNCER, defaults.pooler().toString());
        expected.put(Settings.LOG_LEVEL, defaults.logLevel().name().toLowerCase(java.util.Locale.ROOT));
        expected.put(Settings.LOG_FORMAT, defaults.logFormat().name().toLowerCase(java.util.Locale.ROOT));
        expected.put(Settings.CONNECT_RETRIES, String.valueOf(defaults.connectRetries()));
        expected.put(Settings.CONNECT_BACKOFF, duration(defaults.connectBackoff()));
        expected.put(Settings.CONNECT_BACKOFF_MAX, duration(defaults.connectBackoffMax()));
        expected.put(Settings.UNUSED_TIMEOUT, duration(defaults.unusedTimeout()));
        expected.put(Settings.LEAK_DETECTION, defaults.leakDetection().isZero() ? "off" : duration(defaults.leakDetection()));
        expected.put(Settings.METRICS_PORT, String.valueOf(defaults.metricsPort()));
        expected.put(Settings.METRICS_HOST, defaults.metricsHost());
        expected.put(Settings.METRICS_AT_START, String.valueOf(defaults.metricsAtStart()));
        expected.put(Settings.STRICT, String.valueOf(defaults.strict()));
        expected.put(Settings.HEADROOM, ShareSettings.DEFAULT_HEADROOM);
        expected.put(Settings.SHARE_WEIGHT, String.valueOf(share.weight()));
        expected.put(Settings.MIN_OPEN, String.valueOf(share.minOpen()));
        expected.put(Settings.SHARE_PERIOD, duration(share.period()));
        Map<String, String[]> rows = rows();
        expected.forEach((key, value) -> assertTrue(rows.get(key)[1].startsWith("`" + value + "`"),
                key + ": the page says " + rows.get(key)[1] + ", the agent's default is " + value));
        expected.forEach((key, value) -> assertEquals(value, catalogued(key).defaultText(), key));
    }

    /** A value the agent uses is quoted as code; "none", a sentence or nothing where the catalogue has no value. */
    @Test
    void eachRowShowsTheCataloguesDefault() throws IOException {
        Map<String, String[]> rows = rows();
        for (Setting setting : Setting.values()) {
            String cell = rows.get(setting.key())[1];
            String fallback = setting.defaultText();
            assertTrue(fallback == null ? !cell.startsWith("`")
                    : cell.startsWith("`" + fallback + "`") || cell.equals(fallback),
                    setting.key() + ": the page says " + cell + ", the catalogue " + fallback);
        }
    }

    @Test
    void theCatalogueIsTheListOfSettingsInItsOrder() {
        List<String> keys = new ArrayList<>();
        for (Setting setting : Setting.values()) {
            keys.add(setting.key());
        }
        assertEquals(keys, Settings.KEYS);
        assertEquals(keys.size(), new TreeSet<>(keys).size(), "a name twice");
    }

    private static Setting catalogued(String key) {
        for (Setting setting : Setting.values()) {
            if (setting.key().equals(key)) {
                return setting;
            }
        }
        throw new AssertionError(key + " is not in the catalogue");
    }

    private static String duration(Duration duration) {
        return GoDuration.format(duration);
    }
}
