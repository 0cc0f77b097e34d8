package io.poolagent.intercept;

import java.lang.instrument.Instrumentation;
import java.util.Set;

/**
 * Installs the weaving of {@link Targets}.
 */
public final class Instrumentations {

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
        Set<String> targets = Targets.internalNames();
        if (anyLoaded(instrumentation, targets)) {
            Weaving.builder(instrumentation).installOn(instrumentation);
        } else {
            instrumentation.addTransformer(new LazyWeaver(targets, () -> Weaving.transformer(instrumentation)));
        }
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
