package io.poolagent.intercept;

import io.poolagent.bootstrap.Bridge;
import net.bytebuddy.asm.Advice;

/**
 * Woven into the methods with which pool libraries open their physical connections: while one runs,
 * nothing on that thread is pooled by the agent, so an application's own pool is never pooled twice.
 */
final class PoolLibraryAdvice {

    private PoolLibraryAdvice() {
    }

    @Advice.OnMethodEnter
    static void enter() {
        Bridge.enterPassThrough();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class)
    static void exit() {
        Bridge.exitPassThrough();
    }
}
