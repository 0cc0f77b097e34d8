package io.poolagent.pool;

import io.poolagent.bootstrap.bridge.ConnectionInterceptor;
import io.poolagent.config.JdbcUrls;
import io.poolagent.config.Settings;
import io.poolagent.log.AgentLog;
import io.poolagent.metrics.AgentMetrics.Entry;
import io.poolagent.metrics.AgentMetrics;

import java.lang.ref.WeakReference;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Routes intercepted connects to one pool per {@link PoolKey}, makes the pools and takes them out again (a
 * pool that failed, a driver deregistered). When a pool goes away for good is the {@link Housekeeper}'s call.
 *
 * <p>The hot path is a key lookup and a HikariCP borrow. A key that cannot be pooled (no driver, HikariCP
 * refusing to start) stays unpooled with one error line; anything else the agent throws is contained by
 * the bridge. An {@link SQLException} from the database (down, wrong password, pool exhausted) is the
 * application's business and reaches it intact.
 */
public final class PoolRegistry implements ConnectionInterceptor {

    /** A guard against an application that varies its properties per call: past this, new keys stay unpooled. */
    static final int MAX_POOLS = 32;

    /**
     * A pool's meters (and with the first pool, Micrometer and the endpoint: about 180 classes and a tenth of
     * a second of CPU) come up this long after the pool, on the agent's thread: off the first caller's path,
     * and never in a tool, cron job or migration that is done within a second.
     */
    static final long METRICS_DELAY_MILLIS = 1000;

    private final Settings settings;
    private final AgentMetrics metrics;
    private final Map<PoolKey, ManagedPool> pools = new ConcurrentHashMap<>();
    /** Keys no pool may be made for, by fingerprint: no password is kept for them. */
    private final Set<PoolKey.Fingerprint> unpoolable = ConcurrentHashMap.newKeySet();
    private final Set<String> namesInUse = new HashSet<>();
    private final Housekeeper housekeeper;
    private volatile boolean warnedFull;
    /** Where DriverManager's callers ended up, per caller loader: their next call skips the JDK's driver walk. */
    private final CallerRoutes callerRoutes = new CallerRoutes();
    /**
     * The last credentials the public shortcut served, by identity: applications pass the same String
     * objects on every call, so most borrows skip building and hashing a key. Racy by design; a stale route
     * to a retired pool is dropped at its first borrow. Holds the context loader weakly, like CallerRoutes.
     */
    private volatile Route lastRoute;

    private static final class Route {
        final String url;
        final String user;
        final String password;
        final WeakReference<ClassLoader> loader;
        final ManagedPool pool;

        Route(String url, String user, String password, ClassLoader loader, ManagedPool pool) {
            this.url = url;
            this.user = user;
            this.password = password;
            this.loader = new WeakReference<>(loader);
            this.pool = pool;
        }

        boolean serves(String url, String user, String password, ClassLoader loader) {
            return this.url == url && this.user == user && this.password == password && this.loader.get() == loader;
        }
    }

    public PoolRegistry(Settings settings, AgentMetrics metrics) {
        this(settings, metrics, Runtime.getRuntime()::addShutdownHook);
    }

    /** @param atExit registers the hook that ends idle sessions at exit: the JVM's, or a test's own */
    PoolRegistry(Settings settings, AgentMetrics metrics, Consumer<Thread> atExit) {
        this.settings = settings;
        this.metrics = metrics;
        this.housekeeper = new Housekeeper(settings, pools.values(), this::takeOut, atExit);
    }

    @Override
    public Object fromDriver(Object driver, String url, Properties info, ClassLoader driverManagerLoader)
            throws SQLException {
        if (!settings.pools(url)) {
            return null;
        }
        Driver own = (Driver) driver;
        PoolKey key = PoolKey.of(url, info, own.getClass().getClassLoader());
        Entry entry = driverManagerLoader != null ? Entry.DRIVER_MANAGER : Entry.DRIVER;
        Object connection = counted(pooled(key, own), entry);
        if (connection != null && driverManagerLoader != null) {
            ManagedPool pool = pools.get(key);
            if (pool != null) {
                callerRoutes.put(driverManagerLoader, PoolKey.of(url, info, null), pool);
            }
        }
        return connection;
    }

    @Override
    public Object fromCallerRoute(String url, Properties info, ClassLoader callerLoader) throws SQLException {
        if (!settings.pools(url)) {
            return null;
        }
        ManagedPool pool = callerRoutes.get(callerLoader, PoolKey.of(url, info, null));
        return pool == null ? null : routed(pool);
    }

