package io.poolagent.intercept;

import io.poolagent.bootstrap.Bridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Woven into pgjdbc's {@code BaseDataSource.getConnection(String, String)}, which its no-argument
 * {@code getConnection()} calls too. When the bridge does not pool the call, the original body runs
 * with the pass-through mark set (its own DriverManager call must not be pooled) and the exit removes
 * the mark, also when the body throws.
 */
final class DataSourceAdvice {

    private DataSourceAdvice() {
    }

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static Object enter(@Advice.This Object dataSource, @Advice.Argument(0) String user,
                        @Advice.Argument(1) String password) throws Exception {
        return Bridge.fromDataSource(dataSource, user, password);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class)
    static void exit(@Advice.Enter Object pooled,
                     @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object connection) {
        if (pooled != null) {
            connection = pooled;
        } else {
            Bridge.exitPassThrough();
        }
    }
}
