package io.poolagent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What /health and /pools say for given pool states; the HTTP side is tested against a child JVM in it/. */
class EndpointsTest {

    private final AgentMetrics metrics = new AgentMetrics("127.0.0.1", -1);
    private final Endpoints endpoints = new Endpoints(metrics);

    @Test
    void healthyWithoutPoolsAndWithAPoolThatHasRoom() {
        assertEquals(200, endpoints.handle("/health", "").status);
        metrics.poolCreated(new FakePool("app@db:5432/x", 10, 4, 0, null));
        Endpoints.Response health = endpoints.handle("/health", "");
        assertEquals(200, health.status);
        assertEquals("ok: 1 pool(s)\n", health.body);
    }

    @Test
    void unhealthyWhenSaturatedWithWaitersOrWhenThePoolCannotConnect() {
        metrics.poolCreated(new FakePool("full@db:5432/x", 10, 10, 3, null));
        metrics.poolCreated(new FakePool("down@db:5432/x", 10, 0, 0, "SQLSTATE 08001: Connection refused"));
        Endpoints.Response health = endpoints.handle("/health", "");
        assertEquals(503, health.status);
        assertTrue(health.body.contains("pool full@db:5432/x is saturated: 10 of 10 in use, 3 callers waiting"), health.body);
        assertTrue(health.body.contains("pool down@db:5432/x cannot connect: SQLSTATE 08001"), health.body);
    }

    @Test
    void poolsUsesGoStatsFieldNamesAndEscapesNames() {
        metrics.poolCreated(new FakePool("we\"ird@db:5432/x", 25, 7, 0, null));
        String json = endpoints.handle("/pools", "").body;
        assertTrue(json.startsWith("{\"pools\":[{\"Pool\":\"we\\\"ird@db:5432/x\",\"MaxOpenConnections\":25,"
                + "\"OpenConnections\":7,\"InUse\":7,\"Idle\":0,\"WaitCount\":2,\"WaitDuration\":1500000000,"), json);
        assertTrue(json.contains("\"Settings\":{\"DB_MAX_OPEN_CONNS\":25}"), json);
    }

    @Test
    void unknownPathsAreNotFoundAndQueryStringsAreIgnored() {
        assertEquals(404, endpoints.handle("/", "").status);
        assertEquals(404, endpoints.handle("/metrics/../etc", "").status);
        assertEquals(200, endpoints.handle("/health?verbose=1", "").status);
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
        @Override public String startFailure() { return failure; }
        @Override public int maxOpen() { return maxOpen; }
        @Override public int open() { return inUse; }
        @Override public int inUse() { return inUse; }
        @Override public int idle() { return 0; }
        @Override public int waiting() { return waiting; }
        @Override public long waitCount() { return 2; }
        @Override public long waitNanos() { return 1_500_000_000L; }
        @Override public long closedMaxIdleTime() { return 0; }
        @Override public long closedMaxLifetime() { return 0; }
        @Override public long connectRetriesSucceeded() { return 0; }
        @Override public long connectRetriesFailed() { return 0; }
        @Override public long connectSequencesExhausted() { return 0; }
        @Override public long connectPermanentFailures() { return 0; }

        @Override
        public Map<String, Object> settings() {
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("DB_MAX_OPEN_CONNS", maxOpen);
            return settings;
        }
    }
}
