package io.poolagent.intercept;

import io.poolagent.AppClassNames;

import io.poolagent.bootstrap.Bridge;
import io.poolagent.log.AgentLog;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;

import java.lang.instrument.Instrumentation;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.Properties;

import static net.bytebuddy.matcher.ElementMatchers.isPrivate;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

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
            builder(instrumentation).installOn(instrumentation);
        } else {
            instrumentation.addTransformer(new LazyWeaver(targets, () -> builder(instrumentation).makeRaw()));
        }
    }

    private static AgentBuilder builder(Instrumentation instrumentation) {
        AgentBuilder builder = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.DescriptionStrategy.Default.POOL_ONLY)
                .with(AgentBuilder.PoolStrategy.Default.FAST)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(new FailureListener())
                // Byte Buddy ignores JDK classes by default; DriverManager is one (byte-buddy issue 1416).
                .ignore(named("io.poolagent.bootstrap.Bridge"))
                // java.sql is a named module: it must be allowed to read the bridge's unnamed module.
                .assureReadEdgeTo(instrumentation, Bridge.class)
                .type(named(DRIVER_MANAGER))
                .transform(advice(DriverManagerAdvice.class, "getConnection"))
                .type(named(PG_BASE_DATA_SOURCE))
                .transform(advice(DataSourceAdvice.class, "getConnection"));
        for (Map.Entry<String, String> library : POOL_LIBRARIES.entrySet()) {
            builder = builder.type(named(library.getKey()))
                    .transform(advice(PoolLibraryAdvice.class, library.getValue()));
        }
        return builder;
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

    private static AgentBuilder.Transformer advice(Class<?> advice, String method) {
        return (builder, type, loader, module, domain) -> builder.visit(Advice.to(advice).on(target(advice, method)));
    }

    private static net.bytebuddy.matcher.ElementMatcher<net.bytebuddy.description.method.MethodDescription> target(
            Class<?> advice, String method) {
        if (advice == DriverManagerAdvice.class) {
            return isPrivate().and(isStatic()).and(named(method))
                    .and(takesArguments(String.class, Properties.class, Class.class));
        }
        if (advice == DataSourceAdvice.class) {
            return named(method).and(takesArguments(String.class, String.class));
        }
        return named(method);
    }

    /** A type that cannot be woven stays as it is; say so once, never fail the class load. */
    private static final class FailureListener extends AgentBuilder.Listener.Adapter {
        @Override
        public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable t) {
            AgentLog.error("could not instrument " + typeName + ", its connections stay unpooled: " + t);
        }

        @Override
        public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
                                     DynamicType dynamicType) {
            AgentLog.debug("instrumented " + type.getName());
        }
    }
}
