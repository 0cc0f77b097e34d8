package io.poolagent.intercept;

import net.bytebuddy.jar.asm.Type;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The table names its hook methods as strings (so that reading it loads nothing): each must exist. */
class TargetsTest {

    @Test
    void everyHookCallsAPublicStaticMethodThatExists() throws Exception {
        List<String> missing = new ArrayList<>();
        for (Targets.Target target : Targets.ALL) {
            Hook hook = target.hook;
            for (Hook.Call call : new Hook.Call[] {hook.enter, hook.always, hook.afterReturn, hook.replaceReturn}) {
                if (call != null && !exists(call)) {
                    missing.add(target.type + "." + target.method + " -> " + call.owner + "." + call.name + call.descriptor);
                }
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void everyTypeIsFoundByItsInternalName() {
        assertEquals(List.of(Targets.ALL.get(0)), Targets.byType().get("org/postgresql/Driver"));
        assertEquals(3, Targets.byType().get("java/sql/DriverManager").size());
    }

    private static boolean exists(Hook.Call call) throws ClassNotFoundException {
        Class<?> owner = Class.forName(call.owner.replace('/', '.'));
        for (Method method : owner.getMethods()) {
            if (method.getName().equals(call.name) && Type.getMethodDescriptor(method).equals(call.descriptor)
                    && Modifier.isStatic(method.getModifiers())) {
                return true;
            }
        }
        return false;
    }
}
