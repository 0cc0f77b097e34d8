package io.poolagent.intercept;

import io.poolagent.log.AgentLog;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The agent's one class-file transformer. Each class the JVM loads costs a hash lookup by name; only the
 * few target types are read and woven, by {@link ClassWeaver}, a class apart so that loading this one
 * loads no Byte Buddy class. A class that cannot be woven loads unchanged, with one line.
 *
 * <p>{@code transform} runs while the JVM holds the class-loading lock of the class it is given: nothing here
 * takes a lock of its own, and the only wait, bounded, is for the bridge's set-up ({@link BridgeSetUp}) on a
 * thread that loads only the agent's and {@code java.base}'s classes, so needs no lock an application thread
 * could hold.
 */
final class Weaver implements ClassFileTransformer {

    private final Instrumentation instrumentation;
    private final Map<String, List<Targets.Target>> targets;
    private final Runnable bridgeUp;
    /** Started by the first class to weave. */
    private final AtomicReference<BridgeSetUp> setUp = new AtomicReference<>();

    /** @param bridgeUp defines the bridge that woven code calls */
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
        long start = System.nanoTime();
        try {
            BridgeSetUp bridgeSetUp = bridgeSetUp();
            if (bridgeSetUp.failed()) {
                return null;
            }
            ClassWeaver.Result result = ClassWeaver.weave(className, bytes, loader, forType);
            if (!result.unmatched.isEmpty()) {
                LibraryVersion.warnUnmatched(className, loader, domain, result.unmatched);
            }
            if (result.woven == null) {
                return null;
            }
            Module bridge = bridgeSetUp.await();
            if (bridge == null || !BridgeVisibility.seenFrom(loader)) {
                return null;
            }
            readsBridge(module, bridge);
            AgentLog.debug("start-up: instrumented " + className.replace('/', '.') + " in "
                    + (System.nanoTime() - start) / 1000 + " us");
            return result.woven;
        } catch (Throwable t) {
            AgentLog.error("could not instrument " + className.replace('/', '.') + ", it loads unchanged and "
                    + forType.get(0).hook.withoutIt + ": " + t);
            return null;
        }
    }

    /** The bridge's set-up, started by the first caller. */
    private BridgeSetUp bridgeSetUp() {
        BridgeSetUp current = setUp.get();
        if (current == null) {
            BridgeSetUp mine = new BridgeSetUp(bridgeUp, new ClassWeaver.ReadAllAdvice());
            if (setUp.compareAndSet(null, mine)) {
                mine.start();
            }
            current = setUp.get();
        }
        return current;
    }

    /** A named module (java.sql for DriverManager) must be allowed to read the bridge's module to call it. */
    private void readsBridge(Module module, Module bridge) {
        if (module != null && module.isNamed() && !module.canRead(bridge)) {
            instrumentation.redefineModule(module, Set.of(bridge), Map.of(), Map.of(), Set.of(), Map.of());
        }
    }
}
