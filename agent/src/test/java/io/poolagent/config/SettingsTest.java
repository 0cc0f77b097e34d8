package io.poolagent.config;

import io.poolagent.log.AgentLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest {

    @Test
    void defaultsFollowTheGoServices() {
        Settings settings = Settings.defaults();
        assertEquals(25, settings.maxOpen());
        assertEquals(10, settings.maxIdle());
        assertEquals(Duration.ofMinutes(5), settings.maxLifetime());
        assertEquals(Duration.ofMinutes(2), settings.maxIdleTime());
        assertEquals(Duration.ofSeconds(30), settings.acquireTimeout());
        assertEquals(ResetMode.FULL, settings.reset());
        assertEquals(Duration.ofSeconds(5), settings.resetTimeout());
        assertEquals(AgentLog.Level.INFO, settings.logLevel());
        assertEquals(List.of("jdbc:postgresql:"), settings.urlPrefixes());
        assertTrue(settings.enabled());
        assertTrue(settings.problems().isEmpty());
        assertEquals(5, settings.connectRetries());
        assertEquals(Duration.ofSeconds(1), settings.connectBackoff());
        assertEquals(Duration.ofSeconds(16), settings.connectBackoffMax());
        assertEquals("MaxOpen=25, MaxIdle=10, MaxLifetime=5m, MaxIdleTime=2m, AcquireTimeout=30s, Reset=full,"
                + " ConnectRetries=5, Backoff=1s..16s", settings.describe());
        assertEquals(AgentLog.Format.TEXT, settings.logFormat());
        assertFalse(settings.strict());
        assertFalse(settings.strictFailure());
        assertEquals("", settings.origins());
    }

    @Test
    void readsEveryValueFromTheEnvironment() {
        Settings settings = Settings.load(Map.of(
                "DB_MAX_OPEN_CONNS", "15", "DB_MAX_IDLE_CONNS", "5", "DB_CONN_MAX_LIFETIME", "1h30m",
                "DB_CONN_MAX_IDLE_TIME", "90s", "DB_POOL_ACQUIRE_TIMEOUT", "500ms", "DB_POOL_RESET", "off",
                "DB_POOL_LOG_LEVEL", "debug", "DB_POOL_URLS", "jdbc:postgresql:, jdbc:pgsql:",
                "DB_POOL_ENABLED", "FALSE"), null);
        assertEquals(15, settings.maxOpen());
        assertEquals(5, settings.maxIdle());
        assertEquals(Duration.ofMinutes(90), settings.maxLifetime());
        assertEquals(Duration.ofSeconds(90), settings.maxIdleTime());
        assertEquals(Duration.ofMillis(500), settings.acquireTimeout());
        assertEquals(ResetMode.OFF, settings.reset());
        assertEquals(AgentLog.Level.DEBUG, settings.logLevel());
        assertEquals(List.of("jdbc:postgresql:", "jdbc:pgsql:"), settings.urlPrefixes());
        assertFalse(settings.enabled());
        assertTrue(settings.problems().isEmpty(), settings.problems()::toString);
    }

    @Test
    void aMisspeltKnobIsNamedButTheApplicationsOwnDbVariablesAreNot() {
        Settings settings = Settings.load(Map.of("DB_POOL_MAX_CONNS", "10", "DB_MAX_OPEN_CONNECTIONS", "5",
                "DB_USER", "app", "DB_HOST", "db", "DB_MAX_OPEN_CONNS", "7"), null);

        assertEquals(7, settings.maxOpen());
        assertEquals(2, settings.warnings().size(), settings.warnings()::toString);
        assertTrue(settings.warnings().stream().anyMatch(w -> w.startsWith(
                "DB_POOL_MAX_CONNS is not read by pool-agent (misspelt?); its settings are [DB_POOL_ENABLED,")),
                settings.warnings()::toString);
        assertTrue(settings.warnings().stream().anyMatch(w -> w.startsWith("DB_MAX_OPEN_CONNECTIONS is not read")),
                settings.warnings()::toString);
        assertTrue(settings.problems().isEmpty(), settings.problems()::toString);
    }

    @Test
    void aTransactionPoolerTurnsTheResetOffAndTheStartUpLineSaysWhy() {
        Settings behindPooler = Settings.load(Map.of("DB_POOL_PGBOUNCER", "transaction", "DB_POOL_RESET", "discard"), null);

        assertEquals(PoolerMode.TRANSACTION, behindPooler.pooler());
        assertEquals(ResetMode.DISCARD, behindPooler.reset());
        assertEquals(ResetMode.OFF, behindPooler.effectiveReset());
        assertTrue(behindPooler.describe().contains("Reset=off (DB_POOL_PGBOUNCER=transaction)"), behindPooler.describe());
        assertEquals(ResetMode.FULL, Settings.load(Map.of("DB_POOL_PGBOUNCER", "auto"), null).effectiveReset());
    }

    @Test
    void agentArgumentsWinOverTheEnvironmentAndMayCarryAList() {
        Settings settings = Settings.load(Map.of("DB_MAX_OPEN_CONNS", "15"),
                "DB_MAX_OPEN_CONNS=7;DB_POOL_URLS=jdbc:postgresql:,jdbc:h2:;");
        assertEquals(7, settings.maxOpen());
        assertEquals(7, settings.maxIdle());
        assertEquals(List.of("jdbc:postgresql:", "jdbc:h2:"), settings.urlPrefixes());
        assertTrue(settings.problems().isEmpty(), settings.problems()::toString);
    }

    /** Every bad value gets exactly this line, and every setting keeps its default. */
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "DB_MAX_OPEN_CONNS | abc | DB_MAX_OPEN_CONNS=\"abc\" is not valid: expected a whole number from 1 to 10000, like 25, or auto for a share of the server (Go's 0 = unlimited cannot be pooled); using the default 25",
            "DB_MAX_OPEN_CONNS | 0 | DB_MAX_OPEN_CONNS=\"0\" is not valid: expected a whole number from 1 to 10000, like 25, or auto for a share of the server (Go's 0 = unlimited cannot be pooled); using the default 25",
            "DB_MAX_OPEN_CONNS | -3 | DB_MAX_OPEN_CONNS=\"-3\" is not valid: expected a whole number from 1 to 10000, like 25, or auto for a share of the server (Go's 0 = unlimited cannot be pooled); using the default 25",
            "DB_MAX_OPEN_CONNS | 1000000 | DB_MAX_OPEN_CONNS=\"1000000\" is not valid: expected a whole number from 1 to 10000, like 25, or auto for a share of the server (Go's 0 = unlimited cannot be pooled); using the default 25",
            "DB_MAX_OPEN_CONNS | 2.5 | DB_MAX_OPEN_CONNS=\"2.5\" is not valid: expected a whole number from 1 to 10000, like 25, or auto for a share of the server (Go's 0 = unlimited cannot be pooled); using the default 25",
            "DB_MAX_IDLE_CONNS | -1 | DB_MAX_IDLE_CONNS=\"-1\" is not valid: expected a whole number from 0 to DB_MAX_OPEN_CONNS (25); using the default 10",
            "DB_MAX_IDLE_CONNS | 26 | DB_MAX_IDLE_CONNS=\"26\" is not valid: expected a whole number from 0 to DB_MAX_OPEN_CONNS (25); using the default 10",
            "DB_CONN_MAX_LIFETIME | 5 minutes | DB_CONN_MAX_LIFETIME=\"5 minutes\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 30s to 24h (or 0 for no limit); using the default 5m",
            "DB_CONN_MAX_LIFETIME | 10s | DB_CONN_MAX_LIFETIME=\"10s\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 30s to 24h (or 0 for no limit); using the default 5m",
            "DB_CONN_MAX_LIFETIME | 300 | DB_CONN_MAX_LIFETIME=\"300\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 30s to 24h (or 0 for no limit); using the default 5m",
            "DB_CONN_MAX_LIFETIME | 0.1ns | DB_CONN_MAX_LIFETIME=\"0.1ns\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 30s to 24h (or 0 for no limit); using the default 5m",
            "DB_CONN_MAX_LIFETIME | 90.0001s | DB_CONN_MAX_LIFETIME=\"90.0001s\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 30s to 24h (or 0 for no limit); using the default 5m",
            "DB_CONN_MAX_LIFETIME | 25h | DB_CONN_MAX_LIFETIME=\"25h\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 30s to 24h (or 0 for no limit); using the default 5m",
            "DB_CONN_MAX_LIFETIME | -5m | DB_CONN_MAX_LIFETIME=\"-5m\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 30s to 24h (or 0 for no limit); using the default 5m",
            "DB_CONN_MAX_IDLE_TIME | 5s | DB_CONN_MAX_IDLE_TIME=\"5s\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 10s to 24h (or 0 for no limit); using the default 2m",
            "DB_CONN_MAX_IDLE_TIME | 1.5us | DB_CONN_MAX_IDLE_TIME=\"1.5us\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 10s to 24h (or 0 for no limit); using the default 2m",
            "DB_POOL_ACQUIRE_TIMEOUT | 100ms | DB_POOL_ACQUIRE_TIMEOUT=\"100ms\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 250ms to 10m; using the default 30s",
            "DB_POOL_ACQUIRE_TIMEOUT | 0 | DB_POOL_ACQUIRE_TIMEOUT=\"0\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 250ms to 10m; using the default 30s",
            "DB_POOL_ACQUIRE_TIMEOUT | 2000000h | DB_POOL_ACQUIRE_TIMEOUT=\"2000000h\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 250ms to 10m; using the default 30s",
            "DB_POOL_PGBOUNCER | yes | DB_POOL_PGBOUNCER=\"yes\" is not valid: expected auto, transaction, session or off; using the default auto",
            "DB_POOL_RESET_TIMEOUT | 10ms | DB_POOL_RESET_TIMEOUT=\"10ms\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 100ms to 1m; using the default 5s",
            "DB_POOL_RESET_TIMEOUT | 1h | DB_POOL_RESET_TIMEOUT=\"1h\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 100ms to 1m; using the default 5s",
            "DB_POOL_LOG_LEVEL | loud | DB_POOL_LOG_LEVEL=\"loud\" is not valid: expected error, warn, info, debug or off; using the default info",
            "DB_POOL_ENABLED | yes please | DB_POOL_ENABLED=\"yes please\" is not valid: expected true or false; using the default true",
            "DB_POOL_METRICS_AT_START | 1s | DB_POOL_METRICS_AT_START=\"1s\" is not valid: expected true or false; using the default false",
            "DB_POOL_URLS | postgresql | DB_POOL_URLS=\"postgresql\" is not valid: expected comma-separated JDBC URL prefixes, like jdbc:postgresql:; using the default jdbc:postgresql:",
            "DB_POOL_URLS | jdbc:postgresql:,mysql | DB_POOL_URLS=\"jdbc:postgresql:,mysql\" is not valid: expected comma-separated JDBC URL prefixes, like jdbc:postgresql:; using the default jdbc:postgresql:",
            "DB_POOL_CONNECT_RETRIES | -1 | DB_POOL_CONNECT_RETRIES=\"-1\" is not valid: expected a whole number from 0 to 100, like 5 (0 = fail at once); using the default 5",
            "DB_POOL_CONNECT_RETRIES | five | DB_POOL_CONNECT_RETRIES=\"five\" is not valid: expected a whole number from 0 to 100, like 5 (0 = fail at once); using the default 5",
            "DB_POOL_CONNECT_RETRIES | 2147483647 | DB_POOL_CONNECT_RETRIES=\"2147483647\" is not valid: expected a whole number from 0 to 100, like 5 (0 = fail at once); using the default 5",
            "DB_POOL_CONNECT_BACKOFF | 1 second | DB_POOL_CONNECT_BACKOFF=\"1 second\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 10ms to 10m; using the default 1s",
            "DB_POOL_CONNECT_BACKOFF | 0 | DB_POOL_CONNECT_BACKOFF=\"0\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 10ms to 10m; using the default 1s",
            "DB_POOL_CONNECT_BACKOFF_MAX | 500ms | DB_POOL_CONNECT_BACKOFF_MAX=\"500ms\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 1s to 1h; using the default 16s",
            "DB_POOL_CONNECT_BACKOFF_MAX | 3h | DB_POOL_CONNECT_BACKOFF_MAX=\"3h\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 1s to 1h; using the default 16s",
            "DB_POOL_UNUSED_TIMEOUT | 500ms | DB_POOL_UNUSED_TIMEOUT=\"500ms\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 1s to 168h (or 0 to keep unused pools); using the default 10m",
            "DB_POOL_UNUSED_TIMEOUT | forever | DB_POOL_UNUSED_TIMEOUT=\"forever\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 1s to 168h (or 0 to keep unused pools); using the default 10m",
            "DB_POOL_LEAK_DETECTION | 100ms | DB_POOL_LEAK_DETECTION=\"100ms\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 1s to 5m (or off); using the default 0",
            "DB_POOL_LEAK_DETECTION | 10m | DB_POOL_LEAK_DETECTION=\"10m\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 1s to 5m (or off); using the default 0",
            "DB_POOL_METRICS_PORT | 70000 | DB_POOL_METRICS_PORT=\"70000\" is not valid: expected a TCP port from 0 (any free port) to 65535, or off; using the default 9433",
            "DB_POOL_METRICS_PORT | http | DB_POOL_METRICS_PORT=\"http\" is not valid: expected a TCP port from 0 (any free port) to 65535, or off; using the default 9433",
            "DB_POOL_LOG_FORMAT | xml | DB_POOL_LOG_FORMAT=\"xml\" is not valid: expected text or json; using the default text",
            "DB_POOL_STRICT | yes | DB_POOL_STRICT=\"yes\" is not valid: expected true or false; using the default false",
    })
    void eachBadValueGivesOneLineNamingItAndKeepsTheDefault(String key, String value, String line) {
        Settings settings = Settings.load(Map.of(key, value), null);
        assertEquals(List.of(line), settings.problems());
        assertEquals(Settings.defaults().describe(), settings.describe());
        assertEquals(Settings.defaults().urlPrefixes(), settings.urlPrefixes());
        assertEquals(Settings.defaults().leakDetection(), settings.leakDetection());
        assertEquals(Settings.defaults().unusedTimeout(), settings.unusedTimeout());
        assertEquals(Settings.defaults().resetTimeout(), settings.resetTimeout());
        assertEquals(Settings.defaults().metricsPort(), settings.metricsPort());
        assertEquals(Settings.defaults().metricsHost(), settings.metricsHost());
        assertEquals(Settings.defaults().pooler(), settings.pooler());
        assertEquals(Settings.defaults().metricsAtStart(), settings.metricsAtStart());
        assertEquals(Settings.defaults().logFormat(), settings.logFormat());
        assertEquals(Settings.defaults().strict(), settings.strict());
        assertEquals("", settings.origins(), "a refused value is not claimed as in effect");
    }

    /** The reset guards data: a value that is not a mode gets the strictest one, never the default or a weaker one. */
    @ParameterizedTest
    @ValueSource(strings = {"sometimes", "trackd", "none", "discard all", "0"})
    void aMisspeltResetModeFailsClosedToTheStrictestReset(String value) {
        Settings settings = Settings.load(Map.of("DB_POOL_RESET", value), null);
        assertEquals(ResetMode.DISCARD, settings.reset());
        assertEquals(List.of("DB_POOL_RESET=\"" + value + "\" is not valid: expected full, discard, tracked or off;"
                + " using the strictest, discard"), settings.problems());
        assertEquals("", settings.origins(), "a refused value is not claimed as in effect");
    }

    @Test
    void metricsCredentialsComeFromTheEnvironmentOrAFileAndAreNeverEchoed(@TempDir Path tmp) throws Exception {
        Settings plain = Settings.load(Map.of("DB_POOL_METRICS_USER", "prom", "DB_POOL_METRICS_PASSWORD", "s3cret"), null);
        assertEquals("prom", plain.metricsUser());
        assertEquals("s3cret", plain.metricsPassword());
        assertTrue(plain.problems().isEmpty());

        Path file = tmp.resolve("password");
        Files.writeString(file, "from-a-secret\n");
        Settings fromFile = Settings.load(Map.of("DB_POOL_METRICS_USER", "prom",
                "DB_POOL_METRICS_PASSWORD_FILE", file.toString()), null);
        assertEquals("from-a-secret", fromFile.metricsPassword());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "DB_POOL_METRICS_PASSWORD | s3cret | DB_POOL_METRICS_USER must name a user without ':' when a metrics password is set",
            "DB_POOL_METRICS_USER | prom | DB_POOL_METRICS_USER is set but the password is empty or missing (DB_POOL_METRICS_PASSWORD or DB_POOL_METRICS_PASSWORD_FILE)",
            "DB_POOL_METRICS_PASSWORD_FILE | /nonexistent/pw | DB_POOL_METRICS_PASSWORD_FILE=\"/nonexistent/pw\" is not a regular file of at most 4096 bytes",
            "DB_POOL_METRICS_PASSWORD_FILE | /dev/zero | DB_POOL_METRICS_PASSWORD_FILE=\"/dev/zero\" is not a regular file of at most 4096 bytes",
            "DB_POOL_METRICS_PASSWORD_FILE | /tmp | DB_POOL_METRICS_PASSWORD_FILE=\"/tmp\" is not a regular file of at most 4096 bytes",
    })
    void halfAnAuthConfigurationTurnsTheEndpointOffInsteadOfLeavingItOpen(String key, String value, String why) {
        Settings settings = Settings.load(Map.of(key, value), null);
        assertEquals(List.of(why + "; the metrics endpoint stays off rather than open to anyone"), settings.problems());
        assertEquals(-1, settings.metricsPort());
        assertFalse(settings.problems().get(0).contains("s3cret"));
    }

    /**
     * Hostile values of the settings that guard access or data: each gets one problem line that never repeats a
     * secret in it, and the safe side: the endpoint off, the strictest reset, or the default.
     */
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "DB_POOL_METRICS_HOST          | 0.0.0.0/0                         | endpoint off",
            "DB_POOL_METRICS_HOST          | '  '                              | endpoint off",
            "DB_POOL_METRICS_HOST          | [::1                              | endpoint off",
            "DB_POOL_METRICS_HOST          | 127.0.0.1;curl evil               | endpoint off",
            "DB_POOL_METRICS_HOST          | ::ffff:127.0.0.1%eth0             | endpoint off",
            "DB_POOL_METRICS_PASSWORD_FILE | /dev/zero                         | endpoint off",
            "DB_POOL_METRICS_PASSWORD_FILE | /tmp                              | endpoint off",
            "DB_POOL_CONFIG_FILE           | /dev/zero                         | endpoint off, reset discard",
            "DB_POOL_CONFIG_FILE           | /tmp                              | endpoint off, reset discard",
            "DB_POOL_RESET                 | off; DROP TABLE users             | reset discard",
            "DB_POOL_RESET                 | tracked,off                       | reset discard",
            "DB_POOL_RESET                 | nothing                           | reset discard",
            "DB_POOL_URLS                  | jdbc:postgresql://u:s3cret@h/db,x | default",
            "DB_POOL_URLS                  | x?password=s3cret;y               | default",
            "DB_MAX_OPEN_CONNS             | 99999999999999999999              | default",
            "DB_POOL_STRICT                | yes please                        | default",
    })
    void hostileValuesGetOneLineAndTheSafeSide(String key, String value, String outcome) {
        Settings settings = Settings.load(Map.of(key, value), null);
        String problems = String.join("\n", settings.problems());
        assertEquals(1, settings.problems().size(), problems);
        assertFalse(problems.contains("s3cret"), problems);
        assertEquals(outcome.contains("endpoint off") ? -1 : Settings.DEFAULT_METRICS_PORT, settings.metricsPort(),
                problems);
        assertEquals(outcome.contains("reset discard") ? ResetMode.DISCARD : ResetMode.FULL, settings.reset(), problems);
    }

    @Test
    void anAddressThatIsNoneTurnsTheEndpointOffInsteadOfListeningEverywhere() {
        for (String bad : List.of("0.0.0.0/0", "[::1", "[]", "host name", "127.0.0.1;rm")) {
            Settings settings = Settings.load(Map.of("DB_POOL_METRICS_HOST", bad), null);
            assertEquals(-1, settings.metricsPort(), bad);
            assertEquals(1, settings.problems().size(), settings.problems()::toString);
        }
        Settings bracketed = Settings.load(Map.of("DB_POOL_METRICS_HOST", "[::1]"), null);
        assertEquals("::1", bracketed.metricsHost());
        assertEquals(Settings.DEFAULT_METRICS_PORT, bracketed.metricsPort());
    }

    @Test
    void anUnreadableConfigFileLeavesTheEndpointOffAndTheResetStrictest() {
        Settings settings = Settings.load(Map.of("DB_POOL_CONFIG_FILE", "/nonexistent/pool-agent.properties",
                "DB_POOL_RESET", "off"), null);
        assertEquals(-1, settings.metricsPort());
        assertEquals(ResetMode.DISCARD, settings.reset());
        Settings strict = Settings.load(Map.of("DB_POOL_CONFIG_FILE", "/nonexistent/pool-agent.properties",
                "DB_POOL_STRICT", "true"), null);
        assertTrue(strict.strictFailure(), "strict mode turns the agent off");
    }

    @Test
    void aMetricsPasswordThatProcessListsShowIsRefusedAndTheEndpointStaysOff() {
        Properties properties = new Properties();
        properties.setProperty("db.pool.metrics.password", "s3cret");
        Settings fromProperty = Settings.load(Map.of("DB_POOL_METRICS_USER", "prom"), properties, null);
        Settings fromArgument = Settings.load(Map.of("DB_POOL_METRICS_USER", "prom"), "DB_POOL_METRICS_PASSWORD=s3cret");
        for (Settings settings : List.of(fromProperty, fromArgument)) {
            assertEquals(-1, settings.metricsPort());
            assertEquals(null, settings.metricsPassword());
            assertTrue(settings.problems().get(0).contains("set it in the environment or in DB_POOL_METRICS_PASSWORD_FILE"),
                    settings.problems()::toString);
            assertFalse(String.join("\n", settings.problems()).contains("s3cret"));
        }
    }

    @Test
    void retrySettingsComeFromTheEnvironmentAndTheCapNeverFallsBelowTheFirstDelay() {
        Settings small = Settings.load(Map.of("DB_POOL_CONNECT_RETRIES", "2", "DB_POOL_CONNECT_BACKOFF", "100ms",
                "DB_POOL_CONNECT_BACKOFF_MAX", "300ms"), null);
        assertEquals(2, small.connectRetries());
        assertEquals(Duration.ofMillis(100), small.connectBackoff());
        assertEquals(Duration.ofMillis(300), small.connectBackoffMax());
        assertTrue(small.problems().isEmpty(), small.problems()::toString);

        Settings slow = Settings.load(Map.of("DB_POOL_CONNECT_BACKOFF", "30s"), null);
        assertEquals(Duration.ofSeconds(30), slow.connectBackoffMax());
        assertEquals("0", String.valueOf(Settings.load(Map.of("DB_POOL_CONNECT_RETRIES", "0"), null).connectRetries()));
    }

    @Test
    void aBadValueDoesNotDisturbTheOtherSettings() {
        Settings settings = Settings.load(Map.of("DB_MAX_OPEN_CONNS", "abc", "DB_MAX_IDLE_CONNS", "3"), null);
        assertEquals(25, settings.maxOpen());
        assertEquals(3, settings.maxIdle());
        assertEquals(1, settings.problems().size());
    }

    @Test
    void idleDefaultIsClippedToASmallerMaxOpen() {
        Settings settings = Settings.load(Map.of("DB_MAX_OPEN_CONNS", "4"), null);
        assertEquals(4, settings.maxIdle());
        assertTrue(settings.problems().isEmpty());
        assertTrue(settings.warnings().isEmpty(), "no warning for an idle time the operator did not set");
    }

    @Test
    void anArgumentWithoutEqualsIsNotEchoedBecauseItMayBeTheTailOfAPassword() {
        Settings settings = Settings.load(Map.of(), "DB_POOL_METRICS_USER=prom;DB_POOL_METRICS_PASSWORD=abc;secret-tail");
        assertEquals(2, settings.problems().size(), settings.problems()::toString); // and: no password as an argument
        assertFalse(settings.problems().get(0).contains("secret-tail"), settings.problems().get(0));
    }

    @Test
    void unknownOrMalformedAgentArgumentsAreReportedAndIgnored() {
        Settings settings = Settings.load(Map.of(), "DB_MAX_OPEN_CON=5;DB_MAX_IDLE_CONNS");
        assertEquals(2, settings.problems().size(), settings.problems()::toString);
        assertTrue(settings.problems().get(0).contains("\"DB_MAX_OPEN_CON\""));
        assertTrue(settings.problems().get(1).contains("expected KEY=VALUE"));
        assertEquals(25, settings.maxOpen());
    }

    @Test
    void anIdleTimeThatCannotTakeEffectIsAWarningNotAnError() {
        Settings fixed = Settings.load(Map.of("DB_MAX_OPEN_CONNS", "5", "DB_MAX_IDLE_CONNS", "5",
                "DB_POOL_MIN_IDLE", "5", "DB_CONN_MAX_IDLE_TIME", "1m"), null);
        assertTrue(fixed.problems().isEmpty());
        assertEquals(1, fixed.warnings().size());
        assertTrue(fixed.warnings().get(0).contains("DB_CONN_MAX_IDLE_TIME has no effect"));

        Settings tooLong = Settings.load(Map.of("DB_CONN_MAX_IDLE_TIME", "10m", "DB_CONN_MAX_LIFETIME", "5m"), null);
        assertEquals(1, tooLong.warnings().size());
        assertTrue(tooLong.warnings().get(0).contains("not shorter than DB_CONN_MAX_LIFETIME"));
    }

    @Test
    void idleConnectionsFollowGoByDefaultAndAWarmFloorIsOptIn() {
        Settings defaults = Settings.load(Map.of(), null);
        assertEquals(10, defaults.maxIdle());
        assertEquals(0, defaults.minIdle());
        assertTrue(defaults.warnings().isEmpty());

        Settings floor = Settings.load(Map.of("DB_MAX_IDLE_CONNS", "4", "DB_POOL_MIN_IDLE", "2"), null);
        assertEquals(2, floor.minIdle());
        assertTrue(floor.describe().contains("MaxIdleTime=2m, MinIdle=2,"), floor.describe());
        // a ceiling of idle connections that equals the pool no longer makes the idle time ineffective
        Settings ceiling = Settings.load(Map.of("DB_MAX_OPEN_CONNS", "5", "DB_MAX_IDLE_CONNS", "5",
                "DB_CONN_MAX_IDLE_TIME", "1m"), null);
        assertTrue(ceiling.warnings().isEmpty(), ceiling.warnings().toString());
    }

    @Test
    void aFloorAboveTheIdleCeilingIsRefused() {
        Settings settings = Settings.load(Map.of("DB_MAX_IDLE_CONNS", "3", "DB_POOL_MIN_IDLE", "4"), null);
        assertEquals(List.of("DB_POOL_MIN_IDLE=\"4\" is not valid: expected a whole number from 0 to DB_MAX_IDLE_CONNS (3);"
                + " using the default 0"), settings.problems());
        assertEquals(0, settings.minIdle());
    }

    @Test
    void zeroMeansNoLimitForLifetimeAndIdleTime() {
        Settings settings = Settings.load(Map.of("DB_CONN_MAX_LIFETIME", "0", "DB_CONN_MAX_IDLE_TIME", "0"), null);
        assertEquals(Duration.ZERO, settings.maxLifetime());
        assertEquals(Duration.ZERO, settings.maxIdleTime());
        assertTrue(settings.problems().isEmpty());
    }

    @Test
    void poolsOnlyConfiguredUrlPrefixes() {
        Settings settings = Settings.defaults();
        assertTrue(settings.pools("jdbc:postgresql://db:5432/app"));
        assertFalse(settings.pools("jdbc:h2:mem:test"));
        assertFalse(settings.pools("jdbc:postgres://db/app"));
    }

    // ---- DB_MAX_OPEN_CONNS=auto ----

    @ParameterizedTest
    @CsvSource({"auto", "AUTO", "Auto", "' auto '"})
    void autoIsAcceptedInAnyCase(String value) {
        Settings settings = Settings.load(Map.of("DB_MAX_OPEN_CONNS", value), null);
        assertTrue(settings.problems().isEmpty(), settings.problems()::toString);
        assertTrue(settings.warnings().isEmpty(), settings.warnings()::toString);
        assertNotNull(settings.share());
        assertEquals(Settings.MAX_POOL_SIZE, settings.maxOpen(), "without a cap, the settings' own limit");
        assertEquals(10, settings.maxIdle());
    }

    @Test
    void shareSettingsExistOnlyForAuto() {
        assertNull(Settings.defaults().share());
        assertNull(Settings.load(Map.of("DB_MAX_OPEN_CONNS", "20"), null).share());
        assertNull(Settings.load(Map.of("DB_MAX_OPEN_CONNS", "automatic"), null).share());
        assertNotNull(Settings.load(Map.of("DB_MAX_OPEN_CONNS", "auto"), null).share());
    }

    @Test
    void autoReadsEveryShareSetting() {
        Settings settings = Settings.load(Map.of("DB_MAX_OPEN_CONNS", "auto", "DB_POOL_HEADROOM", "15%",
                "DB_POOL_SERVICE", "orders", "DB_POOL_SHARE_WEIGHT", "3", "DB_POOL_SHARE_PERIOD", "30s",
                "DB_POOL_MIN_OPEN", "2", "DB_POOL_MAX_OPEN_CAP", "40"), null);
        assertTrue(settings.problems().isEmpty(), settings.problems()::toString);
        ShareSettings share = settings.share();
        assertEquals(15, share.headroom(100));
        assertEquals("orders", share.service());
        assertEquals(3, share.weight());
        assertEquals(Duration.ofSeconds(30), share.period());
        assertEquals(2, share.minOpen());
        assertEquals(40, share.maxOpenCap());
        assertEquals(40, settings.maxOpen(), "the cap is the most the pool may ever reach");
        assertEquals(10, settings.maxIdle());
        assertTrue(settings.describe().startsWith("MaxOpen=auto (Headroom=15%, Service=orders, Weight=3, MinOpen=2,"
                + " MaxOpenCap=40, SharePeriod=30s), MaxIdle=10,"), settings.describe());
    }

    @Test
    void autoDefaultsAreAFloorOfOneNoCapAndACountEveryTenSeconds() {
        ShareSettings share = Settings.load(Map.of("DB_MAX_OPEN_CONNS", "auto"), null).share();
        assertEquals("app", share.service());
        assertEquals(1, share.weight());
        assertEquals(1, share.minOpen());
        assertEquals(0, share.maxOpenCap());
        assertEquals(Duration.ofSeconds(10), share.period());
        assertEquals("max(12, 10%)", share.describeHeadroom());
        assertEquals(12, share.headroom(100), "at least 12");
        assertEquals(50, share.headroom(500), "a tenth of a large budget");
    }

    @Test
    void aSmallCapBoundsTheIdleDefaultToo() {
        Settings settings = Settings.load(Map.of("DB_MAX_OPEN_CONNS", "auto", "DB_POOL_MAX_OPEN_CAP", "4"), null);
        assertEquals(4, settings.maxOpen());
        assertEquals(4, settings.maxIdle());
    }

    @Test
    void theHostNameGivesTheDefaultService() {
        Settings pod = Settings.load(Map.of("DB_MAX_OPEN_CONNS", "auto", "HOSTNAME", "auth-service-7d9f8b6c5d-x2k4q"),
                null);
        assertEquals("auth-service", pod.share().service());
        assertTrue(pod.warnings().isEmpty(), pod.warnings()::toString);

        Settings named = Settings.load(Map.of("DB_MAX_OPEN_CONNS", "auto", "HOSTNAME", "auth-service-7d9f8b6c5d-x2k4q",
                "DB_POOL_SERVICE", "auth"), null);
        assertEquals("auth", named.share().service(), "DB_POOL_SERVICE wins over the host name");
    }

    /** Every bad share setting gets exactly this line, and the share keeps its default for it. */
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "DB_POOL_HEADROOM | 95% | DB_POOL_HEADROOM=\"95%\" is not valid: expected a number of connections like 10, or a percentage of the server's budget from 0% to 90% like 15%; using the default max(12, 10%)",
            "DB_POOL_HEADROOM | x | DB_POOL_HEADROOM=\"x\" is not valid: expected a number of connections like 10, or a percentage of the server's budget from 0% to 90% like 15%; using the default max(12, 10%)",
            "DB_POOL_HEADROOM | -1 | DB_POOL_HEADROOM=\"-1\" is not valid: expected a number of connections like 10, or a percentage of the server's budget from 0% to 90% like 15%; using the default max(12, 10%)",
            "DB_POOL_HEADROOM | % | DB_POOL_HEADROOM=\"%\" is not valid: expected a number of connections like 10, or a percentage of the server's budget from 0% to 90% like 15%; using the default max(12, 10%)",
            "DB_POOL_HEADROOM | 10.5% | DB_POOL_HEADROOM=\"10.5%\" is not valid: expected a number of connections like 10, or a percentage of the server's budget from 0% to 90% like 15%; using the default max(12, 10%)",
            "DB_POOL_SHARE_WEIGHT | 0 | DB_POOL_SHARE_WEIGHT=\"0\" is not valid: expected a whole number from 1 to 100, like 2 for a service whose instances count twice; using the default 1",
            "DB_POOL_SHARE_WEIGHT | 101 | DB_POOL_SHARE_WEIGHT=\"101\" is not valid: expected a whole number from 1 to 100, like 2 for a service whose instances count twice; using the default 1",
            "DB_POOL_SHARE_WEIGHT | two | DB_POOL_SHARE_WEIGHT=\"two\" is not valid: expected a whole number from 1 to 100, like 2 for a service whose instances count twice; using the default 1",
            "DB_POOL_MIN_OPEN | 0 | DB_POOL_MIN_OPEN=\"0\" is not valid: expected a whole number from 1 to 10000; using the default 1",
            "DB_POOL_MAX_OPEN_CAP | -1 | DB_POOL_MAX_OPEN_CAP=\"-1\" is not valid: expected a whole number from 1 (DB_POOL_MIN_OPEN) to 10000, or 0 for none; using the default 0",
            "DB_POOL_SHARE_PERIOD | 500ms | DB_POOL_SHARE_PERIOD=\"500ms\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 1s to 10m; using the default 10s",
            "DB_POOL_SHARE_PERIOD | 0 | DB_POOL_SHARE_PERIOD=\"0\" is not valid: expected a Go duration like 90s, 5m or 1h30m, in whole milliseconds, from 1s to 10m; using the default 10s",
    })
    void eachBadShareValueGivesOneLineNamingItAndKeepsTheDefault(String key, String value, String line) {
        Settings settings = Settings.load(Map.of("DB_MAX_OPEN_CONNS", "auto", key, value), null);
        assertEquals(List.of(line), settings.problems());
        Settings defaults = Settings.load(Map.of("DB_MAX_OPEN_CONNS", "auto"), null);
        assertEquals(defaults.describe(), settings.describe());
        assertEquals(defaults.maxOpen(), settings.maxOpen());
        assertFalse(settings.origins().contains(key), "a refused value is not claimed as in effect: " + settings.origins());
    }

    @Test
    void aBadServiceNameIsRefusedAndTheHostNameUsedInstead() {
        Settings settings = Settings.load(Map.of("DB_MAX_OPEN_CONNS", "auto", "DB_POOL_SERVICE", "bad name!",
                "HOSTNAME", "orders-0"), null);
        assertEquals(List.of("DB_POOL_SERVICE=\"bad name!\" is not valid: expected 1 to 24 letters, digits, '.', '_'"
                + " or '-'; using the default from the host name"), settings.problems());
        assertEquals("orders", settings.share().service());
    }

    @Test
    void aCapBelowTheFloorIsRefused() {
        Settings settings = Settings.load(Map.of("DB_MAX_OPEN_CONNS", "auto", "DB_POOL_MIN_OPEN", "5",
                "DB_POOL_MAX_OPEN_CAP", "3"), null);
        assertEquals(List.of("DB_POOL_MAX_OPEN_CAP=\"3\" is not valid: expected at least DB_POOL_MIN_OPEN (5);"
                + " using the default none"), settings.problems());
        assertEquals(5, settings.share().minOpen());
        assertEquals(0, settings.share().maxOpenCap());
        assertEquals(Settings.MAX_POOL_SIZE, settings.maxOpen());

        Settings equal = Settings.load(Map.of("DB_MAX_OPEN_CONNS", "auto", "DB_POOL_MIN_OPEN", "5",
                "DB_POOL_MAX_OPEN_CAP", "5"), null);
        assertTrue(equal.problems().isEmpty(), equal.problems()::toString);
        assertEquals(5, equal.maxOpen());
    }

    @Test
    void shareSettingsWithAFixedPoolSizeAreAWarning() {
        Settings settings = Settings.load(Map.of("DB_MAX_OPEN_CONNS", "20", "DB_POOL_HEADROOM", "5",
                "DB_POOL_SHARE_WEIGHT", "not even a number"), null);
        assertTrue(settings.problems().isEmpty(), settings.problems()::toString);
        assertEquals(List.of("DB_POOL_HEADROOM has no effect unless DB_MAX_OPEN_CONNS=auto",
                "DB_POOL_SHARE_WEIGHT has no effect unless DB_MAX_OPEN_CONNS=auto"), settings.warnings());
        assertEquals(20, settings.maxOpen());
        assertNull(settings.share());

        Settings byDefault = Settings.load(Map.of("DB_POOL_MAX_OPEN_CAP", "50"), null);
        assertEquals(List.of("DB_POOL_MAX_OPEN_CAP has no effect unless DB_MAX_OPEN_CONNS=auto"), byDefault.warnings());
        assertEquals(25, byDefault.maxOpen());
    }
}
