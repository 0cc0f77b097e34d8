package io.poolagent.pool;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.poolagent.config.GoDuration;
import io.poolagent.config.JdbcUrls;
import io.poolagent.config.Settings;
import io.poolagent.failover.PrimaryWatch;
import io.poolagent.hikari.HikariInternals;
import io.poolagent.hikari.HikariSettings;
import io.poolagent.log.AgentLog;
import io.poolagent.metrics.AgentMetrics;
import io.poolagent.pgjdbc.ConnectionFacade;
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
 *
 * <p>Wires the pool's parts and runs its life. The metrics read it through {@link PoolMetrics}, its longer
 * texts are {@link PoolMessages}, an auto-sized pool's share keeper sizes it through {@link ShareSizing}, and
 * its primary watch is fitted by {@link PrimaryWatching}.
 *
 * <p>Somewhat over 400 lines: what is left is the pool's life itself (the single-flight start, borrow, drain,
 * retire, the close at exit) and the one-line hooks each part is given; every part with a job of its own is
 * its own class.
 */
final class ManagedPool {

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
    /** Null for other databases. */
    private final ServerCheck serverCheck;
    private final ReturnPath returnPath;
    private final ConnectRetrier retrier;
    private final BorrowWaits waits;
    private final LeakDetector leaks;
    private final PoolMetrics metrics;
    private final Consumer<ManagedPool> onStart;
    private final Class<?> driverClass;
    /** Where the pool's connections are, and its move when that server stops being the primary; null unless PostgreSQL. */
    private final PrimaryWatch primary;
    /** Read-only work on standbys (DB_READ_REPLICAS); null without them, for other drivers and for a standby's own pool. */
    private volatile ReadRouting routing;
    /** Sizes the pool with DB_MAX_OPEN_CONNS=auto; null for a fixed size, or once auto turned out impossible. */
    private volatile ShareKeeper share;
    /** The size when no {@link #share} sizes the pool. */
    private final int fixedSize;
    private final SingleFlight<HikariDataSource> firstConnect = new SingleFlight<>();
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
    /** The borrow count {@link #lastUsedMillis} last saw, and when it saw it change (the housekeeper's thread only). */
    private long borrowsSeen = -1;
    private long borrowsSeenMillis;

    ManagedPool(PoolKey key, String name, Driver driver, Settings settings, AgentMetrics metrics,
                ScheduledExecutorService timer, Consumer<ManagedPool> onStart) {
        this.key = key;
        this.name = name;
        this.settings = settings;
        this.onStart = onStart;
        this.driverClass = driver.getClass();
        boolean postgres = JdbcUrls.isPostgres(key.url());
        this.fixedSize = settings.share() == null ? settings.maxOpen() : settings.share().fallbackSize();
        this.share = settings.share() != null && postgres ? new ShareKeeper(settings.share(),
                (int) settings.resetTimeout().toMillis()) : null;
        if (settings.share() != null && !postgres) {
            AgentLog.warn(PoolMessages.autoNeedsPostgres(name, fixedSize));
        }
        IdleSessions idle = new IdleSessions(settings.maxIdle());
        this.returnPath = new ReturnPath(name, settings.effectiveReset(), postgres,
                (int) settings.resetTimeout().toMillis(), idle);
        this.serverCheck = postgres ? new ServerCheck(name, settings.pooler(), key.prepareThresholdChosen(),
                new ServerBudget(name, JdbcUrls.server(key.url()), share == null ? settings.maxOpen() : 0), returnPath)
                : null;
        this.primary = postgres ? PrimaryWatching.watchFor(key, name, settings, this::evictAll, this::hostChanged,
                this::writableServer) : null;
        this.connector = new DriverConnector(driver, key, serverCheck, returnPath, settings.acquireTimeout(), share,
                primary);
        this.retrier = new ConnectRetrier(name, new Backoff(settings.connectRetries(), settings.connectBackoff(),
                settings.connectBackoffMax(), () -> ThreadLocalRandom.current().nextDouble()));
        this.leaks = settings.leakDetection().isZero() ? null : new LeakDetector(name, settings.leakDetection(), timer);
        this.waits = new BorrowWaits(this::maxOpen);
        this.metrics = new PoolMetrics(this, settings, metrics, serverCheck, waits, idle, retrier, returnPath, leaks);
        if (postgres) {
            timer.execute(this::facade); // generated while the first caller connects, not after
        } else {
            facadeKnown = true;
        }
        if (postgres && !settings.readReplicas().isEmpty() && !settings.replicaPool()) {
            routeReads(driver, metrics, timer);
        }
    }

