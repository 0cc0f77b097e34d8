package io.poolagent;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.Set;

/**
 * Defines the bridge classes in the bootstrap class loader, class by class, instead of appending the agent's
 * jar to the bootstrap search path. An appended path makes the JVM turn class-data sharing off for every
 * class outside the boot loader, and say so on stderr of every JVM in the pod ("Sharing is only supported for
 * boot loader classes because bootstrap classpath has been appended").
 *
 * <p>The JDK's own {@code jdk.internal.misc.Unsafe.defineClass} accepts the bootstrap loader (null). Its
 * package is exported, through {@link Instrumentation#redefineModule}, to this class's module only: the
 * agent's own class loader's unnamed module, which the application cannot reach. The method has the same
 * signature from JDK 11 to 25; where it is missing or refused, the caller falls back to the appended jar.
 */
public final class BootClasses {

    private static final String UNSAFE = "jdk.internal.misc.Unsafe";

    private BootClasses() {
    }

    /** Defines each class (binary name to bytes) not defined there yet; true when all are in the boot loader. */
    public static boolean define(Instrumentation instrumentation, Map<String, byte[]> classes) throws Exception {
        Module self = BootClasses.class.getModule();
        Module base = Object.class.getModule();
        String internals = UNSAFE.substring(0, UNSAFE.lastIndexOf('.'));
        instrumentation.redefineModule(base, Set.of(), Map.of(internals, Set.of(self)), Map.of(), Set.of(), Map.of());
        Class<?> unsafeType = Class.forName(UNSAFE);
        Object unsafe = unsafeType.getMethod("getUnsafe").invoke(null);
        Method defineClass = unsafeType.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                ClassLoader.class, ProtectionDomain.class);
        for (Map.Entry<String, byte[]> type : classes.entrySet()) {
            if (!definedInBootLoader(type.getKey())) {
                byte[] bytes = type.getValue();
                defineClass.invoke(unsafe, type.getKey(), bytes, 0, bytes.length, null, null);
            }
        }
        return true;
    }

    /** A second agent in the same JVM (or a second premain) finds them there already. */
    private static boolean definedInBootLoader(String name) {
        try {
            Class.forName(name, false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
