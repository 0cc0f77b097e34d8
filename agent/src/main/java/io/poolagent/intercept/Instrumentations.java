package io.poolagent.intercept;

import io.poolagent.AppClassNames;

import java.lang.instrument.Instrumentation;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The handful of types the agent weaves, all matched by exact name so that start-up stays cheap (Byte
 * Buddy agents slow down with structural matchers; byte-buddy issues 926 and 959).
 */
public final class Instrumentations {

    static final String DRIVER_MANAGER = "java.sql.DriverManager";
    static final String PG_BASE_DATA_SOURCE = AppClassNames.PG_BASE_DATA_SOURCE;

    /** Pool libraries and the method each opens physical connections with. */
    static final Map<String, String> POOL_LIBRARIES = Map.of(
            AppClassNames.HIKARI_POOL_BASE, "newConnection",
            "org.apache.commons.dbcp2.PoolableConnectionFactory", "makeObject",
            "org.apache.commons.dbcp.PoolableConnectionFactory", "makeObject",
            "com.mchange.v2.c3p0.WrapperConnectionPoolDataSource", "getPooledConnection",
            "org.apache.tomcat.jdbc.pool.PooledConnection", "connect",
            "io.agroal.pool.ConnectionFactory", "createConnection");

    private static final String NEXUS_DISABLED = "net.bytebuddy.nexus.disabled";

    private Instrumentations() {
    }

    /**
     * Weaves the target types. Byte Buddy costs about half a second to load and set up, and
     * JAVA_TOOL_OPTIONS puts the agent into every JVM of a pod, most of which never touch JDBC. So
     * unless a target type is loaded already, start-up only registers {@link LazyWeaver}, a name check
     * per loaded class; Byte Buddy is built when the first target type actually loads.
     */
    public static void install(Instrumentation instrumentation) {
        // The agent needs no Nexus (no type initializers to inject). Left on, Byte Buddy probes Unsafe to
        // prepare it, which JDK 24+ reports on stderr. The property name is relocated along with Byte
        // Buddy (it reads "io.poolagent.shaded.bytebuddy..."), so the application's own Byte Buddy is unaffected.
        System.setProperty(NEXUS_DISABLED, "true");
        Set<String> targets = targetNames();
        if (anyLoaded(instrumentation, targets)) {
            Weaving.builder(instrumentation).installOn(instrumentation);
        } else {
            instrumentation.addTransformer(new LazyWeaver(targets, () -> Weaving.transformer(instrumentation)));
        }
    }

    /** Internal (slash) names of every type the agent weaves. */
    static Set<String> targetNames() {
        Set<String> names = new HashSet<>();
        names.add(DRIVER_MANAGER.replace('.', '/'));
        names.add(PG_BASE_DATA_SOURCE.replace('.', '/'));
        for (String library : POOL_LIBRARIES.keySet()) {
            names.add(library.replace('.', '/'));
        }
        return Set.copyOf(names);
    }

    private static boolean anyLoaded(Instrumentation instrumentation, Set<String> targets) {
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            if (targets.contains(type.getName().replace('.', '/'))) {
                return true;
            }
        }
        return false;
    }

}
