package io.poolagent.intercept;

import io.poolagent.AppClassNames;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the agent weaves, in one table: the type (by exact name: one hash lookup per class the JVM
 * loads), the method and its parameter types, and the {@link Hook} written into it. Plain data: reading it
 * loads no bytecode library.
 */
final class Targets {

    static final String DRIVER_MANAGER = "java.sql.DriverManager";

    /** One woven method. {@code parameters} null means any parameters. */
    static final class Target {
        final String type;
        final String method;
        /** The descriptor's start, "(Ljava/lang/String;...)", or null for any parameters. */
        private final String parameterDescriptor;
        final Hook hook;

        Target(String type, String method, List<String> parameters, Hook hook) {
            this.type = type;
            this.method = method;
            this.parameterDescriptor = parameters == null ? null : parameterDescriptor(parameters);
            this.hook = hook;
        }

        /** The type's internal name, as a transformer is given it. */
        String internalName() {
            return type.replace('.', '/');
        }

        boolean matches(String name, String descriptor) {
            return method.equals(name) && (parameterDescriptor == null || descriptor.startsWith(parameterDescriptor));
        }

        private static String parameterDescriptor(List<String> parameters) {
            StringBuilder descriptor = new StringBuilder("(");
            for (String parameter : parameters) {
                descriptor.append('L').append(parameter.replace('.', '/')).append(';');
            }
            return descriptor.append(')').toString();
        }
    }

    private static final String STRING = "java.lang.String";
    private static final String PROPERTIES = "java.util.Properties";

    // By name, not class literal: building the table at start-up loads nothing (TargetsTest checks they resolve).
    private static final String BRIDGE = "io/poolagent/bootstrap/Bridge";
    private static final String TRACKED = "io/poolagent/session/TrackedConnection";
    private static final String CONNECTION = "Ljava/sql/Connection;";
    private static final String ANSWER = "Ljava/lang/Object;";

    private static Hook.Call bridge(String name, String descriptor) {
        return new Hook.Call(BRIDGE, name, descriptor);
    }

    private static final Hook.Call EXIT_PASS_THROUGH = bridge("exitPassThrough", "()V");
    /** Where pool libraries open their physical connections: the agent's own connect is told to pass through. */
    private static final Hook POOL_LIBRARY = Hook.enter(bridge("enterPassThrough", "()V"), Hook.Pass.NOTHING)
            .thenAlways(EXIT_PASS_THROUGH);
    /** What a statement or metadata says its connection is: what the application holds, not HikariCP's handle. */
    private static final Hook HELD_HANDLE = Hook.replaceReturn(
            new Hook.Call(TRACKED, "heldFor", "(" + CONNECTION + ")" + CONNECTION));

    private static final Hook UNWRAPPING = Hook.enter(
            new Hook.Call(TRACKED, "unwrapping", "(Ljava/lang/Object;)V"), Hook.Pass.THIS);

