package io.poolagent.pool;

import io.poolagent.bootstrap.bridge.Bridge;
import io.poolagent.config.JdbcUrls;
import io.poolagent.failover.PrimaryWatch;
import io.poolagent.log.AgentLog;
import io.poolagent.pgjdbc.DriverState;
import io.poolagent.retry.SqlStates;
import io.poolagent.session.ReturnPath;
import io.poolagent.session.TrackedConnection;
import io.poolagent.share.ShareKeeper;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * How a pool opens its physical connections: straight through the application's {@link Driver}, never
 * through {@code DriverManager.getConnection} or the DataSource the application called, so the agent's
 * own connects never re-enter its interception. The pass-through mark covers drivers that wrap another
 * driver and call DriverManager themselves, and HikariCP's connection-adder threads, where no
 * application thread-local is set. Each connection comes wrapped in a {@link TrackedConnection}, which
 * records what borrowers do to its session for the {@link ReturnPath}.
 */
final class DriverConnector implements DataSource {

    static final String APPLICATION_NAME = "ApplicationName";
    /** What pgjdbc sends when the application names nothing (its DriverInfo.DRIVER_NAME). */
    static final String PGJDBC_APPLICATION_NAME = "PostgreSQL JDBC Driver";

    private final Driver driver;
    private final PoolKey key;
    /** The URL connects go to: the key's, less an ApplicationName parameter when the share tags sessions. */
    private final String url;
    /** Null unless the pool is sized by its share of the server. */
    private final ShareKeeper share;
    private final Properties properties;
    private final ReturnPath returnPath;
    /** Null for other databases. */
    private final ServerCheck serverCheck;
    /** Null for other databases. */
    private final PrimaryWatch primary;
    private final long acquireTimeoutNanos;
    private volatile boolean closed;
    private final AtomicInteger openSessions = new AtomicInteger();
    private final AtomicInteger connecting = new AtomicInteger();
    /** The pool's first connection, opened by the start-up check and kept for HikariCP's first connect. */
    private final AtomicReference<Connection> parked = new AtomicReference<>();

    /**
     * @param serverCheck null for other databases, which get none of the PostgreSQL connection properties either
     * @param share       null unless DB_MAX_OPEN_CONNS=auto
     * @param primary     told of every new connection; null for other databases
     */
    DriverConnector(Driver driver, PoolKey key, ServerCheck serverCheck, ReturnPath returnPath, Duration acquireTimeout,
                    ShareKeeper share, PrimaryWatch primary) {
        this.driver = driver;
        this.key = key;
        this.share = share;
        this.properties = key.properties();
        this.returnPath = returnPath;
        this.serverCheck = serverCheck;
        this.primary = primary;
        this.acquireTimeoutNanos = acquireTimeout.toNanos();
        boolean postgres = serverCheck != null;
        if (postgres) {
            sendSessionDefaultsAtStartup(properties);
            boundLogin(properties, acquireTimeout);
        }
        this.url = share == null ? key.url() : tagSessions(key.url(), properties, share);
    }

    /**
     * The share's instances know each other by application_name (see InstanceTag), which must be a startup
     * parameter: the reset's RESET ALL returns a SET value to the startup one. pgjdbc lets a URL parameter win
     * over a property, so an ApplicationName in the URL moves into the properties, first in the tagged name.
     */
    private static String tagSessions(String url, Properties properties, ShareKeeper share) {
        String own = JdbcUrls.decodedParameter(url, APPLICATION_NAME);
        if (own == null) {
            own = properties.getProperty(APPLICATION_NAME, PGJDBC_APPLICATION_NAME);
        }
        properties.setProperty(APPLICATION_NAME, share.applicationName(own));
        return JdbcUrls.withoutParameter(url, APPLICATION_NAME);
    }

    /**
     * pgjdbc's connectTimeout covers only the TCP connect; without a loginTimeout a server that accepts the
     * connection and never answers holds the connect for ever: a caller waiting for the pool's first
     * connection, or HikariCP's one connection-adding thread. Bound it by DB_POOL_ACQUIRE_TIMEOUT, how long a
     * caller is willing to wait anyway, unless the application chose a value (URL parameters win over these
     * properties in pgjdbc).
     */
    private static void boundLogin(Properties properties, Duration acquireTimeout) {
        if (properties.getProperty("loginTimeout") == null) {
            long seconds = Math.max(1, (acquireTimeout.toMillis() + 999) / 1000);
            properties.setProperty("loginTimeout", String.valueOf(seconds));
        }
    }

    /**
     * pgjdbc sets application_name and extra_float_digits with a SET after connecting unless it may assume
     * a 9.0+ server, and {@code RESET ALL} (part of every reset) returns such values to the server's
     * defaults: the second borrower would lose the application name that monitoring shows. Assuming 9.0
     * (PostgreSQL 8.x is long out of support) makes them startup parameters, which {@code RESET ALL}
     * restores. An explicit value in the URL still wins, as pgjdbc reads URL parameters after these properties.
     */
    private static void sendSessionDefaultsAtStartup(Properties properties) {
        if (properties.getProperty("assumeMinServerVersion") == null) {
            properties.setProperty("assumeMinServerVersion", "9.0");
        }
    }

    /**
     * Keeps a connection the pool's start-up opened for the next {@link #getConnection()}: the first
     * caller's connect is not done twice (a throwaway check, then HikariCP's own).
     */
    void park(Connection connection) throws SQLException {
        Connection before = parked.getAndSet(connection);
        if (before != null) {
            before.close();
        }
    }

