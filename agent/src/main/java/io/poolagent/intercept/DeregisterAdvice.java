package io.poolagent.intercept;

import io.poolagent.bootstrap.Bridge;
import net.bytebuddy.asm.Advice;

/**
 * Woven into {@code DriverManager.deregisterDriver(Driver)}, which servlet containers call for a web
 * application's drivers when they undeploy it: the pools of that driver close, so that nothing the agent
 * holds keeps the application's class loader alive.
 */
final class DeregisterAdvice {

    private DeregisterAdvice() {
    }

    /** On a normal return only: DriverManager refuses callers that cannot see the driver. */
    @Advice.OnMethodExit
    static void exit(@Advice.Argument(0) Object driver) {
        Bridge.driverDeregistered(driver);
    }
}
