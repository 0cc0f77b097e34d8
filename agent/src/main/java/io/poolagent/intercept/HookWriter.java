package io.poolagent.intercept;

import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * Writes one {@link Hook} into a method as it is copied, with Byte Buddy's lowest layer (its bundled ASM)
 * and nothing above it: no type descriptions, no matchers, no frame computation. The class is read with
 * expanded frames, so the few frames the hook needs are written out in full from the method's own
 * descriptor; the original frames stay as they were.
 *
 * <p>Shape of a woven method, for a hook with everything:
 * <pre>
 *   Object r = enter(this, args...); if (r != null) return (T) r;
 *   try { original body, where every return first calls replaceReturn / afterReturn(arg0) / always }
 *   catch (any t) { always(); throw t; }   // appended last in the exception table: the body's own handlers come first
 * </pre>
 */
final class HookWriter extends MethodVisitor implements Opcodes {

    private static final String OBJECT = "java/lang/Object";
    private static final String THROWABLE = "java/lang/Throwable";

    private final Hook hook;
    private final String owner;
    private final boolean isStatic;
    private final Type[] parameters;
    private final Type returnType;
    /** Java 6+ class files carry stack map frames; older ones must not. */
    private final boolean writesFrames;
    private final Label bodyStart = new Label();
    private final Label handler = new Label();

    HookWriter(MethodVisitor target, Hook hook, String owner, int access, String descriptor, int classVersion) {
        super(ASM9, target);
        this.hook = hook;
        this.owner = owner;
        this.isStatic = (access & ACC_STATIC) != 0;
        this.parameters = Type.getArgumentTypes(descriptor);
        this.returnType = Type.getReturnType(descriptor);
        this.writesFrames = (classVersion & 0xFFFF) >= V1_6;
    }

    @Override
    public void visitCode() {
        super.visitCode();
        if (hook.enter != null) {
            callEnter();
        }
        if (hook.always != null) {
            super.visitLabel(bodyStart);
        }
    }

    private void callEnter() {
        if (hook.pass.passesThis()) {
            super.visitVarInsn(ALOAD, 0);
        }
        if (hook.pass.passesArguments()) {
            int slot = isStatic ? 0 : 1;
            for (Type parameter : parameters) {
                super.visitVarInsn(parameter.getOpcode(ILOAD), slot);
                slot += parameter.getSize();
            }
        }
        invoke(hook.enter);
        if (hook.returnsResult) {
            Label proceed = new Label();
            super.visitInsn(DUP);
            super.visitJumpInsn(IFNULL, proceed);
            super.visitTypeInsn(CHECKCAST, returnType.getInternalName());
            super.visitInsn(ARETURN);
            super.visitLabel(proceed);
            frame(entryLocals(), new Object[] {OBJECT});
            super.visitInsn(POP);
        }
    }

    @Override
    public void visitInsn(int opcode) {
        if (opcode >= IRETURN && opcode <= RETURN) {
            beforeReturn(opcode);
        }
        super.visitInsn(opcode);
    }

    private void beforeReturn(int opcode) {
        if (hook.replaceReturn != null && opcode == ARETURN) {
            invoke(hook.replaceReturn);
        }
        if (hook.afterReturn != null && parameters.length > 0) {
            super.visitVarInsn(parameters[0].getOpcode(ILOAD), isStatic ? 0 : 1);
            invoke(hook.afterReturn);
        }
        if (hook.always != null) {
            invoke(hook.always);
        }
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
        if (hook.always != null) {
            super.visitLabel(handler);
            // No locals: whatever the body left in them, nothing is assignable wrongly to "nothing".
            frame(new Object[0], new Object[] {THROWABLE});
            invoke(hook.always);
            super.visitInsn(ATHROW);
            super.visitTryCatchBlock(bodyStart, handler, handler, null);
        }
        int enterStack = argumentSlots() + 2; // this and the arguments, then the answer and its copy
        int returnStack = maxStack + 2;       // a return value (of up to two slots), then an argument on top
        super.visitMaxs(Math.max(enterStack, returnStack), maxLocals);
    }

    private int argumentSlots() {
        int slots = isStatic ? 0 : 1;
        for (Type parameter : parameters) {
            slots += parameter.getSize();
        }
        return slots;
    }

    private void invoke(Hook.Call call) {
        super.visitMethodInsn(INVOKESTATIC, call.owner, call.name, call.descriptor, false);
    }

    private void frame(Object[] locals, Object[] stack) {
        if (writesFrames) {
            super.visitFrame(F_NEW, locals.length, locals, stack.length, stack);
        }
    }

    /** The locals on entry, in the frame notation: one entry per value, longs and doubles included. */
    private Object[] entryLocals() {
        Object[] locals = new Object[parameters.length + (isStatic ? 0 : 1)];
        int i = 0;
        if (!isStatic) {
            locals[i++] = owner;
        }
        for (Type parameter : parameters) {
            locals[i++] = frameType(parameter);
        }
        return locals;
    }

    private static Object frameType(Type type) {
        switch (type.getSort()) {
            case Type.BOOLEAN:
            case Type.CHAR:
            case Type.BYTE:
            case Type.SHORT:
            case Type.INT:
                return INTEGER;
            case Type.FLOAT:
                return FLOAT;
            case Type.LONG:
                return LONG;
            case Type.DOUBLE:
                return DOUBLE;
            default:
                return type.getInternalName(); // objects by internal name, arrays by descriptor
        }
    }
}
