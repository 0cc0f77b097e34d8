package io.poolagent.intercept;

import io.poolagent.log.AgentLog;

import java.lang.instrument.Instrumentation;

/**
 * Installs the weaving of {@link Targets}. At start-up this registers {@link Weaver}, a name check per
 * loaded class: JAVA_TOOL_OPTIONS puts the agent into every JVM of a pod, most of which never touch JDBC.
 * Targets loaded before the agent (an agent attached late) are rewritten now, by retransformation.
 */
public final class Instrumentations {

    private Instrumentations() {
    }

    /** @param bridgeUp run once, before the first class is changed: the bridge its hooks call must be there */
    public static void install(Instrumentation instrumentation, Runnable bridgeUp) {
        Weaver installed = new Weaver(instrumentation, Targets.byType(), bridgeUp);
        instrumentation.addTransformer(installed, true);
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            if (installed.isTarget(type.getName().replace('.', '/')) && instrumentation.isModifiableClass(type)) {
                try {
                    instrumentation.retransformClasses(type);
                } catch (Throwable t) {
                    AgentLog.error("could not instrument " + type.getName() + ", its connections stay unpooled: " + t);
                }
            }
        }
    }
}
