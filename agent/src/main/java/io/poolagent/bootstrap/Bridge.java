package io.poolagent.bootstrap;

import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The only code that woven advice calls, and the one boundary between the application and the agent. It
 * is a bootstrap class, so advice in {@code DriverManager} (platform loader) and in the driver (the
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

    /** [0]: pass-through depth; [1]: depth of DriverManager.getConnection calls on this thread. */
    private static final ThreadLocal<int[]> DEPTHS = ThreadLocal.withInitial(() -> new int[2]);

    private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();
    private static final int MAX_REPORTED = 64;

    private Bridge() {
    }

    public static void install(ConnectionInterceptor target) {
        interceptor = target;
    }

    /**
     * Called by advice at the start of the PostgreSQL driver's {@code connect(String, Properties)}, whoever
     * calls it: DriverManager, a library holding the driver, a DataSource.
     *
     * @return a pooled connection, or null to let the driver open a physical one
     */
    public static Object fromDriver(Object driver, String url, Properties info) throws Exception {
        int[] depths = DEPTHS.get();
        ConnectionInterceptor target = interceptor;
        if (target == null || url == null || depths[0] > 0) {
            return null;
        }
        try {
            return target.fromDriver(driver, url, info, depths[1] > 0);
        } catch (Throwable t) {
            return contained(t);
        }
    }

    /**
     * Called by advice at the start of {@code DriverManager.getConnection(String, String, String)}: a
     * pooled connection when a pool for exactly these credentials runs already, else null, and the
     * original body goes on to the driver.
     */
    public static Object fromDriverManager(String url, String user, String password) throws Exception {
        ConnectionInterceptor target = interceptor;
        if (target == null || url == null || DEPTHS.get()[0] > 0) {
            return null;
        }
        try {
            return target.fromRunningPool(url, user, password);
        } catch (Throwable t) {
            return contained(t);
        }
    }

    /** Around DriverManager's private {@code getConnection}: the driver is then called through DriverManager. */
    public static void enterDriverManager() {
        DEPTHS.get()[1]++;
    }

    public static void exitDriverManager() {
        int[] depths = DEPTHS.get();
        if (depths[1] > 0) {
            depths[1]--;
        }
    }

    /**
     * Called by advice at the start of a driver DataSource's {@code getConnection(String, String)}.
     * When it returns {@code null} the original method runs and its own connect must pass through, so
     * the depth goes up; the exit advice brings it down again.
     */
    public static Object fromDataSource(Object dataSource, String user, String password) throws Exception {
        int[] depths = DEPTHS.get();
        ConnectionInterceptor target = interceptor;
        if (target != null && depths[0] == 0) {
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
        depths[0]++;
        return null;
    }

    /** Called by advice at the start of {@code DriverManager.deregisterDriver}: the pools of that driver go. */
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
        DEPTHS.get()[0]++;
    }

    public static void exitPassThrough() {
        int[] depth = DEPTHS.get();
        if (depth[0] > 0) {
            depth[0]--;
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

    /** One line per cause (its type and where it was thrown), so a failure on every call does not flood the log. */
    private static void report(Throwable t) {
        StackTraceElement[] stack = t.getStackTrace();
        String cause = t.getClass().getName() + (stack.length > 0 ? " at " + stack[0] : "");
        if (REPORTED.size() < MAX_REPORTED && REPORTED.add(cause)) {
            System.err.println("[pool-agent] ERROR agent failure, this call and others like it run unpooled: "
                    + t + (stack.length > 0 ? " at " + stack[0] : ""));
        }
    }
}
