package io.poolagent.intercept;

import io.poolagent.bootstrap.Bridge;
import net.bytebuddy.asm.Advice;

/**
 * Woven into {@code DriverManager}'s private {@code getConnection(String, Properties, Class)}, which the
 * three public overloads all call: it only notes that the driver is being called through DriverManager,
 * so that the metrics can say which entry point the application used.
 */
final class DriverManagerAdvice {

    private DriverManagerAdvice() {
    }

    @Advice.OnMethodEnter
    static void enter() {
        Bridge.enterDriverManager();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class)
    static void exit() {
        Bridge.exitDriverManager();
    }
}
