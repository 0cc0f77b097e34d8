package io.poolagent.intercept;

import io.poolagent.bootstrap.Bridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

import java.util.Properties;

/**
 * Woven into the PostgreSQL driver's {@code connect(String, Properties)}: every physical connect passes
 * here, from DriverManager, from a library that holds the driver (Spring's SimpleDriverDataSource,
 * migration tools), from pgjdbc's own DataSources. A non-null pooled connection skips the original body
 * and becomes the return value.
 */
final class DriverAdvice {

    private DriverAdvice() {
    }

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static Object enter(@Advice.This Object driver, @Advice.Argument(0) String url,
                        @Advice.Argument(1) Properties info) throws Exception {
        return Bridge.fromDriver(driver, url, info);
    }

    @Advice.OnMethodExit
    static void exit(@Advice.Enter Object pooled,
                     @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object connection) {
        if (pooled != null) {
            connection = pooled;
        }
    }
}