    /**
     * DriverManager picks the driver by its caller's class loader, which this shortcut cannot see: it takes
     * the thread's context loader instead, the caller's loader in an application and in a servlet container's
     * request. A caller in another loader than its thread's context loader with a pgjdbc of its own, on a
     * thread where that context loader's code connected with the same credentials, would get a connection of
     * the other driver's classes; rare enough that the shortcut's speed wins (see docs/benchmarks.md).
     */
    @Override
    public Object fromRunningPool(String url, String user, String password) throws SQLException {
        if (!settings.pools(url)) {
            return null;
        }
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Route route = lastRoute;
        if (route == null || !route.serves(url, user, password, loader)) {
            ManagedPool pool = callerRoutes.get(loader, PoolKey.of(url, user, password, null));
            if (pool == null) {
                return null; // the full path runs, and finds or creates the pool
            }
            route = new Route(url, user, password, loader, pool);
            lastRoute = route;
        }
        Object connection = routed(route.pool);
        if (connection == null) {
            lastRoute = null;
        }
        return connection;
    }

    /** A borrow through a shortcut; null (go the full way) if the pool closed meanwhile or failed. */
    private Object routed(ManagedPool pool) throws SQLException {
        Object connection = borrow(pool.key(), pool);
        if (connection == null || connection == RETRY) {
            callerRoutes.forget(pool); // a route stored just as the pool was taken out
            return null;
        }
        metrics.intercepted(Entry.DRIVER_MANAGER);
        return connection;
    }

    @Override
    public Object fromDataSource(Object dataSource, String user, String password) throws SQLException {
        String url;
        ClassLoader driverLoader;
        try {
            url = SimpleDataSources.url(dataSource);
            driverLoader = SimpleDataSources.driverLoader(dataSource);
        } catch (Throwable t) {
            AgentLog.error("cannot read the URL of " + dataSource.getClass().getName() + ", not pooling it: " + t);
            return null;
        }
        if (url == null || !settings.pools(url)) {
            return null;
        }
        PoolKey key = PoolKey.of(url, user, password, driverLoader);
        return counted(pooled(key, null), Entry.DATA_SOURCE);
    }

    /**
     * A driver left DriverManager, most often because a servlet container undeploys the web application it
     * came with. Its pools take no more borrowers, close their idle connections now, and close for good
     * once the connections still lent come back (a driver deregistered only to be registered again does
     * not break transactions under way); then nothing here refers to its class loader.
     */
    @Override
    public void driverDeregistered(Object driver) {
        Class<?> type = driver.getClass();
        List<ManagedPool> leaving = new ArrayList<>();
        synchronized (this) {
            for (ManagedPool pool : pools.values()) {
                if (pool.driverClass() == type && takeOut(pool)) {
                    leaving.add(pool);
                }
            }
            unpoolable.removeIf(known -> known.scope() == type.getClassLoader());
        }
        for (ManagedPool pool : leaving) {
            pool.drain();
        }
        if (!leaving.isEmpty()) {
            housekeeper.closeWhenReturned(leaving);
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
     * through {@code driver}, or when null pgjdbc's driver from the key's class loader.
     */
    private Object pooled(PoolKey key, Driver driver) throws SQLException {
        for (int attempt = 0; attempt < 3; attempt++) {
            ManagedPool pool = pools.get(key);
            if (pool == null) {
                pool = create(key, driver);
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
        if (takeOut(pool)) {
            unpoolable.add(key.fingerprint());
            AgentLog.error("pool " + pool.name() + " failed, its connections stay unpooled: " + cause);
            try {
                pool.retire();
            } catch (RuntimeException | LinkageError ignored) {
                // it never started, or is broken beyond closing; nothing more to release
            }
        }
    }

    /**
     * Out of the registry: no lookup, shortcut or name refers to the pool any more (the shortcuts may hold
     * its password). False if it was out already. Closing it is the caller's business.
     */
    private synchronized boolean takeOut(ManagedPool pool) {
        if (!pools.remove(pool.key(), pool)) {
            return false;
        }
        namesInUse.remove(pool.name());
        callerRoutes.forget(pool);
        lastRoute = null;
        return true;
    }

    private synchronized ManagedPool create(PoolKey key, Driver driver) {
        ManagedPool pool = pools.get(key);
        if (pool != null || unpoolable.contains(key.fingerprint())) {
            return pool;
        }
        if (pools.size() >= MAX_POOLS) {
            warnFull(key);
            return null;
        }
        try {
            Driver connector = driver != null ? driver : DriverLocator.pgjdbc(key.scope());
            ScheduledExecutorService background = housekeeper.timer();
            pool = new ManagedPool(key, uniqueName(key), connector, settings, metrics, background, this::started);
            pools.put(key, pool);
            background.schedule(pool.metrics()::publish, METRICS_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            return pool;
        } catch (Exception | LinkageError e) {
            if (unpoolable.size() < MAX_POOLS) {
                unpoolable.add(key.fingerprint());
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
}
