package io.poolagent.pool;

import io.poolagent.AgentThreads;
import io.poolagent.bootstrap.ConnectionInterceptor;
import io.poolagent.config.GoDuration;
import io.poolagent.config.Settings;
import io.poolagent.log.AgentLog;
import io.poolagent.metrics.AgentMetrics;
import io.poolagent.metrics.AgentMetrics.Entry;

import java.sql.Driver;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Routes intercepted {@code getConnection} calls to one pool per {@link PoolKey}, and decides when a pool
 * goes away: unused for DB_POOL_UNUSED_TIMEOUT (a mistyped password's pool, a rotated password's old pool,
 * a tool that ran once) it is closed and forgotten, its credentials with it; at JVM exit idle sessions end
 * with a proper goodbye.
 *
 * <p>The hot path is a key lookup and a HikariCP borrow. Everything that can go wrong inside the agent
 * (no driver visible, a bug) is contained here: that key stays unpooled, with one error line, and the
 * application's call carries on exactly as without the agent. An {@link SQLException} from the
 * database (down, wrong password, pool exhausted) is the application's business and reaches it intact.
 */
public final class PoolRegistry implements ConnectionInterceptor {

    /** A guard against an application that varies its properties per call: past this, new keys stay unpooled. */
    static final int MAX_POOLS = 32;

    private final Settings settings;
    private final AgentMetrics metrics;
    private final Map<PoolKey, ManagedPool> pools = new ConcurrentHashMap<>();
    private final Set<PoolKey> unpoolable = ConcurrentHashMap.newKeySet();
    private final Set<String> namesInUse = new HashSet<>();
    /** Per pool: the borrow count last seen, and since when it has not changed. */
    private final Map<ManagedPool, long[]> activity = new HashMap<>();
    private ScheduledThreadPoolExecutor timer;
    private volatile boolean warnedFull;
    /**
     * The last credentials the shortcut served, by identity: applications pass the same String objects on
     * every call, so most borrows skip building and hashing a key. Racy by design; a stale route to a
     * retired pool is dropped at its first borrow.
     */
    private volatile Route lastRoute;

    private static final class Route {
        final String url;
        final String user;
        final String password;
        final ClassLoader scope;
        final ManagedPool pool;

        Route(String url, String user, String password, ClassLoader scope, ManagedPool pool) {
            this.url = url;
            this.user = user;
            this.password = password;
            this.scope = scope;
            this.pool = pool;
        }

        boolean serves(String url, String user, String password, ClassLoader scope) {
            return this.url == url && this.user == user && this.password == password && this.scope == scope;
        }
    }

