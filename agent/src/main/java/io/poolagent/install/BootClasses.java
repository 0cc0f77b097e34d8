package io.poolagent.install;

import net.bytebuddy.dynamic.loading.ClassInjector;

import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

/**
 * Defines the bridge classes in the bootstrap class loader, with Byte Buddy's {@link ClassInjector}, instead
 * of appending the agent's jar to the bootstrap search path. An appended path makes the JVM turn class-data
 * sharing off for every class outside the boot loader, and say so on stderr of every JVM in the pod
 * ("Sharing is only supported for boot loader classes because bootstrap classpath has been appended").
 *
 * <p>Byte Buddy's injector into the bootstrap loader needs {@code jdk.internal.misc}, which the JDK opens,
 * through {@link Instrumentation#redefineModule}, to this class's module only: the agent's own class loader's
 * unnamed module, which the application cannot reach. Its other route, through {@code sun.misc.Unsafe}'s
 * memory access, is switched off with Byte Buddy's own property: from JDK 24 that route prints a deprecation
 * warning in the application's output. (The property's name is relocated with the agent's Byte Buddy, so
 * an application's own Byte Buddy never reads it.) Where the injector is refused, the caller falls back to
 * the appended jar.
 */
public final class BootClasses {

    private static final String INTERNALS = "jdk.internal.misc";

    private BootClasses() {
    }

    /**
     * Defines each class (binary name to bytes) not defined there yet; true when all are in the boot loader.
     * Safe to run on several threads at once: the injector defines under its own lock and skips what exists.
     */
    public static boolean define(Instrumentation instrumentation, Map<String, byte[]> classes) {
        Module self = BootClasses.class.getModule();
        Module base = Object.class.getModule();
        if (!base.isOpen(INTERNALS, self)) {
            instrumentation.redefineModule(base, Set.of(), Map.of(), Map.of(INTERNALS, Set.of(self)), Set.of(),
                    Map.of());
        }
        System.setProperty(ClassInjector.UsingUnsafe.SAFE_PROPERTY, "true");
        ClassInjector.UsingUnsafe.Factory factory = new ClassInjector.UsingUnsafe.Factory();
        if (!factory.isAvailable()) {
            return false;
        }
        factory.make(null).injectRaw(classes);
        return true;
    }
}
