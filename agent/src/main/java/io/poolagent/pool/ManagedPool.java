package io.poolagent.pool;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import io.poolagent.config.GoDuration;
import io.poolagent.config.ResetMode;
import io.poolagent.config.Settings;
import io.poolagent.log.AgentLog;
import io.poolagent.metrics.AgentMetrics;
import io.poolagent.metrics.CloseReasons;
import io.poolagent.metrics.PoolStats;
import io.poolagent.retry.Backoff;
import io.poolagent.retry.ConnectRetrier;
import io.poolagent.session.ReturnPath;
import io.poolagent.session.TrackedConnection;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One HikariCP pool for one {@link PoolKey}, started on first use.
 *
 * <p>Start-up opens one physical connection itself (with retries, see {@link ConnectRetrier}) before
 * building the HikariCP pool, so a caller whose password is wrong (at once) or whose database stays down
 * (after the retries) gets the driver's own {@link SQLException}, SQLSTATE intact, and no broken pool is
 * kept: the next call tries again.
 */
final class ManagedPool implements PoolStats {

    private final PoolKey key;
    private final String name;
    private final Settings settings;
    private final DriverConnector connector;
    private final boolean postgres;
    private final ReturnPath returnPath;
    private final ConnectRetrier retrier;
    private final BorrowWaits waits;
    private volatile String startFailure;
    private final Object startLock = new Object();
    private volatile HikariDataSource dataSource;
    /** The first-connect sequence in flight, if any; guarded by startLock. */
    private CompletableFuture<HikariDataSource> starting;

    ManagedPool(PoolKey key, String name, Driver driver, Settings settings, AgentMetrics metrics) {
        this.key = key;
        this.name = name;
        this.settings = settings;
        this.postgres = JdbcUrls.isPostgres(key.url());
        this.returnPath = new ReturnPath(name, settings.reset(), postgres, (int) settings.resetTimeout().toMillis());
        this.connector = new DriverConnector(driver, key, postgres, returnPath);
        this.retrier = new ConnectRetrier(name, new Backoff(settings.connectRetries(), settings.connectBackoff(),
                settings.connectBackoffMax(), () -> ThreadLocalRandom.current().nextDouble()));
        this.waits = new BorrowWaits(register(metrics));
    }

    /**
     * HikariCP's connection, as the application gets it. Its physical connection is a
     * {@link TrackedConnection}, told which handle it is lent as, so that the return path can take it out
     * of the pool when it must not be reused.
     */
    Connection borrow() throws SQLException {
        HikariDataSource pool = dataSource;
        if (pool == null) {
            pool = start();
        }
        Connection connection;
        try {
            connection = pool.getConnection();
        } catch (SQLTransientConnectionException e) {
            throw unavailable(pool, e);
        }
        connection.unwrap(TrackedConnection.class).lentAs(connection);
        return connection;
    }

    /**
     * Starts the pool once, on first use. The first physical connect runs with retries; callers that
     * arrive while a sequence runs wait for it instead of starting their own, so the server sees one
     * attempt per back-off step from this pool. A failed sequence leaves nothing behind: the next call
     * starts afresh.
     */
    private HikariDataSource start() throws SQLException {
        CompletableFuture<HikariDataSource> sequence;
        boolean mine = false;
        synchronized (startLock) {
            if (dataSource != null) {
                return dataSource;
            }
            if (starting == null) {
                starting = new CompletableFuture<>();
                mine = true;
            }
            sequence = starting;
        }
        // The sequence runs outside the lock, so that callers arriving meanwhile can find it and wait.
        return mine ? startNow(sequence) : await(sequence);
    }

    private HikariDataSource startNow(CompletableFuture<HikariDataSource> sequence) throws SQLException {
        try {
            retrier.run(() -> {
                connector.getConnection().close();
                return null;
            });
            HikariDataSource pool = new HikariDataSource(HikariSettings.config(name, settings, connector, waits));
            returnPath.evictWith(pool::evictConnection);
            dataSource = pool;
            startFailure = null;
            AgentLog.info("pool " + name + " ready: " + settings.describe()
                    + (postgres ? "" : " (no session reset: not PostgreSQL)"));
            sequence.complete(pool);
            return pool;
        } catch (SQLException e) {
            startFailure = "SQLSTATE " + e.getSQLState() + ": " + String.valueOf(e.getMessage()).replaceAll("\\s+", " ");
            sequence.completeExceptionally(e);
            throw e;
        } catch (RuntimeException | Error e) {
            sequence.completeExceptionally(e);
            throw e;
        } finally {
            synchronized (startLock) {
                starting = null;
            }
        }
    }

