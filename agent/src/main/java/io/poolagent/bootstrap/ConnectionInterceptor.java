package io.poolagent.bootstrap;

import java.util.Properties;

/**
 * What the bridge calls. Implemented by the agent proper, which lives in another class loader; this
 * interface lives on the bootstrap path so both sides see the same type. Only {@code java.base} types
 * appear here because bootstrap classes cannot see {@code java.sql}: connections travel as
 * {@code Object} and the advice casts them back.
 */
public interface ConnectionInterceptor {

    /**
     * @return a pooled {@code java.sql.Connection}, or {@code null} to let DriverManager open a physical one
     */
    Object fromDriverManager(String url, Properties info, Class<?> caller) throws Exception;

    /**
     * The shortcut for {@code DriverManager.getConnection(url, user, password)}: served only by a pool that
     * exists already (its driver was found with the caller's class loader when it was made).
     *
     * @return a pooled {@code java.sql.Connection}, or {@code null} to go the full way
     */
    Object fromRunningPool(String url, String user, String password) throws Exception;

    /**
     * @return a pooled {@code java.sql.Connection}, or {@code null} to let the DataSource open a physical one
     */
    Object fromDataSource(Object dataSource, String user, String password) throws Exception;
}
