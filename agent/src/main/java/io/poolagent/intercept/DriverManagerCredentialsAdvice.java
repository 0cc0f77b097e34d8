package io.poolagent.intercept;

import io.poolagent.bootstrap.Bridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Woven into {@code DriverManager.getConnection(String, String, String)}, the overload naive services
 * call. When a pool for these exact credentials runs already, it serves the call before the JDK builds a
 * Properties and looks up the caller; otherwise the original body runs, through {@link DriverManagerAdvice}
 * to the driver, whose {@link DriverAdvice} finds or creates the pool.
 */
final class DriverManagerCredentialsAdvice {

    private DriverManagerCredentialsAdvice() {
    }

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static Object enter(@Advice.Argument(0) String url, @Advice.Argument(1) String user,
                        @Advice.Argument(2) String password) throws Exception {
        return Bridge.fromDriverManager(url, user, password);
    }

    @Advice.OnMethodExit
    static void exit(@Advice.Enter Object pooled,
                     @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object connection) {
        if (pooled != null) {
            connection = pooled;
        }
    }
}