    /** Waits for another thread's sequence; its failure reaches this caller too, SQLSTATE intact. */
    private static HikariDataSource await(CompletableFuture<HikariDataSource> sequence) throws SQLException {
        try {
            return sequence.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for the pool's first connection", "08001", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException) {
                SQLException original = (SQLException) cause;
                throw new SQLException(original.getMessage(), original.getSQLState(), original.getErrorCode(), original);
            }
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw (Error) cause;
        }
    }

    /** HikariCP's timeout says "request timed out"; say whether the pool is exhausted or the database failing. */
    private SQLException unavailable(HikariDataSource pool, SQLTransientConnectionException timeout) {
        HikariPoolMXBean stats = pool.getHikariPoolMXBean();
        int active = stats == null ? -1 : stats.getActiveConnections();
        int waiting = stats == null ? -1 : stats.getThreadsAwaitingConnection();
        String wait = GoDuration.format(settings.acquireTimeout());
        String message;
        if (active >= settings.maxOpen()) {
            message = "pool-agent: pool " + name + " is exhausted: all " + settings.maxOpen()
                    + " connections (DB_MAX_OPEN_CONNS) are in use and " + waiting + " more callers are waiting;"
                    + " none was returned within " + wait + " (DB_POOL_ACQUIRE_TIMEOUT)."
                    + " Return connections sooner or raise DB_MAX_OPEN_CONNS within the server's max_connections.";
        } else {
            message = "pool-agent: pool " + name + " could not get a connection within " + wait
                    + " (DB_POOL_ACQUIRE_TIMEOUT): " + active + " of " + settings.maxOpen() + " in use, " + waiting
                    + " callers waiting; the database did not accept new connections"
                    + (timeout.getCause() == null ? "" : ": " + timeout.getCause().getMessage());
        }
        return new SQLTransientConnectionException(message, timeout.getSQLState(), timeout);
    }

    /** Metrics must never cost the pool: if they cannot be set up, the pool runs without them. */
    private MetricsTrackerFactory register(AgentMetrics metrics) {
        try {
            return metrics.poolCreated(this);
        } catch (RuntimeException | LinkageError e) {
            AgentLog.warn("pool " + name + " has no metrics: " + e);
            return null;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean started() {
        return dataSource != null;
    }

    @Override
    public String startFailure() {
        return startFailure;
    }

    @Override
    public int maxOpen() {
        return settings.maxOpen();
    }

    @Override
    public int open() {
        HikariDataSource pool = dataSource;
        return pool == null ? 0 : pool.getHikariPoolMXBean().getTotalConnections();
    }

    @Override
    public int inUse() {
        HikariDataSource pool = dataSource;
        return pool == null ? 0 : pool.getHikariPoolMXBean().getActiveConnections();
    }

    @Override
    public int idle() {
        HikariDataSource pool = dataSource;
        return pool == null ? 0 : pool.getHikariPoolMXBean().getIdleConnections();
    }

    @Override
    public int waiting() {
        HikariDataSource pool = dataSource;
        return pool == null ? 0 : pool.getHikariPoolMXBean().getThreadsAwaitingConnection();
    }

    @Override
    public long waitCount() {
        return waits.count();
    }

    @Override
    public long waitNanos() {
        return waits.nanos();
    }

    @Override
    public long closedMaxIdleTime() {
        return CloseReasons.closedForIdleTime(name);
    }

    @Override
    public long closedMaxLifetime() {
        return CloseReasons.closedForLifetime(name);
    }

    @Override
    public long connectRetriesSucceeded() {
        return retrier.recovered();
    }

    @Override
    public long connectRetriesFailed() {
        return retrier.retries() - retrier.recovered();
    }

    @Override
    public long connectSequencesExhausted() {
        return retrier.exhausted();
    }

    @Override
    public long connectPermanentFailures() {
        return retrier.permanent();
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put(Settings.MAX_OPEN, settings.maxOpen());
        values.put(Settings.MAX_IDLE, settings.maxIdle());
        values.put(Settings.MAX_LIFETIME, GoDuration.format(settings.maxLifetime()));
        values.put(Settings.MAX_IDLE_TIME, GoDuration.format(settings.maxIdleTime()));
        values.put(Settings.ACQUIRE_TIMEOUT, GoDuration.format(settings.acquireTimeout()));
        values.put(Settings.RESET, postgres ? settings.reset().toString() : ResetMode.OFF.toString());
        values.put(Settings.CONNECT_RETRIES, settings.connectRetries());
        return values;
    }

    /** Closes the pool's connections; used when the agent gives up on this pool. */
    void shutdown() {
        HikariDataSource pool;
        synchronized (startLock) {
            pool = dataSource;
            dataSource = null;
        }
        if (pool != null) {
            pool.close();
        }
    }

    PoolKey key() {
        return key;
    }
}
