package io.poolagent.intercept;

import io.poolagent.hikari.HikariNames;
import io.poolagent.pgjdbc.PgjdbcNames;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the agent weaves, in one table: the type (by exact name: one hash lookup per class the JVM
 * loads), the method by name and full descriptor (return type included), and the {@link Hook} woven into it.
 * A method whose descriptor is not listed is never woven: in a library version that changed it, that method
 * stays as it is, with a warning ({@link ClassWeaver}). Where versions differ, each descriptor the weave
 * matrix test found is listed; the test also proves that exactly one method of each class matches each target.
 *
 * <p>Plain data: reading it loads no bytecode library.
 */
final class Targets {

    static final String DRIVER_MANAGER = "java.sql.DriverManager";

    /** One woven method. */
    static final class Target {
        final String type;
        final String method;
        /** Every descriptor accepted, in JVM notation: "(Ljava/lang/String;)Ljava/sql/Connection;". */
        final List<String> descriptors;
        final Hook hook;
        /** A method that older versions of the library do not have: its absence is no reason to leave the class. */
        final boolean optional;

        Target(String type, String method, List<String> descriptors, Hook hook) {
            this(type, method, descriptors, hook, false);
        }

        private Target(String type, String method, List<String> descriptors, Hook hook, boolean optional) {
            this.type = type;
            this.method = method;
            this.descriptors = descriptors;
            this.hook = hook;
            this.optional = optional;
        }

        /** The type's internal name, as a transformer is given it. */
        String internalName() {
            return type.replace('.', '/');
        }

        boolean matches(String name, String descriptor) {
            return method.equals(name) && descriptors.contains(descriptor);
        }

        @Override
        public String toString() {
            return type + "." + method + " " + descriptors;
        }
    }

    private static final String CONNECTION = "Ljava/sql/Connection;";
    private static final String UNWRAP = "(Ljava/lang/Class;)Ljava/lang/Object;";
    private static final String GET_CONNECTION = "()" + CONNECTION;

    private static Target target(String type, String method, String descriptor, Hook hook) {
        return new Target(type, method, List.of(descriptor), hook);
    }

    private static final String HIKARI = HikariNames.AGENT_POOL_PACKAGE;
    private static final String C3P0 = "com.mchange.v2.c3p0.WrapperConnectionPoolDataSource";
    private static final String AGROAL = "io.agroal.pool.ConnectionFactory";

