package io.poolagent.pool;

import io.poolagent.bootstrap.bridge.Bridge;
import io.poolagent.replica.LagWatch;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The lag watch's own session to one server, outside every pool (a sample must not wait behind the application,
 * nor take its connections): the primary's WAL insert position, or a standby's replay position. A standby must
 * say it is one, of the same system as the primary ({@code pg_control_system()}): another cluster's positions
 * say nothing about this one's. After a failure it connects again a second later at the soonest. Each probe is
 * used by one watch thread.
 */
final class LsnProbe implements LagWatch.Probe {

    private static final Executor DIRECT = Runnable::run;
    private static final long RECONNECT_NANOS = 1_000_000_000L;

    private final Driver driver;
    private final String url;
    private final Properties properties;
    private final int timeoutMillis;
    /** For a standby: the primary's system identifier, null until known; null supplier for the primary itself. */
    private final Supplier<String> primarySystem;
    private volatile Connection session;
    private volatile String system;
    /** The server's WAL page and segment sizes, 0 until a session was made. */
    private volatile long blockSize;
    private volatile long segmentSize;
    private long nextConnect = Long.MIN_VALUE;
    private SQLException lastFailure;

    LsnProbe(Driver driver, String url, Properties properties, int timeoutMillis, Supplier<String> primarySystem) {
        this.driver = driver;
        this.url = url;
        this.properties = properties;
        this.timeoutMillis = timeoutMillis;
        this.primarySystem = primarySystem;
    }

    /** The server's system identifier, once a session to it was made; null before. */
    String system() {
        return system;
    }

    @Override
    public long lsn() throws SQLException {
        Connection connection = session();
        try (Statement statement = connection.createStatement();
             ResultSet answer = statement.executeQuery(primarySystem == null
                     ? "SELECT pg_catalog.pg_current_wal_insert_lsn()::text, NOT pg_catalog.pg_is_in_recovery()"
                     : "SELECT pg_catalog.pg_last_wal_replay_lsn()::text, pg_catalog.pg_is_in_recovery()")) {
            answer.next();
            String position = answer.getString(1);
            if (!answer.getBoolean(2) || position == null) {
                throw new SQLException(primarySystem == null ? "the primary's URL leads to a standby"
                        : "it is not a standby (not in recovery)");
            }
            long lsn = LagWatch.parseLsn(position);
            return primarySystem == null ? boundary(lsn) : lsn;
        } catch (SQLException e) {
            close();
            failed(e);
            throw e;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The next connect comes a second after the failure, not after the attempt began: a slow failure is slow. */
    private void failed(SQLException e) {
        lastFailure = e;
        nextConnect = System.nanoTime() + RECONNECT_NANOS;
    }

    private Connection session() throws SQLException {
        if (session != null) {
            return session;
        }
        long now = System.nanoTime();
        if (now < nextConnect && lastFailure != null) {
            throw lastFailure;
        }
        Bridge.enterPassThrough(); // the agent's own session: not one to pool
        try {
            Connection connection = driver.connect(url, properties);
            if (connection == null) {
                throw new SQLException("the driver does not take the URL");
            }
            connection.setNetworkTimeout(DIRECT, timeoutMillis);
            checkSystem(connection);
            session = connection;
            lastFailure = null;
            return connection;
        } catch (SQLException e) {
            failed(e);
            throw e;
        } finally {
            Bridge.exitPassThrough();
        }
    }

    /** A primary's insert position as a standby's replay position of the same point reads. */
    long boundary(long insert) {
        return LagWatch.recordBoundary(insert, blockSize, segmentSize);
    }

    private void checkSystem(Connection connection) throws SQLException {
        String found;
        try (Statement statement = connection.createStatement();
             ResultSet answer = statement.executeQuery("SELECT system_identifier::text,"
                     + " pg_catalog.current_setting('wal_block_size')::bigint,"
                     + " pg_catalog.pg_size_bytes(pg_catalog.current_setting('wal_segment_size'))"
                     + " FROM pg_catalog.pg_control_system()")) {
            answer.next();
            found = answer.getString(1);
            blockSize = answer.getLong(2);
            segmentSize = answer.getLong(3);
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        if (primarySystem != null && !found.equals(primarySystem.get())) {
            connection.close();
            throw new SQLException(primarySystem.get() == null ? "the primary's system is not known yet"
                    : "it is not a standby of the pool's primary (another system identifier)");
        }
        system = found;
    }

    void close() {
        Connection connection = session;
        session = null;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException | RuntimeException ignored) {
                // gone already
            }
        }
    }
}
