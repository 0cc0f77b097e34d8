package io.poolagent.config;

import io.poolagent.log.AgentLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Agent arguments, system properties, a properties file and the environment, as the OpenTelemetry agent has them. */
class SettingSourcesTest {

    @TempDir
    Path tmp;

    @Test
    void aSystemPropertyIsTheKeyInLowerCaseWithDots() {
        assertEquals("db.max.open.conns", SettingSources.propertyName("DB_MAX_OPEN_CONNS"));
        assertEquals("db.pool.metrics.port", SettingSources.propertyName("DB_POOL_METRICS_PORT"));

        Settings settings = Settings.load(Map.of(), properties("db.max.open.conns", "10", "db.pool.metrics.port", "off",
                "DB_POOL_RESET", "off"), null);
        assertEquals(10, settings.maxOpen());
        assertEquals(-1, settings.metricsPort());
        assertEquals(ResetMode.FULL, settings.reset(), "only the dotted name is a system property");
        assertTrue(settings.problems().isEmpty(), settings.problems()::toString);
    }

    @Test
    void theArgumentWinsThenThePropertyThenTheFileThenTheEnvironment() throws IOException {
        Path file = file("DB_MAX_OPEN_CONNS=6\n");
        Map<String, String> env = new HashMap<>(Map.of("DB_MAX_OPEN_CONNS", "7", "DB_POOL_CONFIG_FILE", file.toString()));
        Properties properties = properties("db.max.open.conns", "5");

        Settings all = Settings.load(env, properties, "DB_MAX_OPEN_CONNS=4");
        assertEquals(4, all.maxOpen());
        assertTrue(all.origins().startsWith("DB_MAX_OPEN_CONNS=4 (agent argument)"), all.origins());

        Settings noArgument = Settings.load(env, properties, null);
        assertEquals(5, noArgument.maxOpen());
        assertTrue(noArgument.origins().startsWith("DB_MAX_OPEN_CONNS=5 (system property db.max.open.conns)"),
                noArgument.origins());

        Settings noProperty = Settings.load(env, new Properties(), null);
        assertEquals(6, noProperty.maxOpen());
        assertTrue(noProperty.origins().startsWith("DB_MAX_OPEN_CONNS=6 (file " + file + ")"), noProperty.origins());

        env.remove("DB_POOL_CONFIG_FILE");
        Settings environmentOnly = Settings.load(env, new Properties(), null);
        assertEquals(7, environmentOnly.maxOpen());
        assertEquals("DB_MAX_OPEN_CONNS=7 (environment)", environmentOnly.origins());
    }

    @Test
    void theFileTakesKeysWrittenEitherWay() throws IOException {
        Path file = file("# pool-agent\nDB_MAX_OPEN_CONNS = 10\ndb.pool.reset=discard\n");

        Settings settings = Settings.load(Map.of("DB_POOL_CONFIG_FILE", file.toString()), null);
        assertEquals(10, settings.maxOpen());
        assertEquals(ResetMode.DISCARD, settings.reset());
        assertTrue(settings.problems().isEmpty(), settings.problems()::toString);
        assertTrue(settings.warnings().isEmpty(), settings.warnings()::toString);
    }

    @Test
    void theFileIsNamedByAnySourceButItself() throws IOException {
        Path other = file("DB_MAX_OPEN_CONNS=9\n");
        Path file = file("DB_MAX_OPEN_CONNS=8\ndb.pool.config.file=" + other + "\n");

        Settings byProperty = Settings.load(Map.of(), properties("db.pool.config.file", file.toString()), null);
        assertEquals(8, byProperty.maxOpen());
        assertEquals(List.of("db.pool.config.file in " + file + " is ignored: name the file in the environment, a"
                + " system property or an agent argument"), byProperty.warnings());

        Settings byArgument = Settings.load(Map.of("DB_POOL_CONFIG_FILE", other.toString()), new Properties(),
                "DB_POOL_CONFIG_FILE=" + file);
        assertEquals(8, byArgument.maxOpen(), "the argument's file, not the environment's");
    }

    @Test
    void aMissingFileIsOneProblemNamingThePathAndTheOtherSourcesStillApply() {
        String missing = tmp.resolve("absent.properties").toString();
        Settings settings = Settings.load(Map.of("DB_POOL_CONFIG_FILE", missing, "DB_MAX_OPEN_CONNS", "7"),
                properties("db.pool.reset", "off"), null);

        assertEquals(List.of("DB_POOL_CONFIG_FILE=\"" + missing + "\" cannot be read (NoSuchFileException): expected"
                + " a readable properties file; using the other sources only, with the metrics endpoint off and"
                + " DB_POOL_RESET=discard, the strictest"), settings.problems());
        assertEquals(7, settings.maxOpen());
        // what the file may have held fails closed: the reset the strictest, whatever another source said
        assertEquals(ResetMode.DISCARD, settings.reset());
        assertEquals(-1, settings.metricsPort());
        assertEquals("DB_MAX_OPEN_CONNS=7 (environment)", settings.origins());
    }

    @Test
    void unknownKeysInTheFileAreWarnedAboutLikeUnknownEnvironmentNames() throws IOException {
        Path file = file("db.max.open.con=5\nDB_POOL_MAX_CONNS=3\nDB_MAX_IDLE_CONNS=2\n");

        Settings settings = Settings.load(Map.of("DB_POOL_CONFIG_FILE", file.toString()), null);
        assertEquals(2, settings.maxIdle());
        assertEquals(2, settings.warnings().size(), settings.warnings()::toString);
        for (String name : new String[] {"db.max.open.con", "DB_POOL_MAX_CONNS"}) {
            assertTrue(settings.warnings().contains(name + " in " + file + " is not read by pool-agent (misspelt?);"
                    + " its settings are " + Settings.KEYS), settings.warnings()::toString);
        }
    }