    /** Standbys need the facade: without the driver's PGConnection (not pgjdbc) reads stay on the primary. */
    private void routeReads(Driver driver, AgentMetrics agentMetrics, ScheduledExecutorService timer) {
        ConnectionFacade pgjdbc = ConnectionFacade.forDriver(driverClass.getClassLoader());
        if (pgjdbc == null) {
            AgentLog.warn("pool " + name + ": " + Settings.READ_REPLICAS + " is ignored: the driver is not pgjdbc");
            return;
        }
        routing = new ReadRouting(this, name, key, driver, settings, pgjdbc, agentMetrics, timer);
        metrics.routesReads(routing);
    }

    /**
     * HikariCP's connection, as the application gets it (in a {@link ConnectionFacade} for pgjdbc). Its
     * physical connection is a {@link TrackedConnection}, told which handle it is lent as, so that the
     * return path can take it out of the pool when it must not be reused.
     */
    Connection borrow() throws SQLException {
        Connection connection = take();
        ReadRouting reads = null;
        try {
            ConnectionFacade facade = facade();
            reads = facade == null ? null : routing;
            Connection held = reads != null ? reads.wrap(connection)
                    : facade == null ? connection : facade.wrap(connection);
            lend(connection, held);
            return held;
        } catch (Throwable t) { // the caller never gets the connection: give the slot back
            if (reads != null) {
                reads.closed();
            }
            connection.close();
            throw t;
        }
    }

    /**
     * Another session of this pool for a connection the application holds already (read routing: a standby's
     * session, or the primary's again after one). {@code waitMillis} below 0 waits as a borrow does (starting the
     * pool if need be); else at most that long, and only in a started pool: null when none came.
     */
    Connection lendTo(Connection held, long waitMillis) throws SQLException {
        Connection connection;
        if (waitMillis < 0) {
            try {
                connection = take();
            } catch (Retired closed) { // no registry to ask again here: the application's connection outlived it
                throw new SQLTransientConnectionException("pool-agent: pool " + name + " was closed under this"
                        + " connection (a new password took over, or its driver went); open a new one", "08003");
            }
        } else {
            HikariDataSource pool = dataSource;
            if (pool == null || retired) {
                return null;
            }
            try {
                connection = HikariInternals.borrow(pool, waitMillis);
            } catch (SQLTransientConnectionException busy) {
                return null;
            }
        }
        try {
            lend(connection, held);
            return connection;
        } catch (Throwable t) {
            connection.close();
            throw t;
        }
    }

    private void lend(Connection connection, Connection held) throws SQLException {
        connection.unwrap(TrackedConnection.class).lentAs(connection, held, leaks == null ? null : leaks.watch());
    }

    /** HikariCP's handle, the pool started if need be. */
    private Connection take() throws SQLException {
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
        return connection;
    }

    /** The facade for this pool's pgjdbc; null when it has none (not PostgreSQL, or no PGConnection). */
    private ConnectionFacade facade() {
        if (!facadeKnown) {
            facade = ConnectionFacade.forDriver(driverClass.getClassLoader()); // computed once per driver
            facadeKnown = true;
        }
        return facade;
    }

