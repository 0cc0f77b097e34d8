package io.poolagent.config;

import io.poolagent.log.AgentLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest {

    @Test
    void defaultsFollowTheSeeds() {
        Settings settings = Settings.defaults();
        assertEquals(25, settings.maxOpen());
        assertEquals(10, settings.maxIdle());
        assertEquals(Duration.ofMinutes(5), settings.maxLifetime());
        assertEquals(Duration.ofMinutes(2), settings.maxIdleTime());
        assertEquals(Duration.ofSeconds(30), settings.acquireTimeout());
        assertEquals(ResetMode.TRACKED, settings.reset());
        assertEquals(Duration.ofSeconds(5), settings.resetTimeout());
        assertEquals(AgentLog.Level.INFO, settings.logLevel());
        assertEquals(List.of("jdbc:postgresql:"), settings.urlPrefixes());
        assertTrue(settings.enabled());
        assertTrue(settings.problems().isEmpty());
        assertEquals(5, settings.connectRetries());
        assertEquals(Duration.ofSeconds(1), settings.connectBackoff());
        assertEquals(Duration.ofSeconds(16), settings.connectBackoffMax());
        assertEquals("MaxOpen=25, MaxIdle=10, MaxLifetime=5m, MaxIdleTime=2m, AcquireTimeout=30s, Reset=tracked,"
                + " ConnectRetries=5, Backoff=1s..16s", settings.describe());
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
    void agentArgumentsWinOverTheEnvironmentAndMayCarryAList() {
        Settings settings = Settings.load(Map.of("DB_MAX_OPEN_CONNS", "15"),
                "DB_MAX_OPEN_CONNS=7;DB_POOL_URLS=jdbc:postgresql:,jdbc:h2:;");
        assertEquals(7, settings.maxOpen());
        assertEquals(7, settings.maxIdle());
        assertEquals(List.of("jdbc:postgresql:", "jdbc:h2:"), settings.urlPrefixes());
        assertTrue(settings.problems().isEmpty(), settings.problems()::toString);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "DB_MAX_OPEN_CONNS     | abc        | a whole number >= 1",
            "DB_MAX_OPEN_CONNS     | 0          | Go's 0 = unlimited",
            "DB_MAX_OPEN_CONNS     | -3         | a whole number >= 1",
            "DB_MAX_IDLE_CONNS     | -1         | a whole number from 0 to DB_MAX_OPEN_CONNS (25)",
            "DB_MAX_IDLE_CONNS     | 26         | a whole number from 0 to DB_MAX_OPEN_CONNS (25)",
            "DB_CONN_MAX_LIFETIME  | 5 minutes  | a Go duration like 90s, 5m or 1h30m, at least 30s (or 0 for no limit)",
            "DB_CONN_MAX_LIFETIME  | 10s        | at least 30s",
            "DB_CONN_MAX_LIFETIME  | 300        | a Go duration",
            "DB_CONN_MAX_IDLE_TIME | 5s         | at least 10s",
            "DB_POOL_ACQUIRE_TIMEOUT | 100ms    | at least 250ms",
            "DB_POOL_ACQUIRE_TIMEOUT | 0        | at least 250ms",
            "DB_POOL_RESET         | sometimes  | tracked, discard or off",
            "DB_POOL_LOG_LEVEL     | loud       | error, warn, info, debug or off",
            "DB_POOL_ENABLED       | yes please | true or false",
            "DB_POOL_URLS          | postgresql | comma-separated JDBC URL prefixes",
            "DB_POOL_CONNECT_RETRIES | -1       | a whole number >= 0",
            "DB_POOL_CONNECT_RETRIES | five     | a whole number >= 0",
            "DB_POOL_CONNECT_BACKOFF | 1 second | a Go duration like 90s, 5m or 1h30m, at least 10ms",
            "DB_POOL_CONNECT_BACKOFF | 0        | at least 10ms",
            "DB_POOL_CONNECT_BACKOFF_MAX | 500ms | at least 1s",
    })
    void eachBadValueGivesOneLineNamingItAndKeepsTheDefault(String key, String value, String expected) {
        Settings settings = Settings.load(Map.of(key, value), null);
        assertEquals(1, settings.problems().size(), settings.problems()::toString);
        String line = settings.problems().get(0);
        assertTrue(line.startsWith(key + "=\"" + value + "\" is not valid: expected "), line);
        assertTrue(line.contains(expected), line);
        assertTrue(line.contains("; using the default "), line);
        assertEquals(Settings.defaults().describe(), settings.describe());
        assertEquals(Settings.defaults().urlPrefixes(), settings.urlPrefixes());
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
                "DB_CONN_MAX_IDLE_TIME", "1m"), null);
        assertTrue(fixed.problems().isEmpty());
        assertEquals(1, fixed.warnings().size());
        assertTrue(fixed.warnings().get(0).contains("DB_CONN_MAX_IDLE_TIME has no effect"));

        Settings tooLong = Settings.load(Map.of("DB_CONN_MAX_IDLE_TIME", "10m", "DB_CONN_MAX_LIFETIME", "5m"), null);
        assertEquals(1, tooLong.warnings().size());
        assertTrue(tooLong.warnings().get(0).contains("not shorter than DB_CONN_MAX_LIFETIME"));
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
}