    public PoolRegistry(Settings settings, AgentMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public Object fromDriver(Object driver, String url, Properties info, boolean viaDriverManager) throws SQLException {
        if (!settings.pools(url)) {
            return null;
        }
        Driver own = (Driver) driver;
        PoolKey key = PoolKey.of(url, info, own.getClass().getClassLoader());
        return counted(pooled(key, own, null), viaDriverManager ? Entry.DRIVER_MANAGER : Entry.DRIVER);
    }

    /**
     * DriverManager picks the driver by its caller's class loader, which this shortcut cannot see: it
     * takes the thread's context loader instead, and serves the call only from a pool whose driver lives
     * in exactly that loader (an application's own pgjdbc, a web application's WEB-INF/lib). Anything else
     * goes the full way through DriverManager to the driver.
     */
    @Override
    public Object fromRunningPool(String url, String user, String password) throws SQLException {
        if (!settings.pools(url)) {
            return null;
        }
        ClassLoader scope = Thread.currentThread().getContextClassLoader();
        Route route = lastRoute;
        if (route == null || !route.serves(url, user, password, scope)) {
            ManagedPool pool = pools.get(PoolKey.of(url, user, password, scope));
            if (pool == null) {
                return null; // the full path runs, and finds or creates the pool
            }
            route = new Route(url, user, password, scope, pool);
            lastRoute = route;
        }
        Object connection = borrow(route.pool.key(), route.pool);
        if (connection == null || connection == RETRY) {
            lastRoute = null;
            return null;
        }
        metrics.intercepted(Entry.DRIVER_MANAGER);
        return connection;
    }

    @Override
    public Object fromDataSource(Object dataSource, String user, String password) throws SQLException {
        String url;
        try {
            url = SimpleDataSources.url(dataSource);
        } catch (Throwable t) {
            AgentLog.error("cannot read the URL of " + dataSource.getClass().getName() + ", not pooling it: " + t);
            return null;
        }
        if (url == null || !settings.pools(url)) {
            return null;
        }
        PoolKey key = PoolKey.of(url, user, password, dataSource.getClass().getClassLoader());
        return counted(pooled(key, null, dataSource), Entry.DATA_SOURCE);
    }

    /**
     * The driver's class loader is going away (a web application undeployed): its pools close now, and
     * nothing here keeps a reference to it.
     */
    @Override
    public void driverDeregistered(Object driver) {
        ClassLoader scope = driver.getClass().getClassLoader();
        List<ManagedPool> closing = new ArrayList<>();
        synchronized (this) {
            for (ManagedPool pool : pools.values()) {
                if (pool.key().scope() == scope && pools.remove(pool.key(), pool)) {
                    activity.remove(pool);
                    namesInUse.remove(pool.name());
                    closing.add(pool);
                }
            }
            unpoolable.removeIf(key -> key.scope() == scope);
            lastRoute = null;
        }
        for (ManagedPool pool : closing) {
            AgentLog.info("pool " + pool.name() + " closed: its driver was deregistered");
            pool.retire();
        }
    }

    /** Counts calls for configured URLs: served from a pool, or left unpooled (no driver, too many pools...). */
    private Object counted(Object connection, Entry entry) {
        if (connection != null) {
            metrics.intercepted(entry);
        } else {
            metrics.passedThrough(entry);
        }
        return connection;
    }

    /**
     * A pool closed between the lookup and the borrow is looked up (or created) again. The pool connects
     * through {@code driver}, or the driver that {@code dataSource}'s class loader offers.
     */
    private Object pooled(PoolKey key, Driver driver, Object dataSource) throws SQLException {
        for (int attempt = 0; attempt < 3; attempt++) {
            ManagedPool pool = pools.get(key);
            if (pool == null) {
                pool = create(key, driver, dataSource);
                if (pool == null) {
                    return null;
                }
            }
            Object connection = borrow(key, pool);
            if (connection != RETRY) {
                return connection;
            }
        }
        return null;
    }

    private static final Object RETRY = new Object();

    private Object borrow(PoolKey key, ManagedPool pool) throws SQLException {
        try {
            return pool.borrow();
        } catch (ManagedPool.Retired retired) {
            return RETRY;
        } catch (RuntimeException | LinkageError e) {
            // An SQLException is the database speaking and goes to the caller; anything else is the agent
            // failing (for instance HikariCP refusing to start), and must not break the application.
            giveUp(key, pool, e);
            return null;
        }
    }

    private synchronized void giveUp(PoolKey key, ManagedPool pool, Throwable cause) {
        if (pools.remove(key, pool)) {
            unpoolable.add(key);
            AgentLog.error("pool " + pool.name() + " failed, its connections stay unpooled: " + cause);
            forget(pool);
        }
    }

    private synchronized ManagedPool create(PoolKey key, Driver driver, Object dataSource) {
        ManagedPool pool = pools.get(key);
        if (pool != null || unpoolable.contains(key)) {
            return pool;
        }
        if (pools.size() >= MAX_POOLS) {
            warnFull(key);
            return null;
        }
        try {
            Driver connector = driver != null ? driver : DriverLocator.find(key.url(), key.scope());
            pool = new ManagedPool(key, uniqueName(key), connector, settings, metrics, housekeeper(), this::started);
            pool.publishMetrics();
            pools.put(key, pool);
            return pool;
        } catch (Exception | LinkageError | java.util.ServiceConfigurationError e) {
            if (unpoolable.size() < MAX_POOLS) {
                unpoolable.add(key);
            }
            AgentLog.error("cannot pool connections to " + key + ", they stay unpooled: " + e);
            return null;
        }
    }

    /**
     * A pool started: pools for the same URL and user with another password belong to a password that was
     * rotated away. They drain now and close once unused.
     */
    private void started(ManagedPool pool) {
        for (ManagedPool other : pools.values()) {
            if (other != pool && other.key().differsOnlyInPassword(pool.key())) {
                AgentLog.info("pool " + other.name() + ": a pool with another password started for the same user;"
                        + " closing its idle connections, and the pool once it is unused");
                other.drain();
            }
        }
    }

    private void warnFull(PoolKey key) {
        if (!warnedFull) {
            warnedFull = true;
            AgentLog.warn(MAX_POOLS + " pools exist already (one per URL, user, password and properties);"
                    + " further ones, such as " + key + ", stay unpooled");
        }
    }

    /** Names are log text and metric labels: stable, readable, unique, and free of secrets. */
    private String uniqueName(PoolKey key) {
        String base = JdbcUrls.poolName(key.url(), key.user());
        String name = base;
        for (int n = 2; !namesInUse.add(name); n++) {
            name = base + "#" + n;
        }
        return name;
    }

    // ---- lifecycle ----

    /**
     * The agent's one background thread (a daemon), built with the first pool: every few seconds it closes
     * unused pools and checks on pools that cannot reach their database; it also runs the leak timers.
     */
    private ScheduledThreadPoolExecutor housekeeper() {
        if (timer == null) {
            timer = new ScheduledThreadPoolExecutor(1, task -> AgentThreads.daemon(task, "pool-agent-housekeeper"));
            timer.setRemoveOnCancelPolicy(true);
            long unused = settings.unusedTimeout().toMillis();
            long period = unused > 0 ? Math.max(250, Math.min(unused / 4, 5_000)) : 5_000;
            timer.scheduleWithFixedDelay(this::housekeep, period, period, TimeUnit.MILLISECONDS);
            closeIdleSessionsAtExit();
        }
        return timer;
    }

    private void housekeep() {
        try {
            for (ManagedPool pool : pools.values()) {
                pool.probeIfUnreachable();
            }
            for (ManagedPool pool : unusedPools()) {
                AgentLog.info("pool " + pool.name() + " closed: unused for " + GoDuration.format(settings.unusedTimeout())
                        + " (" + Settings.UNUSED_TIMEOUT + ")");
                pool.retire(); // outside the registry's lock: HikariCP may take seconds to shut down
            }
        } catch (RuntimeException | LinkageError e) {
            AgentLog.error("pool housekeeping failed, will try again: " + e);
        }
    }

    /** Takes out of the registry every pool nobody borrowed from for DB_POOL_UNUSED_TIMEOUT and that lends nothing. */
    synchronized List<ManagedPool> unusedPools() {
        List<ManagedPool> unused = new ArrayList<>();
        long limit = settings.unusedTimeout().toMillis();
        if (limit == 0) {
            return unused;
        }
        long now = System.currentTimeMillis();
        for (ManagedPool pool : pools.values()) {
            if (now - lastUsed(pool, now) >= limit && pool.inUse() == 0 && pools.remove(pool.key(), pool)) {
                activity.remove(pool);
                namesInUse.remove(pool.name());
                unused.add(pool);
                lastRoute = null; // it may hold the retired pool's password
            }
        }
        return unused;
    }

    /** When the pool was last used: asked while unstarted, or the time its borrow count last changed. */
    private long lastUsed(ManagedPool pool, long now) {
        if (pool.connecting()) {
            return now;
        }
        long borrows = pool.borrows();
        if (borrows < 0) {
            return pool.lastAskedMillis();
        }
        long[] seen = activity.get(pool);
        if (seen == null || seen[0] != borrows) {
            activity.put(pool, new long[] {borrows, now});
            return now;
        }
        return seen[1];
    }

    private void forget(ManagedPool pool) {
        lastRoute = null;
        activity.remove(pool);
        namesInUse.remove(pool.name());
        try {
            pool.retire();
        } catch (RuntimeException | LinkageError ignored) {
            // it never started, or is broken beyond closing; nothing more to release
        }
    }

    /** At JVM exit, idle sessions end with a goodbye (see ManagedPool.closeIdleForExit). */
    private void closeIdleSessionsAtExit() {
        try {
            Runtime.getRuntime().addShutdownHook(AgentThreads.hook(this::closeIdleSessions, "pool-agent-exit"));
        } catch (IllegalStateException exiting) {
            // the first pool is being made while the JVM exits: nothing to close at exit yet
        }
    }

    /** Bounded: closing sessions must never hold up the JVM's exit noticeably. */
    private void closeIdleSessions() {
        long deadline = System.currentTimeMillis() + 1000;
        for (ManagedPool pool : pools.values()) {
            try {
                pool.closeIdleForExit(deadline);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | LinkageError ignored) {
                // the JVM is going away; nothing to report to
            }
        }
    }
}
