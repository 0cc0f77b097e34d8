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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * The Byte Buddy side of the instrumentation: {@link Targets} turned into advice. Kept apart from
 * {@link Instrumentations} so that loading that class at start-up does not load Byte Buddy.
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
                .assureReadEdgeTo(instrumentation, Bridge.class);
        for (String type : types()) {
            builder = builder.type(named(type)).transform(adviceFor(type));
        }
        return builder;
    }

    private static Set<String> types() {
        Set<String> types = new LinkedHashSet<>();
        Targets.ALL.forEach(t -> types.add(t.type));
        return types;
    }

    /** Every advice for methods of one type, applied together. */
    private static AgentBuilder.Transformer adviceFor(String type) {
        List<Targets.Target> targets = Targets.of(type);
        return (builder, description, loader, module, domain) -> {
            DynamicType.Builder<?> woven = builder;
            for (Targets.Target target : targets) {
                woven = woven.visit(Advice.to(target.advice).on(method(target)));
            }
            return woven;
        };
    }

    private static ElementMatcher<MethodDescription> method(Targets.Target target) {
        ElementMatcher.Junction<MethodDescription> method = named(target.method);
        if (target.parameters != null) {
            method = method.and(takesArguments(target.parameters.size()));
            for (int i = 0; i < target.parameters.size(); i++) {
                method = method.and(takesArgument(i, named(target.parameters.get(i))));
            }
        }
        return method;
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
