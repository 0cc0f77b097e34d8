package io.poolagent.intercept;

import io.poolagent.log.AgentLog;
import net.bytebuddy.ClassFileVersion;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.method.MethodList;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.scaffold.TypeInitializer;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.implementation.auxiliary.AuxiliaryType;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.matcher.ElementMatchers;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.OpenedClassReader;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Weaves one class with Byte Buddy's {@link Advice}, applied through an {@link AsmVisitorWrapper} to exactly
 * the methods {@link Targets} names: the rest of the class is copied as it was. The class is described by a
 * {@link TypePool} over its own bytes (nothing is loaded to weave it), and Byte Buddy writes the stack map
 * frames and the exception handlers of the advice.
 *
 * <p>A target is woven only where it matches exactly one method by name and full descriptor (an optional one:
 * at most one); the caller is told of every other. Each hook is whole within its one method, so the targets that
 * did match in a class are woven still: a JDK whose {@code deregisterDriver} changed keeps its pooled
 * {@code getConnection}.
 *
 * <p>The first class woven loads Byte Buddy's advice machinery: a JVM that never touches JDBC never gets here.
 */
final class ClassWeaver {

    /** The agent's own class files (its advice and Byte Buddy's annotations), read from its jar. */
    private static final ClassFileLocator AGENT_CLASSES =
            ClassFileLocator.ForClassLoader.of(ClassWeaver.class.getClassLoader());
    private static final TypePool AGENT_TYPES = new TypePool.Default.WithLazyResolution(
            new TypePool.CacheProvider.Simple(), AGENT_CLASSES, TypePool.Default.ReaderMode.FAST);

    /** The advice of each hook, read once from its class file: the costly part of a weave. */
    private static final AtomicReferenceArray<Advice> ADVICE = new AtomicReferenceArray<>(Hook.values().length);

    private ClassWeaver() {
    }

    /** The woven class (null when no target matched), and the targets that matched no method, or several. */
    static final class Result {
        final byte[] woven;
        final List<Targets.Target> unmatched;

        private Result(byte[] woven, List<Targets.Target> unmatched) {
            this.woven = woven;
            this.unmatched = unmatched;
        }
    }

    /**
     * @param loader the class's defining loader (null for the bootstrap loader): where the few types Byte
     *               Buddy may ask about besides the class itself are looked up, as class files
     */
    static Result weave(String internalName, byte[] bytes, ClassLoader loader, List<Targets.Target> targets) {
        String name = internalName.replace('/', '.');
        ClassFileLocator locator = new ClassFileLocator.Compound(ClassFileLocator.Simple.of(name, bytes),
                ClassFileLocator.ForClassLoader.of(loader));
        TypePool pool = new TypePool.Default.WithLazyResolution(new TypePool.CacheProvider.Simple(), locator,
                TypePool.Default.ReaderMode.FAST);
        TypeDescription type = pool.describe(name).resolve();
        MethodList<MethodDescription.InDefinedShape> methods = type.getDeclaredMethods();
        AsmVisitorWrapper.ForDeclaredMethods wrapper = new AsmVisitorWrapper.ForDeclaredMethods();
        List<Targets.Target> unmatched = new ArrayList<>();
        int woven = 0;
        for (Targets.Target target : targets) {
            List<MethodDescription> found = matching(methods, target);
            if (found != null && found.size() == 1) {
                wrapper = wrapper.invokable(ElementMatchers.is(found.get(0)), advice(target.hook));
                woven++;
            } else if (found == null || !found.isEmpty() || !target.optional) {
                unmatched.add(target);
            }
        }
        if (woven == 0) {
            return new Result(null, unmatched);
        }
        return new Result(write(bytes, type, pool, methods, wrapper), unmatched);
    }

    /** The methods with the target's name and one of its descriptors; null if one of them has no body to weave. */
    private static List<MethodDescription> matching(MethodList<MethodDescription.InDefinedShape> methods,
                                                    Targets.Target target) {
        List<MethodDescription> found = new ArrayList<>(1);
        for (MethodDescription method : methods) {
            if (target.matches(method.getInternalName(), method.getDescriptor())) {
                if (method.isAbstract() || method.isNative()) {
                    return null;
                }
                found.add(method);
            }
        }
        return found;
    }

    private static byte[] write(byte[] bytes, TypeDescription type, TypePool pool,
                                MethodList<MethodDescription.InDefinedShape> methods,
                                AsmVisitorWrapper.ForDeclaredMethods wrapper) {
        // Byte Buddy's own reader, which knows the class file versions it supports: a newer one is refused here, and
        // the class loads unwoven with one line.
        ClassReader reader = OpenedClassReader.of(bytes);
        ClassFileVersion version = ClassFileVersion.ofClassFile(bytes);
        // Frames expanded on reading, so that the advice can write its own beside the method's; none computed
        // on writing (that would load classes to find common super types).
        int readerFlags = wrapper.mergeReader(ClassReader.EXPAND_FRAMES);
        int writerFlags = wrapper.mergeWriter(0);
        ClassWriter writer = new ClassWriter(reader, writerFlags);
        Implementation.Context context = Implementation.Context.Disabled.Factory.INSTANCE.make(type,
                new AuxiliaryType.NamingStrategy.Suffixing("poolagent"), TypeInitializer.None.INSTANCE, version,
                version,
                version.isAtLeast(ClassFileVersion.JAVA_V6)
                        ? Implementation.Context.FrameGeneration.GENERATE
                        : Implementation.Context.FrameGeneration.DISABLED);
        reader.accept(wrapper.wrap(type, writer, context, pool, type.getDeclaredFields(), methods, writerFlags,
                readerFlags), readerFlags);
        return writer.toByteArray();
    }

    private static Advice advice(Hook hook) {
        Advice advice = ADVICE.get(hook.ordinal());
        if (advice == null) { // two threads may both read it: the same advice, no lock held while classes load
            advice = read(hook);
            ADVICE.compareAndSet(hook.ordinal(), null, advice);
        }
        return advice;
    }

    /**
     * Reads the advice of every hook, on the bridge's thread after the first weave began: the classes woven
     * next (the driver, the agent's HikariCP) then find theirs ready.
     */
    static final class ReadAllAdvice implements Runnable {
        @Override
        public void run() {
            try {
                for (Hook hook : Hook.values()) {
                    advice(hook);
                }
            } catch (Throwable t) { // each weave reads its own again, and reports what fails there
                AgentLog.debug("start-up: reading the advice ahead failed: " + t);
            }
        }
    }

    private static Advice read(Hook hook) {
        // Described from its class file, as the target is, rather than by reflection on the loaded class: the
        // type pool's classes are loaded already, and reflection would bring in the JDK's annotation parsing.
        TypeDescription advice = AGENT_TYPES.describe(hook.adviceClass()).resolve();
        if (hook.exitClass().equals(hook.adviceClass())) {
            return Advice.to(advice, AGENT_CLASSES);
        }
        return Advice.to(advice, AGENT_TYPES.describe(hook.exitClass()).resolve(), AGENT_CLASSES);
    }
}
