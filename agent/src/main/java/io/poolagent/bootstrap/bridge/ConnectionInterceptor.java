package io.poolagent.bootstrap.bridge;

import java.util.Properties;

/**
 * What the bridge calls. Implemented by the agent proper, which lives in another class loader; this
 * interface lives on the bootstrap path so both sides see the same type. Only {@code java.base} types
 * appear here because bootstrap classes cannot see {@code java.sql}: connections and drivers travel as
 * {@code Object} and the woven method casts them back.
 */
public interface ConnectionInterceptor {

    /**
     * A connect to the PostgreSQL driver, from any caller.
     *
     * @param driverManagerLoader when DriverManager called the driver, the class loader it searched for its
     *                            caller; null for a direct call
     * @return a pooled {@code java.sql.Connection}, or {@code null} to let the driver open a physical one
     */
    Object fromDriver(Object driver, String url, Properties info, ClassLoader driverManagerLoader) throws Exception;

    /**
     * DriverManager's shortcut: served only from a pool this caller loader reached through DriverManager
     * before, for the same URL and properties.
     *
     * @return a pooled {@code java.sql.Connection}, or {@code null} to let DriverManager find the driver
     */
    Object fromCallerRoute(String url, Properties info, ClassLoader callerLoader) throws Exception;

    /**
     * The shortcut for {@code DriverManager.getConnection(url, user, password)}, before the JDK looks up its
     * caller: served only from a pool that a caller in the thread's context class loader reached before.
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
