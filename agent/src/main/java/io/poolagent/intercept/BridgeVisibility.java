package io.poolagent.intercept;

import io.poolagent.bootstrap.bridge.Bridge;
import io.poolagent.log.AgentLog;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Whether a class loader finds the agent's bridge. Woven code calls the bridge by name, so in a loader that does
 * not delegate {@code io.poolagent} to the bootstrap loader (an OSGi bundle without boot delegation, a JBoss
 * module) it would throw NoClassDefFoundError into the application: its classes load unwoven instead, with one
 * line. Asked once per loader; loaders are held weakly.
 */
final class BridgeVisibility {

    private static final Map<ClassLoader, Boolean> SEEN = Collections.synchronizedMap(new WeakHashMap<>());

    private BridgeVisibility() {
    }

    static boolean seenFrom(ClassLoader loader) {
        if (loader == null || loader == ClassLoader.getPlatformClassLoader()) {
            return true; // the JDK's loaders reach the bootstrap loader, and the bridge's module is made readable
        }
        Boolean known = SEEN.get(loader);
        if (known != null) {
            return known;
        }
        boolean seen = finds(loader);
        SEEN.put(loader, seen);
        if (!seen) {
            AgentLog.warn("class loader " + loader + " does not reach the agent's bridge (io.poolagent.bootstrap):"
                    + " its classes load unwoven and its connections stay unpooled; let it delegate io.poolagent.* to"
                    + " the bootstrap loader (OSGi: org.osgi.framework.bootdelegation)");
        }
        return seen;
    }

    private static boolean finds(ClassLoader loader) {
        try {
            return Class.forName(Bridge.class.getName(), false, loader) == Bridge.class;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