    static final List<Target> ALL = List.of(
            // Every physical connect of the PostgreSQL driver, whoever calls it.
            new Target(AppClassNames.PG_DRIVER, "connect", List.of(STRING, PROPERTIES), Hook.answer(
                    bridge("fromDriver", "(Ljava/lang/Object;Ljava/lang/String;Ljava/util/Properties;)" + ANSWER),
                    Hook.Pass.THIS_AND_ARGUMENTS)),
            // The private method the three public getConnection overloads call, with the caller class: serves
            // callers whose loader reached a pool before, and marks the driver calls under it as DriverManager's.
            new Target(DRIVER_MANAGER, "getConnection", List.of(STRING, PROPERTIES, "java.lang.Class"), Hook.answer(
                    bridge("fromDriverManager", "(Ljava/lang/String;Ljava/util/Properties;Ljava/lang/Class;)" + ANSWER),
                    Hook.Pass.ARGUMENTS).thenAlways(bridge("exitDriverManager", "()V"))),
            // The common overload, served without building a Properties when its pool exists already.
            new Target(DRIVER_MANAGER, "getConnection", List.of(STRING, STRING, STRING), Hook.answer(
                    bridge("fromDriverManager", "(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)" + ANSWER),
                    Hook.Pass.ARGUMENTS)),
            // A web application undeployed: the pools of that driver close. After a normal return only:
            // DriverManager refuses callers that cannot see the driver.
            new Target(DRIVER_MANAGER, "deregisterDriver", List.of("java.sql.Driver"),
                    Hook.afterReturn(bridge("driverDeregistered", "(Ljava/lang/Object;)V"))),
            // pgjdbc's getConnection(user, password), which PGSimpleDataSource.getConnection() calls too. When
            // unpooled, the DataSource's own connect passes through until the method ends.
            new Target(AppClassNames.PG_BASE_DATA_SOURCE, "getConnection", List.of(STRING, STRING), Hook.answer(
                    bridge("fromDataSource", "(Ljava/lang/Object;Ljava/lang/String;Ljava/lang/String;)" + ANSWER),
                    Hook.Pass.THIS_AND_ARGUMENTS).thenAlways(EXIT_PASS_THROUGH)),
            // The agent's own HikariCP (these literals are relocated with it, to io.poolagent.shaded.hikari):
            // a statement's or metadata's getConnection() returns what the application holds.
            new Target("com.zaxxer.hikari.pool.ProxyStatement", "getConnection", List.of(), HELD_HANDLE),
            new Target("com.zaxxer.hikari.pool.ProxyDatabaseMetaData", "getConnection", List.of(), HELD_HANDLE),
            // Unwrapping the handle or one of them hands out the driver's own object, a way to the driver's
            // connection: the session is closed at return instead of being lent again.
            new Target("com.zaxxer.hikari.pool.ProxyConnection", "unwrap", List.of("java.lang.Class"), Hook.enter(
                    new Hook.Call(TRACKED, "unwrappingConnection", "(" + CONNECTION + "Ljava/lang/Class;)V"),
                    Hook.Pass.THIS_AND_ARGUMENTS)),
            new Target("com.zaxxer.hikari.pool.ProxyStatement", "unwrap", List.of("java.lang.Class"), UNWRAPPING),
            new Target("com.zaxxer.hikari.pool.ProxyResultSet", "unwrap", List.of("java.lang.Class"), UNWRAPPING),
            new Target("com.zaxxer.hikari.pool.ProxyDatabaseMetaData", "unwrap", List.of("java.lang.Class"),
                    UNWRAPPING),
            // ... and its handle's close() first asks the return path whether the connection may stay idle.
            new Target("com.zaxxer.hikari.pool.ProxyConnection", "close", List.of(),
                    Hook.enter(new Hook.Call(TRACKED, "closing", "(" + CONNECTION + ")V"), Hook.Pass.THIS)),
            // Where pool libraries open their physical connections: nothing is pooled twice.
            new Target(AppClassNames.HIKARI_POOL_BASE, "newConnection", null, POOL_LIBRARY),
            new Target("org.apache.commons.dbcp2.PoolableConnectionFactory", "makeObject", null, POOL_LIBRARY),
            new Target("org.apache.commons.dbcp.PoolableConnectionFactory", "makeObject", null, POOL_LIBRARY),
            // Tomcat's own repackaged DBCP2, behind its JNDI DataSources.
            new Target("org.apache.tomcat.dbcp.dbcp2.PoolableConnectionFactory", "makeObject", null, POOL_LIBRARY),
            new Target("com.mchange.v2.c3p0.WrapperConnectionPoolDataSource", "getPooledConnection", null, POOL_LIBRARY),
            new Target("org.apache.tomcat.jdbc.pool.PooledConnection", "connect", null, POOL_LIBRARY),
            new Target("io.agroal.pool.ConnectionFactory", "createConnection", null, POOL_LIBRARY),
            new Target("io.agroal.pool.ConnectionFactory", "getRecoveryConnection", null, POOL_LIBRARY),
            new Target("org.vibur.dbcp.pool.ConnectionFactory", "create", null, POOL_LIBRARY),
            new Target("com.alibaba.druid.pool.DruidAbstractDataSource", "createPhysicalConnection", null, POOL_LIBRARY),
            new Target("org.apache.ibatis.datasource.pooled.PooledDataSource", "popConnection", null, POOL_LIBRARY),
            // Hibernate's built-in pool (DriverManagerConnectionProvider) connects through its ConnectionCreator.
            new Target("org.hibernate.engine.jdbc.connections.internal.BasicConnectionCreator", "createConnection", null,
                    POOL_LIBRARY));

    private Targets() {
    }

    /** The targets of each type, by internal name. */
    static Map<String, List<Target>> byType() {
        Map<String, List<Target>> byType = new HashMap<>();
        for (Target target : ALL) { // a loop, not a stream: this runs in every JVM's start-up
            List<Target> forType = byType.get(target.internalName());
            if (forType == null) {
                forType = new ArrayList<>();
                byType.put(target.internalName(), forType);
            }
            forType.add(target);
        }
        return byType;
    }
}
