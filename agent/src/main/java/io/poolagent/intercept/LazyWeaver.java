package io.poolagent.intercept;

import io.poolagent.log.AgentLog;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The only transformer registered at start-up: it looks at each class the JVM loads, by name, and only
 * for the few the agent weaves does it build Byte Buddy's transformer (once) and hand the class to it.
 * Every other class costs one hash lookup, and a JVM that never loads a target never loads Byte Buddy.
 */
final class LazyWeaver implements ClassFileTransformer {

    private final Set<String> targets;
    private final Supplier<ClassFileTransformer> factory;
    private volatile ClassFileTransformer weaver;
    private volatile boolean broken;

    LazyWeaver(Set<String> targets, Supplier<ClassFileTransformer> factory) {
        this.targets = targets;
        this.factory = factory;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain domain, byte[] bytes) {
        if (className == null || !targets.contains(className)) {
            return null;
        }
        ClassFileTransformer delegate = weaver();
        if (delegate == null) {
            return null;
        }
        try {
            // Module-aware, so that Byte Buddy can let java.sql read the bridge's module.
            return delegate.transform(module, loader, className, redefined, domain, bytes);
        } catch (Throwable t) {
            AgentLog.error("could not instrument " + className.replace('/', '.') + ", its connections stay unpooled: " + t);
            return null;
        }
    }

    private ClassFileTransformer weaver() {
        ClassFileTransformer current = weaver;
        if (current != null || broken) {
            return current;
        }
        synchronized (this) {
            if (weaver == null && !broken) {
                try {
                    weaver = factory.get();
                } catch (Throwable t) {
                    broken = true;
                    AgentLog.error("could not set up instrumentation, connections stay unpooled: " + t);
                }
            }
            return weaver;
        }
    }
}
