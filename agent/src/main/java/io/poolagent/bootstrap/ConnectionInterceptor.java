package io.poolagent.bootstrap;

import java.util.Properties;

/**
 * What the bridge calls. Implemented by the agent proper, which lives in another class loader; this
 * interface lives on the bootstrap path so both sides see the same type. Only {@code java.base} types
 * appear here because bootstrap classes cannot see {@code java.sql}: connections and drivers travel as
 * {@code Object} and the advice casts them back.
 */
public interface ConnectionInterceptor {

    /**
     * A connect to the PostgreSQL driver, from any caller.
     *
     * @param viaDriverManager whether DriverManager called the driver (for the metrics' entry label)
     * @return a pooled {@code java.sql.Connection}, or {@code null} to let the driver open a physical one
     */
    Object fromDriver(Object driver, String url, Properties info, boolean viaDriverManager) throws Exception;

    /**
     * The shortcut for {@code DriverManager.getConnection(url, user, password)}: served only by a pool that
     * exists already for the calling thread's class loader.
     *
     * @return a pooled {@code java.sql.Connection}, or {@code null} to go the full way
     */
    Object fromRunningPool(String url, String user, String password) throws Exception;

    /**
     * @return a pooled {@code java.sql.Connection}, or {@code null} to let the DataSource open a physical one
     */
    Object fromDataSource(Object dataSource, String user, String password) throws Exception;

    /** A driver left DriverManager (a web application undeployed): its pools close. */
    void driverDeregistered(Object driver);
}