    /** Starts the pool if it has not (single flight); a standby's pool is started so, off the caller's path. */
    HikariDataSource start() throws SQLException {
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
        HikariConfig config = HikariSettings.config(name, settings, size, connector, waits);
        if (primary != null) {
            PrimaryWatching.fit(config, returnPath, primary);
        }
        HikariDataSource pool = new HikariDataSource(config);
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
            sizing.start(new ShareSizing(pool, settings.minIdle(), waits));
        }
        unreachable = null;
        AgentLog.info(PoolMessages.ready(name, settings, sizing, serverCheck));
        AgentLog.debug("start-up: pool " + name + " started in " + (System.nanoTime() - began) / 1000
                + " us, of which its first connect " + (connected - began) / 1000 + " us");
        onStart.accept(this);
        return pool;
    }

    /** Behind PgBouncer the server's sessions are the pooler's, not this pool's: no share to take. */
    private void noShareBehindPooler() {
        share = null;
        AgentLog.warn(PoolMessages.noShareBehindPooler(name, fixedSize));
    }

    private void cannotReach(SQLException e) {
        mayRecover = SqlStates.isTransient(e);
        unreachable = "SQLSTATE " + e.getSQLState() + ": "
                + AgentLog.collapseWhitespace(String.valueOf(e.getMessage()));
    }

    /** HikariCP's timeout says "request timed out"; say whether the pool is exhausted or the database failing. */
    private SQLException unavailable(HikariDataSource pool, SQLTransientConnectionException timeout) {
        HikariPoolMXBean counts = pool.getHikariPoolMXBean();
        int active = counts.getActiveConnections();
        int waiting = counts.getThreadsAwaitingConnection();
        int max = maxOpen();
        String message;
        if (active >= max) {
            message = PoolMessages.exhausted(name, max, waiting, settings.acquireTimeout(), share != null);
        } else {
            Throwable cause = timeout.getCause();
            if (cause instanceof SQLException) {
                cannotReach((SQLException) cause);
            } else {
                mayRecover = true;
                unreachable = "no connection could be opened within " + GoDuration.format(settings.acquireTimeout());
            }
            message = PoolMessages.noNewConnection(name, active, max, waiting, settings.acquireTimeout(), cause);
        }
        return new SQLTransientConnectionException(message, timeout.getSQLState(), timeout);
    }

    private String writableServer() throws SQLException {
        return connector.writableServer();
    }

    private int evictAll() {
        return PrimaryWatching.evictAll(dataSource);
    }

    private void hostChanged() {
        metrics.hostChanged();
    }

    PrimaryWatch primary() {
        return primary;
    }

    // ---- lifecycle, driven by the registry and its housekeeper ----

    /**
     * When the pool was last used: now while its first connect runs (in use, whatever its borrow count says),
     * when a caller last asked while it has not started, else when the housekeeper last saw its borrow count
     * change: HikariCP counts borrows anyway, and no borrow pays for a clock read of its own.
     */
    boolean retired() {
        return retired;
    }

    long lastUsedMillis(long now) { // the housekeeper's alone: no lock, which startNow() may hold while closing
        if (connecting) {
            return now;
        }
        if (dataSource == null) {
            return lastAskedMillis;
        }
        long borrows = waits.borrows();
        if (borrows != borrowsSeen) {
            borrowsSeen = borrows;
            borrowsSeenMillis = now;
        }
        return borrowsSeenMillis;
    }

    /**
     * A pool that cannot reach its database keeps readiness at 503; an unready pod gets no traffic, so no
     * borrow would ever find out that the database is back. The housekeeper calls this now and then: one
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
        ReadRouting reads = routing;
        if (reads != null) {
            reads.drain();
        }
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
        connector.close(); // before HikariCP's close: a connect retrying through a lost primary gives up
        if (pool != null) {
            pool.close();
        }
        ReadRouting reads = routing;
        if (reads != null) {
            reads.retire();
        }
        metrics.withdraw();
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
        ReadRouting reads = routing;
        if (reads != null) {
            reads.closeIdleForExit(deadline);
        }
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

    // ---- state, for the metrics and the housekeeper ----

    PoolMetrics metrics() {
        return metrics;
    }

    String name() {
        return name;
    }

    /** Why the pool cannot reach its database, secret-free; null once it can. */
    String unreachable() {
        return unreachable;
    }

    /** DB_MAX_OPEN_CONNS, or with auto the pool's size now. */
    int maxOpen() {
        ShareKeeper sizing = share;
        return sizing == null ? fixedSize : sizing.target();
    }

    /** The share of the server that sizes the pool (DB_MAX_OPEN_CONNS=auto); null for a fixed size. */
    ShareKeeper share() {
        return share;
    }

    /** HikariCP's counts of the pool's connections; null until the pool started. */
    HikariPoolMXBean counts() {
        HikariDataSource pool = dataSource;
        return pool == null ? null : pool.getHikariPoolMXBean();
    }

    boolean started() {
        return dataSource != null;
    }

    /**
     * Connections lent now: a pool lending any is not closed under its borrowers. With read replicas, the
     * application's connections count too, also while their work is on a standby.
     */
    int inUse() {
        HikariPoolMXBean counts = counts();
        int lent = counts == null ? 0 : counts.getActiveConnections();
        ReadRouting reads = routing;
        return reads == null ? lent : Math.max(lent, reads.open());
    }
}
