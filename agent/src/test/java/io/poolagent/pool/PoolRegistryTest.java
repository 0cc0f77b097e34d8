package io.poolagent.pool;

import io.poolagent.config.Settings;
import io.poolagent.metrics.AgentMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The registry against a {@link StubDriver}, the way the woven driver calls it: which credentials get which
 * pool, what is opened and closed, and that no caller ever gets a session logged in with other credentials.
 */
class PoolRegistryTest {

    private static final String URL = StubDriver.URL;

    private final StubDriver driver = new StubDriver().password("alice", "s3cret").password("bob", "hunter2");
    private final List<Thread> exitHooks = new CopyOnWriteArrayList<>();
    private final PoolRegistry registry = registry(ManagedPoolTest.settings());
    private final List<Connection> lent = new ArrayList<>();

    private PoolRegistry registry(Settings settings) {
        return new PoolRegistry(settings, new AgentMetrics(settings), exitHooks::add);
    }

    @AfterEach
    void closeEverything() throws SQLException {
        for (Connection connection : lent) {
            connection.close();
        }
        registry.driverDeregistered(driver); // every pool of the stub's class closes, nothing being lent
    }

    private static Properties credentials(String user, String password) {
        Properties info = new Properties();
        info.setProperty("user", user);
        info.setProperty("password", password);
        return info;
    }

    /** A connect through the driver itself, as a library holding the driver makes it; kept open until the end. */
    private Connection connect(String user, String password) throws SQLException {
        Connection connection = (Connection) registry.fromDriver(driver, URL, credentials(user, password), null);
        lent.add(connection);
        return connection;
    }

    private StubDriver.Session sessionOf(Connection connection) throws SQLException {
        return driver.sessionOf(connection);
    }

    @Test
    void oneKeyOnePoolItsSessionsReused() throws SQLException {
        Connection first = connect("alice", "s3cret");
        StubDriver.Session session = sessionOf(first);
        first.close();

        for (int i = 0; i < 20; i++) {
            try (Connection again = (Connection) registry.fromDriver(driver, URL, credentials("alice", "s3cret"), null)) {
                assertSame(session, sessionOf(again));
            }
        }
        assertEquals(1, driver.connects());
        assertEquals(1, driver.open());
    }

    @Test
    void eachUserAndPasswordGetsItsOwnSessions() throws SQLException {
        Connection alice = connect("alice", "s3cret");
        Connection bob = connect("bob", "hunter2");
        Connection alice2 = connect("alice", "s3cret");

        assertEquals("alice", sessionOf(alice).user);
        assertEquals("bob", sessionOf(bob).user);
        assertEquals("alice", sessionOf(alice2).user);
        assertNotSame(sessionOf(alice), sessionOf(alice2));
        assertEquals(3, driver.connects());
        for (StubDriver.Session session : driver.sessions()) {
            assertEquals(session.user.equals("alice") ? "s3cret" : "hunter2", session.password);
        }
    }

    @Test
    void aCallerWithOtherCredentialsNeverGetsAnothersSession() throws SQLException {
        connect("alice", "s3cret").close(); // alice's session waits idle in her pool

        Connection bob = connect("bob", "hunter2");
        assertEquals("bob", sessionOf(bob).user, "bob gets a session of his own, not alice's idle one");

        SQLException refused = assertThrows(SQLException.class,
                () -> registry.fromDriver(driver, URL, credentials("alice", "guessed"), null));
        assertEquals("28P01", refused.getSQLState(), "a wrong password reaches the database, and fails there");

        Properties more = credentials("alice", "s3cret");
        more.setProperty("readOnly", "true");
        Connection other = (Connection) registry.fromDriver(driver, URL, more, null);
        lent.add(other);
        assertNotSame(driver.sessions().get(0), sessionOf(other), "other properties, another pool");
        assertEquals(4, driver.connects());
    }

    @Test
    void theShortcutsServeOnlyTheCredentialsTheyWereLearntWith() throws SQLException {
        ClassLoader caller = new ClassLoader(getClass().getClassLoader()) { };
        Connection viaDriverManager = (Connection) registry.fromDriver(driver, URL, credentials("alice", "s3cret"), caller);
        StubDriver.Session alice = sessionOf(viaDriverManager);
        viaDriverManager.close();

        assertNull(registry.fromCallerRoute(URL, credentials("alice", "guessed"), caller));
        assertNull(registry.fromCallerRoute(URL, credentials("bob", "hunter2"), caller));
        assertNull(registry.fromCallerRoute(URL, credentials("alice", "s3cret"), getClass().getClassLoader()),
                "another caller's loader goes the full way (it may see another driver)");
        try (Connection routed = (Connection) registry.fromCallerRoute(URL, credentials("alice", "s3cret"), caller)) {
            assertSame(alice, sessionOf(routed));
        }

        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(caller);
        try {
            assertNull(registry.fromRunningPool(URL, "alice", "guessed"));
            assertNull(registry.fromRunningPool(URL, "bob", "hunter2"));
            try (Connection shortcut = (Connection) registry.fromRunningPool(URL, "alice", "s3cret")) {
                assertSame(alice, sessionOf(shortcut));
            }
            String equalPassword = new String("s3cret".toCharArray()); // equal, not the same object
            try (Connection shortcut = (Connection) registry.fromRunningPool(URL, "alice", equalPassword)) {
                assertSame(alice, sessionOf(shortcut));
            }
        } finally {
            thread.setContextClassLoader(before);
        }
        assertEquals(1, driver.connects());
    }

