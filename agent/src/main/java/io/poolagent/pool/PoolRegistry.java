package io.poolagent.pool;

import io.poolagent.bootstrap.ConnectionInterceptor;
import io.poolagent.config.Settings;
import io.poolagent.log.AgentLog;
import io.poolagent.metrics.AgentMetrics;
import io.poolagent.metrics.AgentMetrics.Entry;

import java.sql.Driver;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Routes intercepted {@code getConnection} calls to one pool per {@link PoolKey}.
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
    private final Map<String, Integer> namesInUse = new HashMap<>();
    private volatile boolean warnedFull;

    public PoolRegistry(Settings settings, AgentMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public Object fromDriverManager(String url, Properties info, Class<?> caller) throws SQLException {
        if (!settings.pools(url)) {
            return null;
        }
        return counted(pooled(PoolKey.of(url, info), caller, null), Entry.DRIVER_MANAGER);
    }

    @Override
    public Object fromRunningPool(String url, String user, String password) throws SQLException {
        if (!settings.pools(url)) {
            return null;
        }
        PoolKey key = PoolKey.of(url, user, password);
        ManagedPool pool = pools.get(key);
        if (pool == null) {
            return null;
        }
        Object connection = borrow(key, pool);
        if (connection != null) {
            metrics.intercepted(Entry.DRIVER_MANAGER);
        }
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
        return counted(pooled(PoolKey.of(url, user, password), null, dataSource), Entry.DATA_SOURCE);
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

    private Object pooled(PoolKey key, Class<?> caller, Object dataSource) throws SQLException {
        ManagedPool pool = pools.get(key);
        if (pool == null) {
            pool = create(key, caller, dataSource);
            if (pool == null) {
                return null;
            }
        }
        return borrow(key, pool);
    }

    private Object borrow(PoolKey key, ManagedPool pool) throws SQLException {
        try {
            return pool.borrow();
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
            try {
                pool.shutdown();
            } catch (RuntimeException | LinkageError ignored) {
                // it never started, or is broken beyond closing; nothing more to release
            }
        }
    }

    private synchronized ManagedPool create(PoolKey key, Class<?> caller, Object dataSource) {
        ManagedPool pool = pools.get(key);
        if (pool != null || unpoolable.contains(key)) {
            return pool;
        }
        if (pools.size() >= MAX_POOLS) {
            warnFull(key);
            return null;
        }
        try {
            ClassLoader loader = dataSource != null
                    ? dataSource.getClass().getClassLoader() : DriverLocator.loaderFor(caller);
            Driver driver = DriverLocator.find(key.url(), loader);
            pool = new ManagedPool(key, uniqueName(key), driver, settings, metrics);
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
        int seen = namesInUse.merge(base, 1, Integer::sum);
        return seen == 1 ? base : base + "#" + seen;
    }

    /** The number of pools created so far. */
    public int size() {
        return pools.size();
    }
}
