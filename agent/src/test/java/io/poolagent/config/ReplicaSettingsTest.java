package io.poolagent.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicaSettingsTest {

    private static Settings load(String... pairs) {
        Map<String, String> env = new java.util.HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return Settings.load(env, null);
    }

    @Test
    void replicasAreOffUnlessListed() {
        Settings settings = Settings.defaults();
        assertEquals(List.of(), settings.readReplicas());
        assertEquals(Duration.ofSeconds(1), settings.replicaMaxLag());
        assertEquals(settings.maxOpen(), settings.replicaMaxOpen());
    }

    @Test
    void aListOfHostsAndPortsIsRead() {
        Settings settings = load("DB_READ_REPLICAS", " replica-1:5432, 10.0.0.7:6432 ,[::1]:5433,replica-1:5432",
                "DB_READ_REPLICA_MAX_LAG", "250ms", "DB_MAX_OPEN_CONNS", "12");
        assertEquals(List.of("replica-1:5432", "10.0.0.7:6432", "[::1]:5433"), settings.readReplicas());
        assertEquals(Duration.ofMillis(250), settings.replicaMaxLag());
        assertEquals(12, settings.replicaMaxOpen(), "the primary's size by default");
        assertTrue(settings.problems().isEmpty(), settings.problems().toString());
    }

    @Test
    void aListThatCannotBeReadIsNoneWithOneLineNamingIt() {
        for (String bad : new String[] {"replica-1", "replica-1:0", "replica-1:65536", "replica-1:5432,", ":5432",
                "::1:5432", "[::1:5432", "replica 1:5432", "jdbc:postgresql://r:5432/db"}) {
            Settings settings = load("DB_READ_REPLICAS", bad);
            assertEquals(List.of(), settings.readReplicas(), bad);
            assertEquals(1, settings.problems().size(), bad);
            String line = settings.problems().get(0);
            assertTrue(line.startsWith("DB_READ_REPLICAS=\"" + bad + "\" is not valid: expected comma-separated"
                    + " host:port pairs"), line);
            assertTrue(line.endsWith("using the default none"), line);
        }
    }

    @Test
    void aValueThatMayHoldAPasswordIsNotRepeated() {
        Settings settings = load("DB_READ_REPLICAS", "app:s3cret@replica-1:5432");
        assertEquals(List.of(), settings.readReplicas());
        assertFalse(settings.problems().get(0).contains("s3cret"), settings.problems().get(0));
    }

    @Test
    void theLagBoundAndTheReplicaPoolSizeHaveRanges() {
        Settings settings = load("DB_READ_REPLICA_MAX_LAG", "5ms", "DB_READ_REPLICA_MAX_OPEN_CONNS", "0");
        assertEquals(Duration.ofSeconds(1), settings.replicaMaxLag());
        assertEquals(25, settings.replicaMaxOpen());
        assertEquals(2, settings.problems().size(), settings.problems().toString());
        assertTrue(settings.problems().get(0).startsWith("DB_READ_REPLICA_MAX_LAG=\"5ms\" is not valid"));
        assertTrue(settings.problems().get(1).startsWith("DB_READ_REPLICA_MAX_OPEN_CONNS=\"0\" is not valid"));
    }

    @Test
    void aReplicasPoolTakesItsOwnSizeAndNeitherWatchesAPrimaryNorRoutesReads() {
        Settings primary = load("DB_READ_REPLICAS", "r:5432", "DB_MAX_OPEN_CONNS", "20", "DB_MAX_IDLE_CONNS", "8",
                "DB_POOL_MIN_IDLE", "6", "DB_READ_REPLICA_MAX_OPEN_CONNS", "5");
        Settings replica = primary.forReplicas();
        assertEquals(5, replica.maxOpen());
        assertEquals(5, replica.maxIdle());
        assertEquals(5, replica.minIdle());
        assertTrue(replica.replicaPool());
        assertFalse(primary.replicaPool());
        assertEquals(List.of(), replica.readReplicas());
        assertEquals(primary.acquireTimeout(), replica.acquireTimeout());
        assertEquals(primary.reset(), replica.reset());
    }

    @Test
    void aUrlMovesToAnotherServerWithItsDatabaseAndParameters() {
        assertEquals("jdbc:postgresql://r:5433/app?ssl=true",
                JdbcUrls.withServer("jdbc:postgresql://p1:5432,p2:5432/app?ssl=true", "r:5433"));
        assertEquals("jdbc:postgresql://r:5433/app", JdbcUrls.withServer("jdbc:postgresql:app", "r:5433"));
        assertEquals("jdbc:postgresql://r:5433", JdbcUrls.withServer("jdbc:postgresql://p", "r:5433"));
    }
}
