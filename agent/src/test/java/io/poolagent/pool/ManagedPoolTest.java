package io.poolagent.pool;

import io.poolagent.config.Settings;
import io.poolagent.metrics.AgentMetrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One pool against a {@link StubDriver}: what it opens, lends, counts and closes. */
class ManagedPoolTest {

    private static ScheduledThreadPoolExecutor timer;

    private final StubDriver driver = new StubDriver().password("alice", "s3cret");
    private final List<ManagedPool> pools = new ArrayList<>();
    private final List<ManagedPool> started = new ArrayList<>();

    @BeforeAll
    static void startTimer() {
        timer = new ScheduledThreadPoolExecutor(1);
    }

    @AfterAll
    static void stopTimer() {
        timer.shutdownNow();
    }

    @AfterEach
    void retirePools() {
        pools.forEach(ManagedPool::retire);
    }

    /** Settings for tests: no endpoint, retries 10 ms apart; {@code env} adds or overrides. */
    static Settings settings(String... env) {
        Map<String, String> values = new HashMap<>(Map.of(Settings.URLS, "jdbc:stub:", Settings.METRICS_PORT, "off",
                Settings.CONNECT_RETRIES, "2", Settings.CONNECT_BACKOFF, "10ms", Settings.CONNECT_BACKOFF_MAX, "10ms"));
        for (int i = 0; i < env.length; i += 2) {
            values.put(env[i], env[i + 1]);
        }
        Settings settings = Settings.load(values, null);
        assertEquals(List.of(), settings.problems());
        return settings;
    }

    private ManagedPool pool(String user, String password, String... env) {
        Settings settings = settings(env);
        PoolKey key = PoolKey.of(StubDriver.URL, user, password, getClass().getClassLoader());
        ManagedPool pool = new ManagedPool(key, user + "@test", driver, settings, new AgentMetrics(settings), timer,
                started::add);
        pools.add(pool);
        return pool;
    }

    @Test
    void opensNothingUntilTheFirstBorrowThenReusesItsConnection() throws SQLException {
        ManagedPool pool = pool("alice", "s3cret");
        assertFalse(pool.metrics().started());
        assertEquals(0, driver.connects());

        Connection first = pool.borrow();
        StubDriver.Session session = driver.sessionOf(first);
        assertEquals("alice", session.user);
        assertTrue(pool.metrics().started());
        assertEquals(List.of(pool), started, "the registry hears of the start once");
        assertEquals(1, driver.connects(), "the start-up check's connection is HikariCP's first, not a second one");
        assertEquals(1, pool.metrics().open());
        assertEquals(1, pool.metrics().inUse());
        first.close();
        assertEquals(0, pool.metrics().inUse());
        assertEquals(1, pool.metrics().idle());

        Connection again = pool.borrow();
        assertSame(session, driver.sessionOf(again));
        again.close();
        assertEquals(1, driver.connects());
        assertEquals(List.of(pool), started);
    }

    @Test
    void transientFailuresAreRetriedAndCounted() throws SQLException {
        ManagedPool pool = pool("alice", "s3cret");
        driver.failNext("08001", "57P03");

        pool.borrow().close();

        assertEquals(3, driver.connects());
        PoolMetrics metrics = pool.metrics();
        assertEquals(1, metrics.connectRetriesSucceeded(), "sequences that got through after retrying");
        assertEquals(1, metrics.connectRetriesFailed(), "retries that failed again");
        assertEquals(0, metrics.connectSequencesExhausted());
        assertEquals(0, metrics.connectPermanentFailures());
        assertNull(metrics.unreachable());
    }

    @Test
    void whenRetriesRunOutTheCallerGetsTheDriversErrorAndTheNextCallStartsAfresh() throws SQLException {
        ManagedPool pool = pool("alice", "s3cret");
        driver.failNext("08001", "08001", "08006");

        SQLException refused = assertThrows(SQLException.class, pool::borrow);

        assertEquals("08006", refused.getSQLState(), "the last attempt's SQLSTATE, intact");
        assertEquals(3, driver.connects(), "the first attempt and DB_POOL_CONNECT_RETRIES=2");
        assertEquals(1, pool.metrics().connectSequencesExhausted());
        assertFalse(pool.metrics().started(), "no broken pool is kept");
        assertTrue(pool.metrics().unreachable().contains("08006"), pool.metrics().unreachable());

        pool.borrow().close();
        assertEquals(4, driver.connects());
        assertTrue(pool.metrics().started());
        assertNull(pool.metrics().unreachable());
    }

