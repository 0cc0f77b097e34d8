package io.poolagent.intercept;

import io.poolagent.bootstrap.Bridge;
import io.poolagent.log.AgentLog;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The agent's one class-file transformer. Each class the JVM loads costs a hash lookup by name; only the
 * few target types are read and rewritten, by {@link HookWriter}, and only their target methods change.
 * The bytecode library is touched when the first target loads ({@link ClassRewriter}, a class apart so that
 * loading this one loads none of it), so a JVM that never uses JDBC never loads it.
 * A class that cannot be woven loads unchanged, and its connections stay unpooled, with one error line.
 */
final class Weaver implements ClassFileTransformer {

    private final Instrumentation instrumentation;
    private final Map<String, List<Targets.Target>> targets;
    private final Runnable bridgeUp;
    /** The bridge's module once it is up; null before. */
    private volatile Module bridge;
    private volatile boolean broken;

    Weaver(Instrumentation instrumentation, Map<String, List<Targets.Target>> targets, Runnable bridgeUp) {
        this.instrumentation = instrumentation;
        this.targets = targets;
        this.bridgeUp = bridgeUp;
    }

    boolean isTarget(String internalName) {
        return targets.containsKey(internalName);
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain domain, byte[] bytes) {
        List<Targets.Target> forType = className == null ? null : targets.get(className);
        if (forType == null) {
            return null;
        }
        if (!bridgeReady()) {
            return null;
        }
        long start = System.nanoTime();
        try {
            readsBridge(module);
            byte[] woven = ClassRewriter.rewrite(bytes, forType);
            long nanos = System.nanoTime() - start;
            AgentLog.debug("start-up: instrumented " + className.replace('/', '.') + " in " + nanos / 1000 + " us");
            return woven;
        } catch (Throwable t) {
            AgentLog.error("could not instrument " + className.replace('/', '.') + ", its connections stay unpooled: " + t);
            return null;
        }
    }

    /** Sets the bridge up once, when the first target loads; if that fails nothing is woven, with one line. */
    private boolean bridgeReady() {
        if (bridge != null) {
            return true;
        }
        synchronized (this) {
            if (bridge == null && !broken) {
                try {
                    long began = System.nanoTime();
                    bridgeUp.run();
                    bridge = Bridge.class.getModule();
                    AgentLog.debug("start-up: bridge and registry set up in " + (System.nanoTime() - began) / 1000 + " us");
                } catch (Throwable t) {
                    broken = true;
                    AgentLog.error("agent not started, connections stay unpooled: " + t);
                }
            }
            return bridge != null;
        }
    }

    /** A named module (java.sql for DriverManager) must be allowed to read the bridge's module to call it. */
    private void readsBridge(Module module) {
        if (module != null && module.isNamed() && !module.canRead(bridge)) {
            instrumentation.redefineModule(module, Set.of(bridge), Map.of(), Map.of(), Set.of(), Map.of());
        }
    }
}
