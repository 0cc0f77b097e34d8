package io.poolagent.pool;

import io.poolagent.config.PoolerMode;
import io.poolagent.config.ResetMode;
import io.poolagent.session.IdleSessions;
import io.poolagent.session.ReturnPath;
import io.poolagent.session.TrackedConnection;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.time.Duration;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a pool opens its physical connections, against a {@link StubDriver}. */
class DriverConnectorTest {

    private static final String POSTGRES = "jdbc:postgresql://db:5432/app";

    private final StubDriver driver = new StubDriver().password("alice", "s3cret");
    private final ReturnPath returnPath = new ReturnPath("test", ResetMode.OFF, false, 1000, new IdleSessions(10));

    private DriverConnector connector(String url, Properties info) {
        return new DriverConnector(driver, PoolKey.of(url, info, getClass().getClassLoader()), null, returnPath,
                Duration.ofSeconds(30), null, null);
    }

    /** As for PostgreSQL: a server check (told there is a pooler in session mode, so it asks the stub nothing). */
    private DriverConnector postgresConnector(Properties info, Duration acquireTimeout) {
        ServerCheck check = new ServerCheck("test", PoolerMode.SESSION, false, new ServerBudget("test", "db:5432", 10),
                returnPath);
        return new DriverConnector(driver, PoolKey.of(POSTGRES, info, getClass().getClassLoader()), check, returnPath,
                acquireTimeout, null, null);
    }

    private static Properties credentials() {
        Properties info = new Properties();
        info.setProperty("user", "alice");
        info.setProperty("password", "s3cret");
        return info;
    }

    @Test
    void eachConnectIsTheDriversOwnTrackedAndCounted() throws SQLException {
        DriverConnector connector = connector(StubDriver.URL, credentials());

        Connection connection = connector.getConnection();

        assertInstanceOf(TrackedConnection.class, connection);
        assertEquals(credentials(), driver.lastInfo, "the key's properties, nothing added for other databases");
        assertEquals(1, connector.openSessions());
        assertEquals(0, connector.connecting());
        connection.close();
        assertEquals(0, connector.openSessions());
        assertTrue(driver.sessions().get(0).closed);
    }

    @Test
    void postgresGetsABoundedLoginAndItsSessionDefaultsAtStartup() throws SQLException {
        postgresConnector(credentials(), Duration.ofMillis(2500)).getConnection().close();
        assertEquals("3", driver.lastInfo.getProperty("loginTimeout"), "DB_POOL_ACQUIRE_TIMEOUT, rounded up to seconds");
        assertEquals("9.0", driver.lastInfo.getProperty("assumeMinServerVersion"));

        Properties chosen = credentials();
        chosen.setProperty("loginTimeout", "1");
        chosen.setProperty("assumeMinServerVersion", "12");
        postgresConnector(chosen, Duration.ofSeconds(30)).getConnection().close();
        assertEquals("1", driver.lastInfo.getProperty("loginTimeout"), "the application's choice stands");
        assertEquals("12", driver.lastInfo.getProperty("assumeMinServerVersion"));
    }

    @Test
    void aDriverThatRefusesTheUrlFailsTheConnectForGood() {
        DriverConnector connector = connector("jdbc:other://db/app", credentials());

        SQLException refused = assertThrows(SQLNonTransientConnectionException.class, connector::getConnection);

        assertEquals("08001", refused.getSQLState());
        assertEquals(0, connector.openSessions());
        assertEquals(0, connector.connecting());
    }

    @Test
    void aFailedConnectLeavesNothingCounted() {
        DriverConnector connector = connector(StubDriver.URL, credentials());
        driver.failNext("08001");

        assertEquals("08001", assertThrows(SQLException.class, connector::getConnection).getSQLState());

        assertEquals(0, connector.openSessions());
        assertEquals(0, connector.connecting());
    }

    @Test
    void theParkedConnectionIsTheNextOneAndClosesIfNobodyTakesIt() throws SQLException {
        DriverConnector connector = connector(StubDriver.URL, credentials());
        Connection first = connector.getConnection();
        connector.park(first);

        assertSame(first, connector.getConnection(), "no second connect for HikariCP's first connection");
        assertEquals(1, driver.connects());

        Connection second = connector.getConnection();
        connector.park(first);
        connector.park(second);
        assertTrue(driver.sessions().get(0).closed, "a connection parked over another closes the other");
        connector.closeParked();
        assertTrue(driver.sessions().get(1).closed, "one nobody took closes with the pool");
        assertEquals(0, connector.openSessions());
    }

    @Test
    void connectsRunOnTheDriversContextLoaderAndRestoreTheCallers() throws SQLException {
        ClassLoader application = new ClassLoader(getClass().getClassLoader()) { };
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(application);
        try {
            connector(StubDriver.URL, credentials()).getConnection().close();
            assertSame(StubDriver.class.getClassLoader(), driver.lastContextLoader);
            assertSame(application, thread.getContextClassLoader());
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    @Test
    void aPoolHasFixedCredentials() {
        DriverConnector connector = connector(StubDriver.URL, credentials());
        assertThrows(SQLException.class, () -> connector.getConnection("bob", "hunter2"));
        assertEquals(0, driver.connects());
        assertNull(connector.getLogWriter());
        assertFalse(connector.isWrapperFor(Connection.class));
    }
}
