package io.poolagent.pool;

import io.poolagent.config.JdbcUrls;
import io.poolagent.hikari.HikariInternals;
import io.poolagent.hikari.HikariSettings;
import io.poolagent.pgjdbc.ConnectionFacade;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.pool.HikariPool;
import io.poolagent.runtime.BuildInfo;
import io.poolagent.config.GoDuration;
import io.poolagent.config.ResetMode;
import io.poolagent.config.Settings;
import io.poolagent.log.AgentLog;
import io.poolagent.metrics.AgentMetrics;
import io.poolagent.hikari.CloseReasons;
import io.poolagent.metrics.PoolStats;
import io.poolagent.metrics.ShareStats;
import io.poolagent.retry.Backoff;
import io.poolagent.retry.ConnectRetrier;
import io.poolagent.retry.SqlStates;
import io.poolagent.session.IdleSessions;
import io.poolagent.session.ReturnPath;
import io.poolagent.session.TrackedConnection;
import io.poolagent.share.ShareKeeper;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * One HikariCP pool for one {@link PoolKey}: started on first use, closed by the registry when it is no
 * longer used.
 *
 * <p>Start-up opens one physical connection itself (with retries, see {@link ConnectRetrier}) before
 * building the HikariCP pool, so a caller whose password is wrong (at once) or whose database stays down
 * (after the retries) gets the driver's own {@link SQLException}, SQLSTATE intact, and no broken pool is
 * kept: the next call tries again. That connection is not thrown away: it becomes HikariCP's first.
 */
final class ManagedPool implements PoolStats {

