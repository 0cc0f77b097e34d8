package io.poolagent.pool;

import java.sql.Driver;
import java.sql.SQLException;
import java.util.ServiceLoader;

import io.poolagent.log.AgentLog;

/**
 * Finds the JDBC driver the application itself would use.
 *
 * <p>{@code DriverManager} only hands out drivers that the <em>caller's</em> class loader can load, and
 * the agent's own class loader sees none of the application's jars: asking DriverManager from here would
 * say "No suitable driver" (pgjdbc issue 1476). So the agent asks the application's class loader, the
 * one DriverManager would have used (the caller's, or the thread's context loader when the caller is a
 * JDK class), through the standard {@code META-INF/services/java.sql.Driver} entries, and hands the
 * driver instance to the pool (as OpenTelemetry's agent hands driver candidates over explicitly).
 *
 * <p>Only when the application's loaders offer no driver for a PostgreSQL URL does the pool fall back to
 * the pgjdbc bundled (relocated) in the agent jar. Its connections are not {@code org.postgresql}
 * classes, so an application that unwraps them would fail: hence it is a fallback, never the default.
 */
final class DriverLocator {

    private DriverLocator() {
    }

    /** The loader DriverManager.getConnection would search for this caller (see its private getConnection). */
    static ClassLoader loaderFor(Class<?> caller) {
        ClassLoader loader = caller == null ? null : caller.getClassLoader();
        if (loader == null || loader == ClassLoader.getPlatformClassLoader()) {
            loader = Thread.currentThread().getContextClassLoader();
        }
        return loader != null ? loader : ClassLoader.getSystemClassLoader();
    }

    static Driver find(String url, ClassLoader loader) throws SQLException {
        for (Driver driver : ServiceLoader.load(Driver.class, loader)) {
            if (driver.acceptsURL(url)) {
                return driver;
            }
        }
        Driver bundled = new org.postgresql.Driver();
        if (bundled.acceptsURL(url)) {
            AgentLog.warn("no PostgreSQL JDBC driver is visible to " + loader + "; " + JdbcUrls.poolName(url, null)
                    + " uses the agent's bundled pgjdbc " + bundled.getMajorVersion() + "." + bundled.getMinorVersion());
            return bundled;
        }
        throw new IllegalStateException("no JDBC driver for " + JdbcUrls.mask(url) + " visible to " + loader);
    }
}
