package io.poolagent.intercept;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.util.List;

/**
 * Copies a target class, its target methods through {@link HookWriter}. The writer starts from the
 * reader's constant pool, so methods without a hook are copied as they were, not rebuilt.
 */
final class ClassRewriter {

    private ClassRewriter() {
    }

    /** The class with its target methods hooked, or null when none of them is in it. */
    static byte[] rewrite(byte[] bytes, List<Targets.Target> targets) {
        ClassReader reader = new ClassReader(bytes);
        ClassWriter writer = new ClassWriter(reader, 0);
        boolean[] changed = {false};
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            private String owner;
            private int version;

            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                              String[] interfaces) {
                this.owner = name;
                this.version = version;
                super.visit(version, access, name, signature, superName, interfaces);
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor method = super.visitMethod(access, name, descriptor, signature, exceptions);
                if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
                    return method;
                }
                for (Targets.Target target : targets) {
                    if (target.matches(name, descriptor)) {
                        changed[0] = true;
                        return new HookWriter(method, target.hook, owner, access, descriptor, version);
                    }
                }
                return method;
            }
        }, ClassReader.EXPAND_FRAMES);
        return changed[0] ? writer.toByteArray() : null;
    }
}
