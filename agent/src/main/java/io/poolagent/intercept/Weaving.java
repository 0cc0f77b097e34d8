package io.poolagent.intercept;

import io.poolagent.bootstrap.Bridge;
import io.poolagent.log.AgentLog;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Properties;

import static io.poolagent.intercept.Instrumentations.DRIVER_MANAGER;
import static io.poolagent.intercept.Instrumentations.PG_BASE_DATA_SOURCE;
import static io.poolagent.intercept.Instrumentations.POOL_LIBRARIES;
import static net.bytebuddy.matcher.ElementMatchers.isPrivate;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * The Byte Buddy side of the instrumentation, kept apart from {@link Instrumentations} so that loading
 * that class at start-up does not load Byte Buddy: only this class refers to it.
 */
final class Weaving {

    private Weaving() {
    }

    /** A transformer for {@link LazyWeaver} to delegate to; nothing is registered with the JVM. */
    static ClassFileTransformer transformer(Instrumentation instrumentation) {
        return builder(instrumentation).makeRaw();
    }

    static AgentBuilder builder(Instrumentation instrumentation) {
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

    private static AgentBuilder.Transformer advice(Class<?> advice, String method) {
        return (builder, type, loader, module, domain) -> builder.visit(Advice.to(advice).on(target(advice, method)));
    }

    private static ElementMatcher<MethodDescription> target(
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