    /** A parked connection nobody took (the pool closes, the JVM exits) ends with a goodbye. */
    void closeParked() {
        Connection left = parked.getAndSet(null);
        if (left != null) {
            try {
                left.close();
            } catch (SQLException ignored) {
                // closing a session nobody will use; the server cleans up either way
            }
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection first = parked.getAndSet(null);
        if (first != null) {
            return first;
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        Bridge.enterPassThrough();
        connecting.incrementAndGet();
        try {
            // Drivers may load helper classes (SSL factories, socket factories) through the context loader.
            thread.setContextClassLoader(driver.getClass().getClassLoader());
            long[] began = {System.nanoTime()};
            Connection connection = primary == null ? connect() : connectThroughLoss(began);
            if (connection == null) {
                throw new SQLNonTransientConnectionException("driver " + driver.getClass().getName()
                        + " does not accept the URL " + JdbcUrls.mask(key.url()), "08001");
            }
            openSessions.incrementAndGet();
            if (serverCheck != null) {
                checkServer(connection);
            }
            if (closed) { // the pool closed while this connect ran: HikariCP would not take it
                openSessions.decrementAndGet();
                connection.close();
                throw new SQLTransientConnectionException("pool-agent: the pool was closed", "08003");
            }
            if (primary != null) {
                primary.connected(connection, began[0]);
            }
            return new TrackedConnection(connection, returnPath, openSessions::decrementAndGet);
        } finally {
            connecting.decrementAndGet(); // after openSessions went up: never a moment where neither counts it
            thread.setContextClassLoader(previous);
            Bridge.exitPassThrough();
        }
    }

    /**
     * While the pool has lost its primary, a connect that finds no server tries again soon (about 100 ms,
     * doubling to a second, with jitter so that the replicas of a service spread out) for as long as a caller
     * waits anyway (DB_POOL_ACQUIRE_TIMEOUT), instead of failing back to HikariCP, whose own pause between
     * attempts grows to seconds: the first attempt after a standby's promotion comes within a second of it.
     * {@code began} gets the start of the attempt that succeeded.
     */
    private Connection connectThroughLoss(long[] began) throws SQLException {
        long deadline = began[0] + acquireTimeoutNanos;
        long pauseMillis = 100;
        while (true) {
            began[0] = System.nanoTime();
            try {
                return connect();
            } catch (SQLException e) {
                long pause = pauseMillis / 2 + ThreadLocalRandom.current().nextLong(pauseMillis / 2 + 1);
                boolean giveUp = closed || !primary.isLost() || !SqlStates.isServerLost(e)
                        || System.nanoTime() + pause * 1_000_000 > deadline;
                if (giveUp || !pause(pause)) {
                    throw e;
                }
            }
            pauseMillis = Math.min(1_000, pauseMillis * 2);
        }
    }

    /**
     * The primary watch's confirmation: a fresh connection to the URL, outside the pool, asked whether it takes
     * writes ({@code SHOW transaction_read_only}, which also answers through PgBouncer and before PostgreSQL 14).
     * The server it reached, "" when the driver cannot say; null when read-only. Throws when none answers.
     */
    String writableServer() throws SQLException {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        Bridge.enterPassThrough();
        thread.setContextClassLoader(driver.getClass().getClassLoader());
        try (Connection probe = driver.connect(url, properties)) {
            if (probe == null) {
                throw new SQLNonTransientConnectionException("the driver does not accept the URL", "08001");
            }
            try (Statement show = probe.createStatement()) {
                show.setQueryTimeout(5);
                try (ResultSet answer = show.executeQuery("SHOW transaction_read_only")) {
                    if (answer.next() && "on".equals(answer.getString(1))) {
                        return null;
                    }
                }
            }
            String host = DriverState.host(probe);
            return host == null ? "" : host;
        } finally {
            thread.setContextClassLoader(previous);
            Bridge.exitPassThrough();
        }
    }

    /** The pool closes: a connect still trying gives up, one that succeeds closes its connection. */
    void close() {
        closed = true;
        closeParked();
    }

    /** False when interrupted (HikariCP shutting its connection adder down): the flag stays set. */
    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Tells the share keeper of new sessions and of a full server; nothing it does may fail the connect. */
    private Connection connect() throws SQLException {
        if (share == null) {
            return driver.connect(url, properties);
        }
        Connection connection;
        try {
            connection = driver.connect(url, properties);
        } catch (SQLException e) {
            if (SqlStates.TOO_MANY_CONNECTIONS.equals(e.getSQLState())) {
                tell(share::serverFull);
            }
            throw e;
        }
        if (connection != null) {
            tell(share::connected);
        }
        return connection;
    }

    private static void tell(Runnable hook) {
        try {
            hook.run();
        } catch (RuntimeException e) {
            AgentLog.debug("pool share: " + e);
        }
    }

    /** A connection the check leaves unusable (or that meets a bug in it) is closed here, not leaked. */
    private void checkServer(Connection connection) throws SQLException {
        try {
            serverCheck.onConnect(connection);
        } catch (SQLException | RuntimeException | Error e) {
            openSessions.decrementAndGet();
            try {
                connection.close();
            } catch (SQLException ignored) {
                // already gone
            }
            throw e;
        }
    }

    /** Physical connections opened and not yet closed. */
    int openSessions() {
        return openSessions.get();
    }

    /** Physical connects under way (HikariCP filling the pool, or a caller's first connection). */
    int connecting() {
        return connecting.get();
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("a pool-agent pool has fixed credentials");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // not used: the agent logs through its own logger
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // HikariCP passes its connectionTimeout here: the loginTimeout property set above is that already
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper for " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
