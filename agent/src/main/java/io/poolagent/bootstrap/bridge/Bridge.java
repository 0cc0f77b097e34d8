package io.poolagent.bootstrap.bridge;

import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The only code that woven hooks call, and the one boundary between the application and the agent. It
 * is a bootstrap class, so hooks in {@code DriverManager} (platform loader) and in the driver (the
 * application's loader) can all reach it.
 *
 * <p>Containment: whatever the agent's own code throws, other than the database's {@code SQLException}
 * (down, wrong password, pool exhausted: the application's business), makes that one call run as without
 * the agent, and is reported once per cause with one ERROR line. Errors included: a {@code LinkageError}
 * or a stack overflow inside the agent must not become the application's.
 *
 * <p>It also keeps per-thread depths. While "pass-through" is above zero nothing is pooled on that thread:
 * the agent itself, a pool library (the application's own HikariCP, DBCP2...) or a non-simple driver
 * DataSource is opening a physical connection, and pooling that would pool twice or hand a wrapper to code
 * that expects the driver's own class. A thread-local rather than a stack walk, because this runs on
 * every {@code getConnection}.
 */
public final class Bridge {

    private static volatile ConnectionInterceptor interceptor;

    /** What is under way on one thread. */
    private static final class Calls {
        int passThrough;
        int driverManager;
        /** The class loader DriverManager searches for the outermost call under way (its caller's). */
        ClassLoader driverManagerLoader;
    }

    /** A subclass, not withInitial(Calls::new): no lambda to bootstrap while the JVM starts. */
    private static final class CallsPerThread extends ThreadLocal<Calls> {
        @Override
        protected Calls initialValue() {
            return new Calls();
        }
    }

    private static final ThreadLocal<Calls> CALLS = new CallsPerThread();

    /** Set from DB_POOL_LOG_LEVEL=off: then not even the containment line is printed. */
    private static volatile boolean quiet;

    private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();
    private static final int MAX_REPORTED = 64;

    private Bridge() {
    }

    /**
     * The agent's way in, taken once. The bridge is a public class of the bootstrap loader, so any code in the
     * JVM can call this: a call after the agent's, or from a class of another loader than the interceptor's
     * own, or from one of the JDK's or the application's loaders, is refused. (The agent defines the bridge
     * and installs its interceptor at once, on its own thread, before any hook can call it.) There is no other
     * way in but reflection, which no check can keep from code that runs in the same JVM: that code is trusted.
     *
     * @param silent DB_POOL_LOG_LEVEL=off: then not even the containment line is printed
     * @return whether it was taken
     */
    public static synchronized boolean installFirst(ConnectionInterceptor target, boolean silent) {
        ClassLoader caller = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).getCallerClass()
                .getClassLoader();
        if (interceptor != null || target == null || caller != target.getClass().getClassLoader()
                || caller == null || caller == ClassLoader.getPlatformClassLoader()
                || caller == ClassLoader.getSystemClassLoader()) {
            return false;
        }
        quiet = silent;
        interceptor = target;
        return true;
    }

    /**
     * Called at the start of the PostgreSQL driver's {@code connect(String, Properties)}, whoever
     * calls it: DriverManager, a library holding the driver, a DataSource.
     *
     * @return a pooled connection, or null to let the driver open a physical one
     */
    public static Object fromDriver(Object driver, String url, Properties info) throws Exception {
        Calls calls = CALLS.get();
        ConnectionInterceptor target = interceptor;
        if (target == null || url == null || calls.passThrough > 0) {
            return null;
        }
        try {
            return target.fromDriver(driver, url, info, calls.driverManager > 0 ? calls.driverManagerLoader : null);
        } catch (Throwable t) {
            return contained(t);
        }
    }

    /**
     * Called at the start of {@code DriverManager.getConnection(String, String, String)}: a
     * pooled connection when a pool for exactly these credentials runs already, else null, and the
     * original body goes on to the driver.
     */
    public static Object fromDriverManager(String url, String user, String password) throws Exception {
        ConnectionInterceptor target = interceptor;
        if (target == null || url == null || CALLS.get().passThrough > 0) {
            return null;
        }
        try {
            return target.fromRunningPool(url, user, password);
        } catch (Throwable t) {
            return contained(t);
        }
    }

    /**
     * Called at the start of DriverManager's private {@code getConnection(String, Properties,
     * Class)}, which every overload reaches with the caller class: a pooled connection if this caller's
     * class loader already reached a pool with this URL and these properties. Otherwise null, and the
     * JDK's body goes on to the driver, marked as called through DriverManager on behalf of that loader
     * until {@link #exitDriverManager}, which the woven method calls however its body ends.
     */
    public static Object fromDriverManager(String url, Properties info, Class<?> caller) throws Exception {
        Calls calls = CALLS.get();
        ConnectionInterceptor target = interceptor;
        ClassLoader loader = loaderFor(caller);
        if (target != null && url != null && calls.passThrough == 0) {
            Object pooled;
            try {
                pooled = target.fromCallerRoute(url, info, loader);
            } catch (Throwable t) {
                pooled = contained(t);
            }
            if (pooled != null) {
                return pooled;
            }
        }
        if (calls.driverManager++ == 0) {
            calls.driverManagerLoader = loader;
        }
        return null;
    }

    /** After the body of DriverManager's private getConnection, also when it threw: undoes what a null answer set. */
    public static void exitDriverManager() {
        Calls calls = CALLS.get();
        if (calls.driverManager > 0 && --calls.driverManager == 0) {
            calls.driverManagerLoader = null; // never keep an application's loader on a thread
        }
    }

    /** The loader DriverManager searches for this caller: its own, or the context loader for JDK callers. */
    private static ClassLoader loaderFor(Class<?> caller) {
        ClassLoader loader = caller == null ? null : caller.getClassLoader();
        if (loader == null || loader == ClassLoader.getPlatformClassLoader()) {
            loader = Thread.currentThread().getContextClassLoader();
        }
        return loader != null ? loader : ClassLoader.getSystemClassLoader();
    }

    /**
     * Called at the start of a driver DataSource's {@code getConnection(String, String)}.
     * When it returns {@code null} the original method runs and its own connect must pass through, so
     * the depth goes up; the woven method brings it down again when it ends.
     */
    public static Object fromDataSource(Object dataSource, String user, String password) throws Exception {
        Calls calls = CALLS.get();
        ConnectionInterceptor target = interceptor;
        if (target != null && calls.passThrough == 0) {
            Object pooled;
            try {
                pooled = target.fromDataSource(dataSource, user, password);
            } catch (Throwable t) {
                pooled = contained(t);
            }
            if (pooled != null) {
                return pooled;
            }
        }
        calls.passThrough++;
        return null;
    }

    /** Called after {@code DriverManager.deregisterDriver} returned: the pools of that driver go. */
    public static void driverDeregistered(Object driver) {
        ConnectionInterceptor target = interceptor;
        if (target == null || driver == null) {
            return;
        }
        try {
            target.driverDeregistered(driver);
        } catch (Throwable t) {
            report(t);
        }
    }

    public static void enterPassThrough() {
        CALLS.get().passThrough++;
    }

    public static void exitPassThrough() {
        Calls calls = CALLS.get();
        if (calls.passThrough > 0) {
            calls.passThrough--;
        }
    }

    /**
     * The database's SQLException goes back to the caller; anything else is the agent failing, and the
     * call runs unpooled. (A bootstrap class cannot name java.sql types, hence the check by name.)
     */
    static Object contained(Throwable t) throws Exception {
        if (isSqlException(t)) {
            throw (Exception) t;
        }
        report(t);
        return null;
    }

    private static boolean isSqlException(Throwable t) {
        for (Class<?> type = t.getClass(); type != null; type = type.getSuperclass()) {
            if (type.getName().equals("java.sql.SQLException")) {
                return true;
            }
        }
        return false;
    }

    /**
     * One line per cause (its type and where it was thrown), so a failure on every call does not flood the
     * log. Reporting itself may fail (the stack may be exhausted): the call goes on unpooled regardless.
     */
    private static void report(Throwable t) {
        try {
            StackTraceElement[] stack = t.getStackTrace();
            String where = stack.length > 0 ? " at " + stack[0] : "";
            if (!quiet && REPORTED.size() < MAX_REPORTED && REPORTED.add(t.getClass().getName() + where)) {
                System.err.println("[pool-agent] ERROR agent failure, this call and others like it run unpooled: "
                        + t + where);
            }
        } catch (Throwable ignored) {
            // nothing more can be done for this call; it runs unpooled
        }
    }

    /** For tests: report every cause again. */
    static void forgetReported() {
        REPORTED.clear();
    }
}