    @Test
    void aPasswordInAUrlPrefixIsMaskedInTheOrigins() {
        Settings settings = Settings.load(Map.of("DB_POOL_URLS",
                "jdbc:postgresql://app:s3cr3t@db1/,jdbc:postgresql://db2/?password=pw2"), null);

        assertEquals("DB_POOL_URLS=jdbc:postgresql://app:***@db1/,jdbc:postgresql://db2/?password=*** (environment)",
                settings.origins());
    }

    @Test
    void aSecretFileNamedByMistakeIsNeverRepeated() throws IOException {
        Path file = file("hunter2-secret\n");

        Settings settings = Settings.load(Map.of("DB_POOL_CONFIG_FILE", file.toString()), null);

        assertEquals(List.of(file + " has 1 line(s) that are no setting (not shown: the file may hold a secret;"
                + " is it the right file?)"), settings.warnings());
        assertTrue(settings.problems().isEmpty(), settings.problems()::toString);
    }

    @Test
    void aDeviceOrAHugeFileIsNotRead() throws IOException {
        Path huge = file("DB_MAX_OPEN_CONNS=5\n" + "#".repeat((int) SettingSources.MAX_FILE_BYTES));

        for (String path : new String[] {"/dev/zero", huge.toString()}) {
            Settings settings = Settings.load(Map.of("DB_POOL_CONFIG_FILE", path, "DB_MAX_OPEN_CONNS", "7"), null);
            assertEquals(7, settings.maxOpen());
            assertEquals(List.of("DB_POOL_CONFIG_FILE=\"" + path + "\" is not a regular file of at most 64 KiB:"
                    + " expected a properties file; using the other sources only, with the metrics endpoint off and DB_POOL_RESET=discard, the strictest"), settings.problems());
        }
    }

    @Test
    void originsNameEachSourceInKeyOrderAndMaskThePassword() throws IOException {
        Path file = file("db.pool.reset=discard\n");
        Settings settings = Settings.load(
                Map.of("DB_CONN_MAX_LIFETIME", "1m", "DB_POOL_CONFIG_FILE", file.toString(),
                        "DB_POOL_METRICS_USER", "prom", "DB_POOL_METRICS_PASSWORD", "s3cret", "DB_POOL_LOG_LEVEL", " "),
                properties("db.pool.metrics.port", "9500"), "DB_MAX_OPEN_CONNS=10");

        assertEquals("DB_MAX_OPEN_CONNS=10 (agent argument), DB_CONN_MAX_LIFETIME=1m (environment),"
                + " DB_POOL_RESET=discard (file " + file + "), DB_POOL_METRICS_PORT=9500 (system property"
                + " db.pool.metrics.port), DB_POOL_METRICS_USER=prom (environment), DB_POOL_METRICS_PASSWORD=***"
                + " (environment), DB_POOL_CONFIG_FILE=" + file + " (environment)", settings.origins());
        assertTrue(settings.problems().isEmpty(), settings.problems()::toString);
    }

    @Test
    void aRefusedEndpointConfigurationIsNotClaimedAsInEffect() {
        Settings settings = Settings.load(Map.of("DB_POOL_METRICS_USER", "prom", "DB_POOL_METRICS_PORT", "9500"), null);

        assertEquals(-1, settings.metricsPort());
        assertEquals("", settings.origins());
    }

    @Test
    void strictModeDisablesTheAgentOnlyWhenASettingIsBad() throws IOException {
        assertFalse(Settings.load(Map.of("DB_POOL_STRICT", "true", "DB_MAX_OPEN_CONNS", "5"), null).strictFailure());
        assertTrue(Settings.load(Map.of("DB_POOL_STRICT", "true", "DB_MAX_OPEN_CONNS", "abc"), null).strictFailure());
        assertTrue(Settings.load(Map.of("DB_POOL_CONFIG_FILE", file("DB_POOL_STRICT=TRUE\n").toString()),
                "DB_POOL_RESET=sometimes").strictFailure(), "from any source");
        assertTrue(Settings.load(Map.of("DB_POOL_STRICT", "true", "DB_POOL_METRICS_USER", "prom"), null)
                .strictFailure(), "a refused endpoint is a bad setting too");

        Settings lenient = Settings.load(Map.of("DB_MAX_OPEN_CONNS", "abc"), null);
        assertFalse(lenient.strictFailure());
        assertEquals(25, lenient.maxOpen());
    }

    @Test
    void theLogFormatIsTextOrJson() {
        assertEquals(AgentLog.Format.JSON, Settings.load(Map.of("DB_POOL_LOG_FORMAT", "json"), null).logFormat());
        assertEquals(AgentLog.Format.JSON, Settings.load(Map.of(), properties("db.pool.log.format", "JSON"), null)
                .logFormat());
        assertEquals(AgentLog.Format.TEXT, Settings.load(Map.of("DB_POOL_LOG_FORMAT", "text"), null).logFormat());
    }

    private Path file(String text) throws IOException {
        return Files.writeString(Files.createTempFile(tmp, "pool-agent", ".properties"), text);
    }

    private static Properties properties(String... namesAndValues) {
        Properties properties = new Properties();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            properties.setProperty(namesAndValues[i], namesAndValues[i + 1]);
        }
        return properties;
    }
}
