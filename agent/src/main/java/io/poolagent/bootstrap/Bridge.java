package io.poolagent.bootstrap;

import java.util.Properties;

/**
 * The only code that woven advice calls. It is a bootstrap class, so advice in {@code DriverManager}
 * (platform loader) and in a driver's DataSource (application loader) can all reach it.
 *
 * <p>It also keeps a per-thread "pass-through" depth. While it is above zero, nothing is pooled on that
 * thread: a pool library (the application's own HikariCP, DBCP2, ...) or a non-simple driver DataSource
 * is opening a physical connection for itself, and pooling that would pool twice or hand a wrapper to
 * code that expects the driver's own class. A thread-local rather than a stack walk, because this runs
 * on every {@code getConnection}.
 */
public final class Bridge {

    private static volatile ConnectionInterceptor interceptor;

    private static final ThreadLocal<int[]> PASS_THROUGH = ThreadLocal.withInitial(() -> new int[1]);

    private Bridge() {
    }

    public static void install(ConnectionInterceptor target) {
        interceptor = target;
    }

    /** Called by advice at the start of DriverManager's private {@code getConnection(String, Properties, Class)}. */
    public static Object fromDriverManager(String url, Properties info, Class<?> caller) throws Exception {
        ConnectionInterceptor target = interceptor;
        if (target == null || url == null || PASS_THROUGH.get()[0] > 0) {
            return null;
        }
        return target.fromDriverManager(url, info, caller);
    }

    /**
     * Called by advice at the start of {@code DriverManager.getConnection(String, String, String)}: a
     * pooled connection when a pool for exactly these credentials runs already, else null, and the
     * original body goes on to the private method above.
     */
    public static Object fromDriverManager(String url, String user, String password) throws Exception {
        ConnectionInterceptor target = interceptor;
        if (target == null || url == null || PASS_THROUGH.get()[0] > 0) {
            return null;
        }
        return target.fromRunningPool(url, user, password);
    }

    /**
     * Called by advice at the start of a driver DataSource's {@code getConnection(String, String)}.
     * When it returns {@code null} the original method runs and its own DriverManager call must pass
     * through, so the depth goes up; the exit advice brings it down again.
     */
    public static Object fromDataSource(Object dataSource, String user, String password) throws Exception {
        int[] depth = PASS_THROUGH.get();
        ConnectionInterceptor target = interceptor;
        if (target != null && depth[0] == 0) {
            Object pooled = target.fromDataSource(dataSource, user, password);
            if (pooled != null) {
                return pooled;
            }
        }
        depth[0]++;
        return null;
    }

    public static void enterPassThrough() {
        PASS_THROUGH.get()[0]++;
    }

    public static void exitPassThrough() {
        int[] depth = PASS_THROUGH.get();
        if (depth[0] > 0) {
            depth[0]--;
        }
    }
}