    @Test
    void aWrongPasswordKeepsNoPoolAndIsNotRetried() {
        for (int i = 1; i <= 3; i++) {
            SQLException refused = assertThrows(SQLException.class,
                    () -> registry.fromDriver(driver, URL, credentials("alice", "guessed"), null));
            assertEquals("28P01", refused.getSQLState());
            assertEquals(i, driver.connects(), "one connect per call: no retries, and each call asks again");
        }
        assertEquals(0, driver.sessions().size());
    }

    @Test
    void transientFailuresAreRetriedWithinOneCall() throws SQLException {
        driver.failNext("08001", "08001");
        assertEquals("alice", sessionOf(connect("alice", "s3cret")).user);
        assertEquals(3, driver.connects());

        driver.failNext("08001", "08001", "08001");
        SQLException down = assertThrows(SQLException.class, () -> connect("bob", "hunter2"));
        assertEquals("08001", down.getSQLState());
        assertEquals(6, driver.connects(), "three attempts, then the driver's own error");
    }

    @Test
    void urlsOutsideDbPoolUrlsAreLeftAlone() throws SQLException {
        assertNull(registry.fromDriver(driver, "jdbc:other://db/app", credentials("alice", "s3cret"), null));
        assertNull(registry.fromRunningPool("jdbc:other://db/app", "alice", "s3cret"));
        assertEquals(0, driver.connects());
        assertEquals(List.of(), exitHooks, "no pool, no background thread and no exit hook");
    }

    @Test
    void aRotatedPasswordsPoolClosesItsIdleSessions() throws Exception {
        connect("alice", "s3cret").close();
        StubDriver.Session old = driver.sessions().get(0);

        driver.password("alice", "rotated");
        Connection rotated = connect("alice", "rotated");

        assertEquals("rotated", sessionOf(rotated).password);
        awaitClosed(old);
    }

    @Test
    void aDeregisteredDriversPoolsCloseOnceTheirConnectionsAreBack() throws Exception {
        Connection held = connect("alice", "s3cret");
        connect("bob", "hunter2").close();
        StubDriver.Session alice = sessionOf(held);

        registry.driverDeregistered(driver);

        assertEquals(1, driver.open(), "bob's idle pool closed at once");
        assertFalse(alice.closed, "alice's transaction under way is not cut");
        held.close();
        awaitClosed(alice);

        try (Connection fresh = (Connection) registry.fromDriver(driver, URL, credentials("alice", "s3cret"), null)) {
            assertNotSame(alice, sessionOf(fresh), "a driver registered again gets a new pool");
        }
    }

    @Test
    void theExitHookEndsEveryIdleSessionAndLeavesLentOnesToTheirBorrowers() throws Exception {
        Connection held = connect("alice", "s3cret");
        connect("alice", "s3cret").close();
        connect("bob", "hunter2").close();
        assertEquals(3, driver.open());
        assertEquals(1, exitHooks.size());

        exitHooks.get(0).run(); // what the JVM runs at exit, here on this thread

        assertEquals(1, driver.open());
        assertFalse(sessionOf(held).closed);
        held.close();
        awaitClosed(driver.sessions().get(0));
    }

    @Test
    void threadsRacingTheFirstConnectsRegisterOneExitHook() throws Exception {
        int threads = 8;
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> racers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Properties info = credentials("alice", "s3cret");
            info.setProperty("ApplicationName", "racer-" + i); // a pool each
            Thread racer = new Thread(() -> {
                try {
                    start.await();
                    ((Connection) registry.fromDriver(driver, URL, info, null)).close();
                } catch (Throwable t) {
                    failures.add(t);
                }
            });
            racer.start();
            racers.add(racer);
        }
        for (Thread racer : racers) {
            racer.join();
        }
        assertEquals(List.of(), failures);
        assertEquals(threads, driver.open(), "a pool each");
        assertEquals(1, exitHooks.size());
    }

    @Test
    void noMoreThanMaxPoolsAreMade() throws SQLException {
        for (int i = 0; i < PoolRegistry.MAX_POOLS; i++) {
            Properties info = credentials("alice", "s3cret");
            info.setProperty("ApplicationName", "tool-" + i);
            ((Connection) registry.fromDriver(driver, URL, info, null)).close();
        }
        Properties beyond = credentials("alice", "s3cret");
        beyond.setProperty("ApplicationName", "one-too-many");

        assertNull(registry.fromDriver(driver, URL, beyond, null), "left to the driver, unpooled");
        assertEquals(PoolRegistry.MAX_POOLS, driver.connects());
        assertEquals(PoolRegistry.MAX_POOLS, driver.open());
    }

    private static void awaitClosed(StubDriver.Session session) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5_000;
        while (!session.closed && System.currentTimeMillis() < deadline) {
            Thread.sleep(1); // HikariCP closes sessions on a thread of its own
        }
        assertTrue(session.closed, session.toString());
    }
}
