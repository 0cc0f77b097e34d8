package io.poolagent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the probes and /pools say for given pool states; the HTTP side is tested against a child JVM in it/. */
class EndpointsTest {

    private final List<PoolStats> pools = new ArrayList<>();
    private final Endpoints endpoints = new Endpoints(pools);

    @Test
    void readyWithoutPoolsAndWithAPoolThatHasRoom() {
        assertEquals(200, endpoints.ready().status);
        pools.add(new FakePool("app@db:5432/x", 10, 4, 0, null));
        assertEquals("ready: 1 pool(s)\n", endpoints.ready().body);
    }

    @Test
    void aSaturatedPoolIsStillReadyBecauseLoadIsNotAFault() {
        pools.add(new FakePool("full@db:5432/x", 10, 10, 3, null));
        assertEquals(200, endpoints.ready().status);
        assertTrue(endpoints.pools().body.contains("\"Waiting\":3,\"Saturated\":true"), endpoints.pools().body);
    }

    @Test
    void notReadyOnlyWhileAPoolCannotReachItsDatabase() {
        pools.add(new FakePool("ok@db:5432/x", 10, 1, 0, null));
        pools.add(new FakePool("down@db:5432/x", 10, 0, 0, "SQLSTATE 08001: Connection refused"));
        Endpoints.Response ready = endpoints.ready();
        assertEquals(503, ready.status);
        // a probe needs no credentials: no user, host or server text, only which database
        assertEquals("not ready: the pool for database x cannot reach it (details on /pools)\n", ready.body);
        assertEquals(200, endpoints.live().status, "liveness never depends on the database");
    }

    @Test
    void poolsUsesGoStatsFieldNamesAndEscapesNames() {
        pools.add(new FakePool("we\"ird@db:5432/x", 25, 7, 0, null));
        String json = endpoints.pools().body;
        assertTrue(json.startsWith("{\"pools\":[{\"Pool\":\"we\\\"ird@db:5432/x\",\"MaxOpenConnections\":25,"
                + "\"OpenConnections\":7,\"InUse\":7,\"Idle\":0,\"WaitCount\":2,\"WaitDuration\":1500000000,"
                + "\"MaxIdleClosed\":8,"), json);
        assertTrue(json.contains("\"Settings\":{\"DB_MAX_OPEN_CONNS\":25}"), json);
        assertTrue(json.contains("\"Host\":\"db1:5432\",\"Failovers\":1,"), json);
    }

    private static final class FakePool implements PoolStats {
        private final String name;
        private final int maxOpen;
        private final int inUse;
        private final int waiting;
        private final String failure;

        FakePool(String name, int maxOpen, int inUse, int waiting, String failure) {
            this.name = name;
            this.maxOpen = maxOpen;
            this.inUse = inUse;
            this.waiting = waiting;
            this.failure = failure;
        }

        @Override public String name() { return name; }
        @Override public boolean started() { return failure == null; }
        @Override public String unreachable() { return failure; }
        @Override public int maxOpen() { return maxOpen; }
        @Override public String host() { return "db1:5432"; }
        @Override public long failovers() { return 1; }
        @Override public int maxIdle() { return maxOpen; }
        @Override public int minIdle() { return 0; }
        @Override public int open() { return inUse; }
        @Override public int inUse() { return inUse; }
        @Override public int idle() { return 0; }
        @Override public int waiting() { return waiting; }
        @Override public long waitCount() { return 2; }
        @Override public long waitNanos() { return 1_500_000_000L; }
        @Override public long closedMaxIdle() { return 8; }
        @Override public long closedMaxIdleTime() { return 0; }
        @Override public long closedMaxLifetime() { return 0; }
        @Override public long connectRetriesSucceeded() { return 0; }
        @Override public long connectRetriesFailed() { return 0; }
        @Override public long connectSequencesExhausted() { return 0; }
        @Override public long connectPermanentFailures() { return 0; }
        @Override public long fullResets() { return 0; }
        @Override public long targetedResets() { return 0; }
        @Override public long discardAllResets() { return 0; }
        @Override public long sessionsClosedAtReturn() { return 0; }
        @Override public long leaksDetected() { return 0; }

        @Override
        public Map<String, Object> settings() {
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("DB_MAX_OPEN_CONNS", maxOpen);
            return settings;
        }
    }
}