    @Test
    void aWrongPasswordFailsAtOnceWithoutRetries() {
        ManagedPool pool = pool("alice", "wrong");

        SQLException refused = assertThrows(SQLException.class, pool::borrow);

        assertEquals("28P01", refused.getSQLState());
        assertEquals(1, driver.connects());
        assertEquals(1, pool.metrics().connectPermanentFailures());
        assertEquals(0, pool.metrics().connectRetriesFailed());
        assertFalse(pool.metrics().started());
        assertEquals(0, driver.sessions().size());
    }

    @Test
    void theProbeFindsADatabaseThatCameBackButNeverRetriesAPassword() throws SQLException {
        ManagedPool down = pool("alice", "s3cret");
        driver.failNext("08001", "08001", "08001");
        assertThrows(SQLException.class, down::borrow);
        assertNotNull(down.metrics().unreachable());

        down.probeIfUnreachable();
        assertNull(down.metrics().unreachable(), "one connect, and readiness sees the database again");
        assertEquals(4, driver.connects());
        assertEquals(0, driver.open(), "the probe's connection is closed");

        ManagedPool locked = pool("alice", "wrong");
        assertThrows(SQLException.class, locked::borrow);
        int before = driver.connects();
        locked.probeIfUnreachable();
        assertEquals(before, driver.connects(), "a wrong password is not tried again behind the caller's back");
        assertNotNull(locked.metrics().unreachable());
    }

    @Test
    void anExhaustedPoolOpensNoMoreThanItsSize() throws SQLException {
        ManagedPool pool = pool("alice", "s3cret", Settings.MAX_OPEN, "1", Settings.ACQUIRE_TIMEOUT, "250ms");
        try (Connection held = pool.borrow()) {
            assertThrows(SQLTransientConnectionException.class, pool::borrow);
            assertEquals(1, driver.connects());
            assertEquals(1, pool.metrics().open());
            assertNotNull(held);
        }
        pool.borrow().close();
        assertEquals(1, driver.connects());
    }

    @Test
    void retiringClosesEverySessionAndTurnsBorrowersAway() throws SQLException {
        ManagedPool pool = pool("alice", "s3cret");
        Connection a = pool.borrow();
        Connection b = pool.borrow();
        a.close();
        b.close();
        assertEquals(2, driver.open());

        pool.retire();

        assertEquals(0, driver.open());
        assertThrows(ManagedPool.Retired.class, pool::borrow);
        assertEquals(2, driver.connects(), "a retired pool opens nothing");
    }

    @Test
    void drainingClosesIdleSessionsAndTheLentOneWhenItComesBack() throws Exception {
        ManagedPool pool = pool("alice", "s3cret");
        Connection lent = pool.borrow();
        Connection idle = pool.borrow();
        idle.close();

        pool.drain();
        awaitOpen(1);
        assertFalse(driver.sessionOf(lent).closed, "a connection in use is not taken away");

        lent.close();
        awaitOpen(0);
    }

    @Test
    void theExitClosesIdleSessionsAndKeepsThePoolUsable() throws Exception {
        ManagedPool pool = pool("alice", "s3cret");
        Connection lent = pool.borrow();
        pool.borrow().close();

        pool.closeIdleForExit(System.currentTimeMillis() + 1000);

        assertEquals(1, driver.open(), "the idle session ended, the lent one is still the borrower's");
        lent.close();
        pool.borrow().close(); // shutdown code may still need the database
        assertEquals(3, driver.connects());
    }

    @Test
    void theMetricsReadTheSettingsInForce() throws SQLException {
        ManagedPool pool = pool("alice", "s3cret", Settings.MAX_OPEN, "7", Settings.MAX_IDLE, "3");
        PoolMetrics metrics = pool.metrics();
        assertEquals("alice@test", metrics.name());
        assertEquals(7, metrics.maxOpen());
        assertEquals(3, metrics.maxIdle());
        assertNull(metrics.share());
        assertEquals(7, metrics.settings().get(Settings.MAX_OPEN));
        assertEquals("off", metrics.settings().get(Settings.RESET), "no session reset: not PostgreSQL");
        assertFalse(metrics.settings().containsKey(Settings.PGBOUNCER));
        assertEquals(0, metrics.open());

        pool.borrow().close();
        assertEquals(1, metrics.open());
        assertEquals(1, metrics.idle());
        assertEquals(0, metrics.waiting());
        assertEquals(0, metrics.leaksDetected());
    }

    /** HikariCP closes evicted sessions on a thread of its own: wait for it (milliseconds). */
    private void awaitOpen(long expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5_000;
        while (driver.open() != expected && System.currentTimeMillis() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(expected, driver.open(), driver.sessions().toString());
    }
}
