package io.poolagent.failover;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrimaryWatchTest {

    /** What the watch reads of a pgjdbc connection, by name, as DriverState finds it. */
    public interface PgLike extends Connection {
        Executor getQueryExecutor();

        String getParameterStatus(String name);
    }

    public interface Executor {
        Object getHostSpec();
    }

    private final AtomicInteger evictions = new AtomicInteger();
    private final AtomicInteger hostChanges = new AtomicInteger();
    private final PrimaryWatch watch = new PrimaryWatch("test", () -> {
        evictions.incrementAndGet();
        return 4;
    }, hostChanges::incrementAndGet);

    private static Connection server(String host, String readOnly, String standby) {
        Map<String, String> status = new HashMap<>();
        status.put("default_transaction_read_only", readOnly);
        status.put("in_hot_standby", standby);
        Executor executor = (Executor) Proxy.newProxyInstance(Executor.class.getClassLoader(),
                new Class<?>[] {Executor.class}, (proxy, method, args) -> host);
        return (Connection) Proxy.newProxyInstance(PgLike.class.getClassLoader(), new Class<?>[] {PgLike.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getQueryExecutor": return executor;
                        case "getParameterStatus": return status.get((String) args[0]);
                        default: throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    private static Connection primary(String host) {
        return server(host, "off", "off");
    }

    @Test
    void theFirstConnectionNamesTheHost() {
        watch.connected(primary("db1:5432"));
        assertEquals("db1:5432", watch.host());
        assertEquals(1, hostChanges.get());
        assertEquals(0, watch.failovers());
    }

    @Test
    void aLostConnectionEvictsThePoolOnceForTheWholeIncident() {
        watch.connected(primary("db1:5432"));
        watch.failed(new SQLException("gone", "08006"));
        watch.failed(new SQLException("gone too", "08006"));
        watch.failed(new SQLException("shutting down", "57P01"));
        assertEquals(1, evictions.get());
    }

    @Test
    void anErrorOfTheQueryItselfChangesNothing() {
        watch.connected(primary("db1:5432"));
        watch.failed(new SQLException("duplicate key", "23505"));
        watch.failed(new SQLException("read-only transaction", "25006"));
        watch.failed(new SQLException("no state"));
        assertEquals(0, evictions.get());
    }

    @Test
    void aConnectionToAnotherHostAfterTheLossIsAFailover() {
        watch.connected(primary("db1:5432"));
        watch.failed(new SQLException("gone", "08006"));
        watch.connected(primary("db2:5432"));
        assertEquals(1, watch.failovers());
        assertEquals("db2:5432", watch.host());
        assertEquals(2, hostChanges.get());
        watch.failed(new SQLException("gone again", "08006"));
        assertEquals(2, evictions.get(), "the next loss is a new incident");
    }

    @Test
    void theSameHostAnsweringAgainIsNoFailover() {
        watch.connected(primary("db1:5432"));
        watch.failed(new SQLException("restarting", "57P01"));
        watch.connected(primary("db1:5432"));
        assertEquals(0, watch.failovers());
        assertEquals(1, hostChanges.get());
    }

    @Test
    void aReadOnlyConnectDuringTheIncidentDoesNotEndIt() {
        watch.connected(primary("db1:5432"));
        watch.failed(new SQLException("gone", "08006"));
        watch.connected(server("db2:5432", "on", "on")); // the standby, not promoted yet
        watch.failed(new SQLException("still gone", "08001"));
        assertEquals(1, evictions.get());
        watch.connected(primary("db2:5432"));
        assertEquals(1, watch.failovers());
    }

    @Test
    void aPrimaryThatTurnsReadOnlyMovesThePool() {
        watch.connected(primary("db1:5432"));
        assertFalse(watch.checkReturned(primary("db1:5432")));
        assertTrue(watch.checkReturned(server("db1:5432", "on", "off")));
        assertFalse(watch.checkReturned(server("db1:5432", "on", "off")), "one eviction per incident");
        assertEquals(1, evictions.get());
        watch.connected(primary("db2:5432"));
        assertEquals(1, watch.failovers());
    }

    @Test
    void aStandbyReachedOnPurposeIsNeverMovedForBeingReadOnly() {
        watch.connected(server("replica:5432", "off", "on"));
        assertFalse(watch.checkReturned(server("replica:5432", "off", "on")));
        assertEquals(0, evictions.get());
    }

    @Test
    void aDriverThatCannotSayLeavesTheHostUnknown() {
        Connection plain = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> null);
        watch.connected(plain);
        assertNull(watch.host());
        assertFalse(watch.checkReturned(plain));
    }
}
