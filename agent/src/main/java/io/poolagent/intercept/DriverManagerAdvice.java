package io.poolagent.intercept;

import io.poolagent.bootstrap.Bridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

import java.util.Properties;

/**
 * Woven into {@code DriverManager}'s private {@code getConnection(String, Properties, Class)}, which the
 * three public overloads all call with the caller class that decides which drivers are visible. A caller
 * loader that reached a pool before is served at once, without the JDK's walk over its drivers; otherwise
 * the body runs and the driver's own advice pools the call, noting it as made through DriverManager.
 */
final class DriverManagerAdvice {

    private DriverManagerAdvice() {
    }

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static Object enter(@Advice.Argument(0) String url, @Advice.Argument(1) Properties info,
                        @Advice.Argument(2) Class<?> caller) throws Exception {
        return Bridge.fromDriverManager(url, info, caller);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class)
    static void exit(@Advice.Enter Object pooled,
                     @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object connection) {
        Bridge.exitDriverManager(pooled);
        if (pooled != null) {
            connection = pooled;
        }
    }
}
