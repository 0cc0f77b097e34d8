package io.poolagent.install;

import io.poolagent.bootstrap.bridge.ConnectionInterceptor;
import io.poolagent.config.Settings;
import io.poolagent.log.AgentLog;
import io.poolagent.metrics.AgentMetrics;
import io.poolagent.pool.PoolRegistry;

import java.util.Properties;

/**
 * What the bridge calls until, and after, the pool registry exists: the registry is made by the first call,
 * in the application's own code path, not while the JVM loads the class that is woven first (where a lock of
 * ours, or the classes the registry loads, could deadlock with another thread's class loading).
 *
 * <p>Callers that arrive while the registry is being made wait for it; a call that the making itself causes,
 * on the same thread, runs unpooled instead of recursing.
 */
final class RegistryOnFirstUse implements ConnectionInterceptor {

    private final Settings settings;
    /** Null unless the endpoint opened at start-up. */
    private final AgentMetrics metrics;
    private volatile ConnectionInterceptor registry;
    private Thread making;

    RegistryOnFirstUse(Settings settings, AgentMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    /** The registry, or null while this thread is making it. */
    private ConnectionInterceptor registry() {
        ConnectionInterceptor made = registry;
        if (made != null) {
            return made;
        }
        synchronized (this) {
            if (registry == null) {
                if (making == Thread.currentThread()) {
                    return null;
                }
                making = Thread.currentThread();
                try {
                    long began = System.nanoTime();
                    registry = new PoolRegistry(settings, metrics != null ? metrics : new AgentMetrics(settings));
                    AgentLog.debug("start-up: registry set up in " + (System.nanoTime() - began) / 1000 + " us");
                } finally {
                    making = null;
                }
            }
            return registry;
        }
    }

    @Override
    public Object fromDriver(Object driver, String url, Properties info, ClassLoader driverManagerLoader)
            throws Exception {
        ConnectionInterceptor target = registry();
        return target == null ? null : target.fromDriver(driver, url, info, driverManagerLoader);
    }

    @Override
    public Object fromCallerRoute(String url, Properties info, ClassLoader callerLoader) throws Exception {
        ConnectionInterceptor target = registry();
        return target == null ? null : target.fromCallerRoute(url, info, callerLoader);
    }

    @Override
    public Object fromRunningPool(String url, String user, String password) throws Exception {
        ConnectionInterceptor target = registry();
        return target == null ? null : target.fromRunningPool(url, user, password);
    }

    @Override
    public Object fromDataSource(Object dataSource, String user, String password) throws Exception {
        ConnectionInterceptor target = registry();
        return target == null ? null : target.fromDataSource(dataSource, user, password);
    }

    @Override
    public void driverDeregistered(Object driver) {
        ConnectionInterceptor target = registry;
        if (target != null) { // no registry, no pools to close
            target.driverDeregistered(driver);
        }
    }
}
