package io.poolagent.failover;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

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
    private final AtomicInteger probes = new AtomicInteger();
    /** What a fresh connection finds: a host, null for read-only, or the SQLSTATE of its failure ("!08001"). */
    private final AtomicReference<String> fresh = new AtomicReference<>("db1:5432");
    private final PrimaryWatch watch = new PrimaryWatch("test", () -> {
        evictions.incrementAndGet();
        return 4;
    }, hostChanges::incrementAndGet, this::probe, Runnable::run, true);

    private String probe() throws SQLException {
        probes.incrementAndGet();
        String found = fresh.get();
        if (found != null && found.startsWith("!")) {
            throw new SQLException("no server", found.substring(1));
        }
        return found;
    }

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

    private void connect(Connection physical) {
        watch.connected(physical, System.nanoTime());
    }

    @Test
    void theFirstConnectionNamesTheHost() {
        connect(primary("db1:5432"));
        assertEquals("db1:5432", watch.host());
        assertEquals(1, hostChanges.get());
        assertEquals(0, watch.failovers());
    }

    @Test
    void aLostConnectionWhoseServerIsGoneTooEvictsThePoolOnce() {
        connect(primary("db1:5432"));
        fresh.set("!08001");
        watch.failed(new SQLException("gone", "08006"));
        watch.failed(new SQLException("gone too", "57P01"));
        assertEquals(1, evictions.get());
        assertEquals(1, probes.get(), "no confirmation while the incident is open");
        assertTrue(watch.isLost());
    }

    @Test
    void oneSessionsErrorWhileTheServerStillAnswersEvictsNothing() {
        connect(primary("db1:5432"));
        watch.failed(new SQLException("terminated by an administrator", "57P01"));
        watch.failed(new SQLException("socket timeout", "08006"));
        assertEquals(0, evictions.get());
        assertEquals(1, probes.get(), "at most one confirmation a second");
        assertFalse(watch.isLost());
    }

    @Test
    void aFullServerAnsweringTheConfirmationIsStillThere() {
        connect(primary("db1:5432"));
        fresh.set("!53300");
        watch.failed(new SQLException("gone", "08006"));
        assertEquals(0, evictions.get());
        assertFalse(watch.isLost());
    }

    @Test
    void anErrorOfTheQueryItselfIsNeverConfirmed() {
        connect(primary("db1:5432"));
        watch.failed(new SQLException("duplicate key", "23505"));
        watch.failed(new SQLException("no state"));
        assertEquals(0, probes.get());
    }

    @Test
    void aReadOnlyErrorIsConfirmedOnlyInAPoolThatWrites() {
        connect(server("replica:5432", "off", "on"));
        watch.failed(new SQLException("read-only transaction", "25006"));
        assertEquals(0, probes.get(), "a standby's pool: 25006 is the application's business");
    }

    @Test
    void aReadOnlyErrorOnAServerThatTurnedReadOnlyMovesThePool() {
        connect(primary("db1:5432"));
        fresh.set(null);
        watch.failed(new SQLException("read-only transaction", "25006"));
        assertEquals(1, evictions.get());
    }

    @Test
    void aConnectionToAnotherHostAfterTheLossIsAFailover() {
        connect(primary("db1:5432"));
        fresh.set("!08001");
        watch.failed(new SQLException("gone", "08006"));
        connect(primary("db2:5432"));
        assertEquals(1, watch.failovers());
        assertEquals("db2:5432", watch.host());
        assertEquals(2, hostChanges.get());
        assertFalse(watch.isLost());
    }

    @Test
    void aConnectBegunBeforeTheLossDoesNotEndIt() {
        connect(primary("db1:5432"));
        long before = System.nanoTime();
        fresh.set("!08001");
        watch.failed(new SQLException("gone", "08006"));
        watch.connected(primary("db1:5432"), before);
        assertTrue(watch.isLost());
    }

    @Test
    void theSameHostAnsweringAgainIsNoFailover() {
        connect(primary("db1:5432"));
        fresh.set("!57P03");
        watch.failed(new SQLException("restarting", "57P01"));
        connect(primary("db1:5432"));
        assertEquals(0, watch.failovers());
        assertEquals(1, hostChanges.get());
        assertFalse(watch.isLost());
    }

    @Test
    void aReadOnlyConnectDuringTheIncidentDoesNotEndItAndIsClosedAtReturn() {
        connect(primary("db1:5432"));
        fresh.set("!08001");
        watch.failed(new SQLException("gone", "08006"));
        Connection standby = server("db1:5432", "on", "on");
        connect(standby); // the same name, not promoted yet
        assertTrue(watch.isLost());
        assertTrue(watch.checkReturned(standby));
        connect(primary("db2:5432"));
        assertEquals(1, watch.failovers());
    }

    @Test
    void aPrimaryThatTurnsReadOnlyMovesThePoolAndItsSessionsAreClosed() {
        connect(primary("db1:5432"));
        assertFalse(watch.checkReturned(primary("db1:5432")));
        assertTrue(watch.checkReturned(server("db1:5432", "on", "off")));
        assertTrue(watch.checkReturned(server("db1:5432", "on", "off")));
        assertEquals(1, evictions.get(), "one eviction per incident");
        connect(primary("db2:5432"));
        assertEquals(1, watch.failovers());
    }

    @Test
    void aConnectionLentBeforeTheMoveIsClosedWhenItComesBack() {
        Connection old = primary("db1:5432");
        connect(old);
        fresh.set("!08001");
        watch.failed(new SQLException("gone", "08006"));
        connect(primary("db2:5432"));
        fresh.set("db2:5432");
        assertTrue(watch.checkReturned(old));
        assertEquals(1, evictions.get(), "its return is no new incident");
    }

    @Test
    void aStandbyReachedOnPurposeIsNeverMovedForBeingReadOnly() {
        connect(server("replica:5432", "off", "on"));
        assertFalse(watch.checkReturned(server("replica:5432", "off", "on")));
        assertEquals(0, evictions.get());
    }

    @Test
    void withoutARestoringResetABorrowersReadOnlySettingIsNotTheServers() {
        PrimaryWatch tracked = new PrimaryWatch("tracked", () -> {
            evictions.incrementAndGet();
            return 1;
        }, () -> { }, this::probe, Runnable::run, false);
        tracked.connected(primary("db1:5432"), System.nanoTime());
        assertFalse(tracked.checkReturned(server("db1:5432", "on", "off")));
        assertTrue(tracked.checkReturned(server("db1:5432", "off", "on")), "in_hot_standby is always the server's");
        assertEquals(1, evictions.get());
    }

    @Test
    void aDriverThatCannotSayLeavesTheHostUnknown() {
        Connection plain = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> null);
        connect(plain);
        assertNull(watch.host());
        assertFalse(watch.checkReturned(plain));
    }
}