    /** Thrown by {@link #borrow} on a pool the registry has just closed: ask the registry again. */
    static final class Retired extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Retired() {
            super(null, null, false, false);
        }
    }

    private static final Retired RETIRED = new Retired();

    private final PoolKey key;
    private final String name;
    private final Settings settings;
    private final DriverConnector connector;
    private final boolean postgres;
    /** Null for other databases. */
    private final ServerCheck serverCheck;
    private final ReturnPath returnPath;
    private final IdleSessions idle;
    private final ConnectRetrier retrier;
    private final BorrowWaits waits;
    private final LeakDetector leaks;
    private final AgentMetrics metrics;
    private final Consumer<ManagedPool> onStart;
    private final Class<?> driverClass;
    /** Sizes the pool with DB_MAX_OPEN_CONNS=auto; null for a fixed size, or once auto turned out impossible. */
    private volatile ShareKeeper share;
    /** The size when no {@link #share} sizes the pool. */
    private final int fixedSize;
    private final SingleFlight<HikariDataSource> firstConnect = new SingleFlight<>();
    /** Not the pool's own lock: setting up the meters takes a while, and a borrower must not wait for it. */
    private final Object metricsLock = new Object();
    /** Makes handles castable to the driver's PGConnection; null for other drivers. */
    private volatile ConnectionFacade facade;
    private volatile boolean facadeKnown;
    private volatile HikariDataSource dataSource;
    private volatile String unreachable;
    /** Whether the failure behind {@link #unreachable} may go away by itself (a server down, not a bad password). */
    private volatile boolean mayRecover;
    private volatile boolean connecting;
    private volatile boolean retired;
    /** When a caller last asked a pool that has not started; started pools count borrows in {@link #waits}. */
    private volatile long lastAskedMillis = System.currentTimeMillis();

    ManagedPool(PoolKey key, String name, Driver driver, Settings settings, AgentMetrics metrics,
                ScheduledExecutorService timer, Consumer<ManagedPool> onStart) {
        this.key = key;
        this.name = name;
        this.settings = settings;
        this.metrics = metrics;
        this.onStart = onStart;
        this.driverClass = driver.getClass();
        this.postgres = JdbcUrls.isPostgres(key.url());
        this.fixedSize = settings.share() == null ? settings.maxOpen() : settings.share().fallbackSize();
        this.share = settings.share() != null && postgres ? new ShareKeeper(settings.share(),
                (int) settings.resetTimeout().toMillis()) : null;
        if (settings.share() != null && !postgres) {
            AgentLog.warn("pool " + name + ": " + Settings.MAX_OPEN + "=auto needs PostgreSQL's pg_stat_activity;"
                    + " this pool keeps " + fixedSize + " connections");
        }
        this.idle = new IdleSessions(settings.maxIdle());
        this.returnPath = new ReturnPath(name, settings.effectiveReset(), postgres,
                (int) settings.resetTimeout().toMillis(), idle);
        this.serverCheck = postgres ? new ServerCheck(name, settings.pooler(), key.prepareThresholdChosen(),
                new ServerBudget(name, JdbcUrls.server(key.url()), share == null ? settings.maxOpen() : 0), returnPath)
                : null;
        this.connector = new DriverConnector(driver, key, serverCheck, returnPath, settings.acquireTimeout(), share);
        this.retrier = new ConnectRetrier(name, new Backoff(settings.connectRetries(), settings.connectBackoff(),
                settings.connectBackoffMax(), () -> ThreadLocalRandom.current().nextDouble()));
        this.leaks = settings.leakDetection().isZero() ? null : new LeakDetector(name, settings.leakDetection(), timer);
        this.waits = new BorrowWaits(this::maxOpen);
        if (postgres) {
            timer.execute(this::facade); // generated while the first caller connects, not after
        } else {
            facadeKnown = true;
        }
    }

    /**
     * Registers the pool's meters; called once the pool is built, never from the constructor, because the
     * endpoint's threads read the pool as soon as it is registered. Runs on the agent's thread, so it may
     * come after the pool started or even closed: never once retired, and {@link #retire} waits for it.
     */
    void publishMetrics() {
        long began = System.nanoTime();
        boolean published = false;
        synchronized (metricsLock) {
            if (!retired) {
                waits.forwardTo(register(metrics));
                published = true;
            }
        }
        try {
            if (published) {
                metrics.startNow(); // after every series of the pool exists: a first scrape sees them all
            }
        } catch (RuntimeException | LinkageError e) {
            AgentLog.warn("pool " + name + ": the metrics endpoint did not start: " + e);
        }
        AgentLog.debug("start-up: metrics of pool " + name + " published in " + (System.nanoTime() - began) / 1000
                + " us (the first pool's include Micrometer and the endpoint)");
    }

    /**
     * HikariCP's connection, as the application gets it (in a {@link ConnectionFacade} for pgjdbc). Its
     * physical connection is a {@link TrackedConnection}, told which handle it is lent as, so that the
     * return path can take it out of the pool when it must not be reused.
     */
    Connection borrow() throws SQLException {
        HikariDataSource pool = dataSource;
        if (pool == null) {
            pool = start();
        }
        Connection connection;
        try {
            connection = pool.getConnection();
        } catch (SQLException e) {
            if (retired) {
                throw RETIRED; // closed under this caller's feet: the registry asks again
            }
            throw e instanceof SQLTransientConnectionException ? unavailable(pool, (SQLTransientConnectionException) e) : e;
        }
        if (retired) {
            connection.close();
            throw RETIRED;
        }
        if (unreachable != null) {
            unreachable = null;
        }
        try {
            ConnectionFacade facade = facade();
            Connection held = facade == null ? connection : facade.wrap(connection);
            connection.unwrap(TrackedConnection.class).lentAs(connection, held, leaks == null ? null : leaks.watch());
            return held;
        } catch (Throwable t) { // the caller never gets the connection: give the slot back
            connection.close();
            throw t;
        }
    }

    /** The facade for this pool's pgjdbc; null when it has none (not PostgreSQL, or no PGConnection). */
    private ConnectionFacade facade() {
        if (!facadeKnown) {
            facade = ConnectionFacade.forDriver(driverClass.getClassLoader()); // computed once per driver
            facadeKnown = true;
        }
        return facade;
    }

    private HikariDataSource start() throws SQLException {
        if (retired) {
            throw RETIRED;
        }
        lastAskedMillis = System.currentTimeMillis();
        return firstConnect.run(() -> dataSource != null ? dataSource : startNow());
    }

    private HikariDataSource startNow() throws SQLException {
        long began = System.nanoTime();
        connecting = true;
        try {
            retrier.run(() -> {
                connector.park(connector.getConnection()); // HikariCP's first connect takes it
                return null;
            });
        } catch (SQLException e) {
            cannotReach(e);
            throw e;
        } finally {
            connecting = false;
        }
        long connected = System.nanoTime();
        if (share != null && serverCheck.pooler()) {
            noShareBehindPooler();
        }
        ShareKeeper sizing = share;
        int size = sizing == null ? fixedSize : sizing.initialSize();
        HikariDataSource pool = new HikariDataSource(HikariSettings.config(name, settings, size, connector, waits));
        returnPath.evictWith(pool::evictConnection);
        if (HikariInternals.available()) {
            returnPath.closeInsteadOfReturnWith(HikariInternals::closeOnReturn);
        }
        returnPath.waitingFrom(pool.getHikariPoolMXBean()::getThreadsAwaitingConnection);
        if (sizing != null) {
            returnPath.overShareFrom(sizing::claimSurplus);
        }
        waits.inUseFrom(pool.getHikariPoolMXBean()::getActiveConnections);
        synchronized (this) {
            if (retired) { // the registry gave up on this pool while it connected
                pool.close();
                connector.closeParked();
                throw RETIRED;
            }
            dataSource = pool;
        }
        if (sizing != null) {
            sizing.start(new Sizing(pool));
        }
        unreachable = null;
        String origins = settings.origins(); // so that an operator sees which source set what
        AgentLog.info("pool " + name + " ready: " + settings.describe() + (sizing == null ? "" : ", Share="
                + sizing.target() + " of " + sizing.budget() + " (" + sizing.instances() + " instance(s))") + (postgres
                ? ", Pooler=" + serverCheck.describe() : " (no session reset: not PostgreSQL)")
                + ", Version=" + BuildInfo.version() + (origins.isEmpty() ? "" : "; settings from: " + origins));
        AgentLog.debug("start-up: pool " + name + " started in " + (System.nanoTime() - began) / 1000
                + " us, of which its first connect " + (connected - began) / 1000 + " us");
        onStart.accept(this);
        return pool;
    }

    /** Behind PgBouncer the server's sessions are the pooler's, not this pool's: no share to take. */
    private void noShareBehindPooler() {
        share = null;
        AgentLog.warn("pool " + name + ": " + Settings.MAX_OPEN + "=auto cannot take a share through a connection"
                + " pooler, whose sessions to the server are its own; this pool keeps " + fixedSize + " connections ("
                + Settings.MAX_OPEN_CAP + " when set, else 10)");
    }

    /** What the share keeper sizes: this pool's HikariCP, borrowed from without counting as a borrow. */
    private final class Sizing implements ShareKeeper.Pool {
        private final HikariDataSource pool;

        Sizing(HikariDataSource pool) {
            this.pool = pool;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Connection borrowQuietly(long waitMillis) throws SQLException {
            BorrowWaits.agentBorrow();
            try {
                return ((HikariPool) pool.getHikariPoolMXBean()).getConnection(waitMillis);
            } catch (SQLTransientConnectionException timedOut) {
                return null;
            } finally {
                BorrowWaits.agentBorrowDone();
            }
        }

        @Override
        public void giveBack(Connection connection, boolean retire) {
            BorrowWaits.agentBorrow();
            try {
                if (retire) {
                    pool.evictConnection(connection);
                } else {
                    connection.close();
                }
            } catch (SQLException | RuntimeException e) {
                AgentLog.debug("pool " + name + ": returning the share's connection: " + e);
            } finally {
                BorrowWaits.agentBorrowDone();
            }
        }

        @Override
        public void resize(int maxOpen) {
            pool.getHikariConfigMXBean().setMinimumIdle(Math.min(settings.minIdle(), maxOpen));
            pool.getHikariConfigMXBean().setMaximumPoolSize(maxOpen);
        }

        @Override
        public int open() {
            return ManagedPool.this.open();
        }

        @Override
        public int idle() {
            return ManagedPool.this.idle();
        }

        @Override
        public long borrows() {
            return waits.borrows();
        }
    }

    private void cannotReach(SQLException e) {
        mayRecover = SqlStates.isTransient(e);
        unreachable = "SQLSTATE " + e.getSQLState() + ": "
                + AgentLog.collapseWhitespace(String.valueOf(e.getMessage()));
    }

    /** HikariCP's timeout says "request timed out"; say whether the pool is exhausted or the database failing. */
    private SQLException unavailable(HikariDataSource pool, SQLTransientConnectionException timeout) {
        HikariPoolMXBean stats = pool.getHikariPoolMXBean();
        int active = stats.getActiveConnections();
        int waiting = stats.getThreadsAwaitingConnection();
        String wait = GoDuration.format(settings.acquireTimeout());
        String message;
        int max = maxOpen();
        if (active >= max) {
            message = "pool-agent: pool " + name + " is exhausted: all " + max + " connections ("
                    + (share == null ? "DB_MAX_OPEN_CONNS" : "its share of the server, DB_MAX_OPEN_CONNS=auto")
                    + ") are in use and " + waiting + " more callers are waiting;"
                    + " none was returned within " + wait + " (DB_POOL_ACQUIRE_TIMEOUT)."
                    + (share == null ? " Return connections sooner or raise DB_MAX_OPEN_CONNS within the server's"
                    + " max_connections." : " Return connections sooner, or give the server more max_connections or"
                    + " this service more " + Settings.SHARE_WEIGHT + ".");
        } else {
            Throwable cause = timeout.getCause();
            if (cause instanceof SQLException) {
                cannotReach((SQLException) cause);
            } else {
                mayRecover = true;
                unreachable = "no connection could be opened within " + wait;
            }
            message = "pool-agent: pool " + name + " could not get a connection within " + wait
                    + " (DB_POOL_ACQUIRE_TIMEOUT): " + active + " of " + max + " in use, " + waiting
                    + " callers waiting; the database did not accept new connections"
                    + (cause == null ? "" : ": " + cause.getMessage());
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

    // ---- lifecycle, driven by the registry ----

    /** Borrows so far, or -1 while the pool has not started; the registry watches it change. */
    long borrows() {
        return dataSource == null ? -1 : waits.borrows();
    }

    /** True while the first connect runs: the pool is in use, whatever its borrow count says. */
    boolean connecting() {
        return connecting;
    }

    /**
     * A pool that cannot reach its database keeps readiness at 503; an unready pod gets no traffic, so no
     * borrow would ever find out that the database is back. The registry calls this now and then: one
     * connect, no retries, and never for a failure that cannot go away by itself (a wrong password: trying
     * it again and again can lock the account).
     */
    void probeIfUnreachable() {
        if (unreachable == null || !mayRecover || retired) {
            return;
        }
        try {
            connector.getConnection().close();
            unreachable = null;
        } catch (SQLException e) {
            cannotReach(e);
        }
    }

    long lastAskedMillis() {
        return lastAskedMillis;
    }

    PoolKey key() {
        return key;
    }

    /** Compared with a deregistered driver's class; the instance may differ (DriverManager's, a DataSource's). */
    Class<?> driverClass() {
        return driverClass;
    }

    /**
     * A pool for the same URL and user with another password has started (a rotated password): close the
     * idle connections now; connections in use close when they come back.
     */
    void drain() {
        ShareKeeper sizing = share;
        if (sizing != null) {
            sizing.stop(); // its counts would borrow, and its resizes refill, with the password rotated away
        }
        connector.closeParked();
        HikariDataSource pool = dataSource;
        if (pool != null) {
            pool.getHikariConfigMXBean().setMinimumIdle(0);
            pool.getHikariPoolMXBean().softEvictConnections();
        }
    }

    /** Closes the pool for good; its metrics go. A caller that still holds it gets {@link Retired}. */
    void retire() {
        ShareKeeper sizing = share;
        if (sizing != null) {
            sizing.stop();
        }
        HikariDataSource pool;
        synchronized (this) {
            retired = true;
            pool = dataSource;
        }
        if (pool != null) {
            pool.close();
        }
        connector.closeParked();
        synchronized (metricsLock) {
            metrics.poolClosed(this);
        }
    }

    /**
     * At JVM exit: end idle sessions with a proper goodbye, so the server logs no "unexpected EOF", and
     * keep the pool usable for shutdown code still running (connections in use close when returned).
     * HikariCP closes them on a thread of its own; this waits for that until {@code deadline} at most.
     * A connect under way when the exit began (HikariCP filling the pool) lands in the pool as an idle
     * session after the first eviction, so the eviction repeats while connects were under way (evicting an
     * entry twice is harmless).
     */
    void closeIdleForExit(long deadline) throws InterruptedException {
        drain();
        while ((connector.connecting() > 0 || connector.openSessions() > inUse())
                && System.currentTimeMillis() < deadline) {
            boolean connectUnderWay = connector.connecting() > 0;
            Thread.sleep(1); // HikariCP's closer thread takes well under a millisecond per idle session
            if (connectUnderWay) {
                drain();
            }
        }
    }

    // ---- PoolStats ----

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean started() {
        return dataSource != null;
    }

    @Override
    public String unreachable() {
        return unreachable;
    }

    /** DB_MAX_OPEN_CONNS, or with auto the pool's size now. */
    @Override
    public int maxOpen() {
        ShareKeeper sizing = share;
        return sizing == null ? fixedSize : sizing.target();
    }

    @Override
    public ShareStats share() {
        return share;
    }

    @Override
    public int maxIdle() {
        return settings.maxIdle();
    }

    @Override
    public int minIdle() {
        return settings.minIdle();
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
    public long closedMaxIdle() {
        return idle.closedOverMax();
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
    public long fullResets() {
        return returnPath.fullResets();
    }

    @Override
    public long targetedResets() {
        return returnPath.targetedResets();
    }

    @Override
    public long discardAllResets() {
        return returnPath.discardAllResets();
    }

    @Override
    public long sessionsClosedAtReturn() {
        return returnPath.closedSessions();
    }

    @Override
    public long leaksDetected() {
        return leaks == null ? 0 : leaks.detected();
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> values = new LinkedHashMap<>();
        ShareKeeper sizing = share;
        values.put(Settings.MAX_OPEN, settings.share() == null ? (Object) settings.maxOpen()
                : Settings.AUTO + (sizing == null ? " (no share: " + fixedSize + ")" : " (" + sizing.target() + ")"));
        values.put(Settings.MAX_IDLE, settings.maxIdle());
        values.put(Settings.MAX_LIFETIME, GoDuration.format(settings.maxLifetime()));
        values.put(Settings.MAX_IDLE_TIME, GoDuration.format(settings.maxIdleTime()));
        values.put(Settings.MIN_IDLE, settings.minIdle());
        values.put(Settings.ACQUIRE_TIMEOUT, GoDuration.format(settings.acquireTimeout()));
        values.put(Settings.RESET, postgres ? settings.effectiveReset().toString() : ResetMode.OFF.toString());
        if (postgres) {
            values.put(Settings.PGBOUNCER, serverCheck.describe());
        }
        values.put(Settings.CONNECT_RETRIES, settings.connectRetries());
        return values;
    }
}
