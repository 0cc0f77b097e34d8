package io.poolagent.intercept;

import io.poolagent.AppClassNames;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Everything the agent weaves, in one table: the type (by exact name, so that start-up stays cheap: Byte
 * Buddy agents slow down with structural matchers, byte-buddy issues 926 and 959), the method and its
 * parameter types, and the advice. Plain data: reading it loads no Byte Buddy class; {@link Weaving} turns
 * it into matchers when a target type first loads.
 */
final class Targets {

    static final String DRIVER_MANAGER = "java.sql.DriverManager";

    /** One woven method. {@code parameters} null means any parameters. */
    static final class Target {
        final String type;
        final String method;
        final List<String> parameters;
        final Class<?> advice;

        Target(String type, String method, List<String> parameters, Class<?> advice) {
            this.type = type;
            this.method = method;
            this.parameters = parameters;
            this.advice = advice;
        }
    }

    private static final String STRING = "java.lang.String";
    private static final String PROPERTIES = "java.util.Properties";

    static final List<Target> ALL = List.of(
            // Every physical connect of the PostgreSQL driver, whoever calls it.
            new Target(AppClassNames.PG_DRIVER, "connect", List.of(STRING, PROPERTIES), DriverAdvice.class),
            // The private method the three public getConnection overloads call, with the caller class: serves
            // callers whose loader reached a pool before, and marks the driver calls under it as DriverManager's.
            new Target(DRIVER_MANAGER, "getConnection", List.of(STRING, PROPERTIES, "java.lang.Class"),
                    DriverManagerAdvice.class),
            // The common overload, served without building a Properties when its pool exists already.
            new Target(DRIVER_MANAGER, "getConnection", List.of(STRING, STRING, STRING),
                    DriverManagerCredentialsAdvice.class),
            // A web application undeployed: the pools of that driver close.
            new Target(DRIVER_MANAGER, "deregisterDriver", List.of("java.sql.Driver"), DeregisterAdvice.class),
            // pgjdbc's getConnection(user, password), which PGSimpleDataSource.getConnection() calls too.
            new Target(AppClassNames.PG_BASE_DATA_SOURCE, "getConnection", List.of(STRING, STRING), DataSourceAdvice.class),
            // The agent's own HikariCP (these literals are relocated with it, to io.poolagent.shaded.hikari):
            // a statement's or metadata's getConnection() returns what the application holds.
            new Target("com.zaxxer.hikari.pool.ProxyStatement", "getConnection", List.of(), HandleAdvice.class),
            new Target("com.zaxxer.hikari.pool.ProxyDatabaseMetaData", "getConnection", List.of(), HandleAdvice.class),
            // ... and its handle's close() first asks the return path whether the connection may stay idle.
            new Target("com.zaxxer.hikari.pool.ProxyConnection", "close", List.of(), ReturnAdvice.class),
            // Where pool libraries open their physical connections: nothing is pooled twice.
            new Target(AppClassNames.HIKARI_POOL_BASE, "newConnection", null, PoolLibraryAdvice.class),
            new Target("org.apache.commons.dbcp2.PoolableConnectionFactory", "makeObject", null, PoolLibraryAdvice.class),
            new Target("org.apache.commons.dbcp.PoolableConnectionFactory", "makeObject", null, PoolLibraryAdvice.class),
            // Tomcat's own repackaged DBCP2, behind its JNDI DataSources.
            new Target("org.apache.tomcat.dbcp.dbcp2.PoolableConnectionFactory", "makeObject", null, PoolLibraryAdvice.class),
            new Target("com.mchange.v2.c3p0.WrapperConnectionPoolDataSource", "getPooledConnection", null,
                    PoolLibraryAdvice.class),
            new Target("org.apache.tomcat.jdbc.pool.PooledConnection", "connect", null, PoolLibraryAdvice.class),
            new Target("io.agroal.pool.ConnectionFactory", "createConnection", null, PoolLibraryAdvice.class),
            new Target("io.agroal.pool.ConnectionFactory", "getRecoveryConnection", null, PoolLibraryAdvice.class),
            new Target("org.vibur.dbcp.pool.ConnectionFactory", "create", null, PoolLibraryAdvice.class),
            new Target("com.alibaba.druid.pool.DruidAbstractDataSource", "createPhysicalConnection", null,
                    PoolLibraryAdvice.class),
            new Target("org.apache.ibatis.datasource.pooled.PooledDataSource", "popConnection", null, PoolLibraryAdvice.class),
            // Hibernate's built-in pool (DriverManagerConnectionProvider) connects through its ConnectionCreator.
            new Target("org.hibernate.engine.jdbc.connections.internal.BasicConnectionCreator", "createConnection", null,
                    PoolLibraryAdvice.class));

    private Targets() {
    }

    /** Internal (slash) names of every type the agent weaves. */
    static Set<String> internalNames() {
        return ALL.stream().map(t -> t.type.replace('.', '/')).collect(Collectors.toUnmodifiableSet());
    }

    static List<Target> of(String type) {
        return ALL.stream().filter(t -> t.type.equals(type)).collect(Collectors.toList());
    }
}