    static final List<Target> ALL = List.of(
            target(PgjdbcNames.DRIVER, "connect", "(Ljava/lang/String;Ljava/util/Properties;)" + CONNECTION,
                    Hook.DRIVER_CONNECT),
            // The private method the three public getConnection overloads call, with the caller class.
            target(DRIVER_MANAGER, "getConnection",
                    "(Ljava/lang/String;Ljava/util/Properties;Ljava/lang/Class;)" + CONNECTION,
                    Hook.DRIVER_MANAGER_CALLER),
            target(DRIVER_MANAGER, "getConnection",
                    "(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)" + CONNECTION,
                    Hook.DRIVER_MANAGER_SHORTCUT),
            target(DRIVER_MANAGER, "deregisterDriver", "(Ljava/sql/Driver;)V", Hook.DRIVER_DEREGISTERED),
            // pgjdbc's getConnection(user, password), which PGSimpleDataSource.getConnection() calls too.
            target(PgjdbcNames.BASE_DATA_SOURCE, "getConnection",
                    "(Ljava/lang/String;Ljava/lang/String;)" + CONNECTION, Hook.DATA_SOURCE),
            target(HIKARI + "ProxyStatement", "getConnection", GET_CONNECTION, Hook.HELD_HANDLE),
            target(HIKARI + "ProxyDatabaseMetaData", "getConnection", GET_CONNECTION, Hook.HELD_HANDLE),
            target(HIKARI + "ProxyConnection", "unwrap", UNWRAP, Hook.CONNECTION_UNWRAP),
            target(HIKARI + "ProxyStatement", "unwrap", UNWRAP, Hook.UNWRAPPING),
            target(HIKARI + "ProxyResultSet", "unwrap", UNWRAP, Hook.UNWRAPPING),
            target(HIKARI + "ProxyDatabaseMetaData", "unwrap", UNWRAP, Hook.UNWRAPPING),
            target(HIKARI + "ProxyConnection", "close", "()V", Hook.CLOSING),
            // Where pool libraries open their physical connections: nothing is pooled twice.
            // newConnection() up to HikariCP 6.1, newConnection(boolean) from 6.2.
            new Target(HikariNames.APP_POOL_BASE, "newConnection", List.of("()" + CONNECTION, "(Z)" + CONNECTION),
                    Hook.POOL_LIBRARY),
            target("org.apache.commons.dbcp2.PoolableConnectionFactory", "makeObject",
                    "()Lorg/apache/commons/pool2/PooledObject;", Hook.POOL_LIBRARY),
            target("org.apache.commons.dbcp.PoolableConnectionFactory", "makeObject", "()Ljava/lang/Object;",
                    Hook.POOL_LIBRARY),
            // Tomcat's own repackaged DBCP2, behind its JNDI DataSources.
            target("org.apache.tomcat.dbcp.dbcp2.PoolableConnectionFactory", "makeObject",
                    "()Lorg/apache/tomcat/dbcp/pool2/PooledObject;", Hook.POOL_LIBRARY),
            // The managed (XA) DataSources' factories override makeObject() without calling it.
            target("org.apache.commons.dbcp2.managed.PoolableManagedConnectionFactory", "makeObject",
                    "()Lorg/apache/commons/pool2/PooledObject;", Hook.POOL_LIBRARY),
            target("org.apache.commons.dbcp.managed.PoolableManagedConnectionFactory", "makeObject",
                    "()Ljava/lang/Object;", Hook.POOL_LIBRARY),
            target("org.apache.tomcat.dbcp.dbcp2.managed.PoolableManagedConnectionFactory", "makeObject",
                    "()Lorg/apache/tomcat/dbcp/pool2/PooledObject;", Hook.POOL_LIBRARY),
            // c3p0's public overloads call these two, which its pool also calls directly.
            target(C3P0, "getPooledConnection",
                    "(Lcom/mchange/v2/c3p0/ConnectionCustomizer;Ljava/lang/String;)Ljavax/sql/PooledConnection;",
                    Hook.POOL_LIBRARY),
            target(C3P0, "getPooledConnection", "(Ljava/lang/String;Ljava/lang/String;"
                    + "Lcom/mchange/v2/c3p0/ConnectionCustomizer;Ljava/lang/String;)Ljavax/sql/PooledConnection;",
                    Hook.POOL_LIBRARY),
            target("org.apache.tomcat.jdbc.pool.PooledConnection", "connect", "()V", Hook.POOL_LIBRARY),
            target(AGROAL, "createConnection", "()Ljavax/sql/XAConnection;", Hook.POOL_LIBRARY),
            // Agroal's recovery connections came with 1.x: earlier versions have only createConnection().
            new Target(AGROAL, "getRecoveryConnection", List.of("()Ljavax/sql/XAConnection;"), Hook.POOL_LIBRARY, true),
            // The overload that connects; create() and its bridge method call it.
            target("org.vibur.dbcp.pool.ConnectionFactory", "create",
                    "(Lorg/vibur/dbcp/pool/Connector;)Lorg/vibur/dbcp/pool/ConnHolder;", Hook.POOL_LIBRARY),
            // The overload that connects; createPhysicalConnection() calls it.
            target("com.alibaba.druid.pool.DruidAbstractDataSource", "createPhysicalConnection",
                    "(Ljava/lang/String;Ljava/util/Properties;)" + CONNECTION, Hook.POOL_LIBRARY),
            target("org.apache.ibatis.datasource.pooled.PooledDataSource", "popConnection",
                    "(Ljava/lang/String;Ljava/lang/String;)Lorg/apache/ibatis/datasource/pooled/PooledConnection;",
                    Hook.POOL_LIBRARY),
            // Hibernate's built-in pool (DriverManagerConnectionProvider) connects through its ConnectionCreator.
            target("org.hibernate.engine.jdbc.connections.internal.BasicConnectionCreator", "createConnection",
                    "()" + CONNECTION, Hook.POOL_LIBRARY));

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
