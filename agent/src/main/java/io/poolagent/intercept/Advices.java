package io.poolagent.intercept;

import io.poolagent.bootstrap.bridge.Bridge;
import io.poolagent.session.HandleCalls;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

import java.sql.Connection;
import java.util.Properties;

/**
 * The code each {@link Hook} inserts, as Byte Buddy advice: these methods are never called, Byte Buddy copies
 * their bytecode into the target methods ({@link ClassWeaver}). So they may call only what every target's
 * class loader can see: the {@link Bridge} (bootstrap loader) from the application's classes and the JDK's,
 * {@link HandleCalls} only from the agent's own HikariCP.
 *
 * <p>Parameters are typed {@code Object} and cast in the body, so that Byte Buddy never needs the target's
 * type hierarchy to check an assignment.
 */
final class Advices {

    private Advices() {
    }

    /**
     * The exit of the hooks that may answer for a method: a non-null answer from the bridge is what the caller
     * gets, in place of the original body, which did not run.
     */
    static final class ReturnAnswer {
        @Advice.OnMethodExit
        static void exit(@Advice.Enter Object pooled,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object returned) {
            if (pooled != null) {
                returned = pooled;
            }
        }
    }

    /** With {@link ReturnAnswer}. */
    static final class DriverConnect {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static Object enter(@Advice.This Object driver, @Advice.Argument(0) String url,
                            @Advice.Argument(1) Properties info) throws Exception {
            return Bridge.fromDriver(driver, url, info);
        }
    }

    /** Answered from the caller's route, else the body runs marked as DriverManager's, unmarked however it ends. */
    static final class DriverManagerCaller {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static Object enter(@Advice.Argument(0) String url, @Advice.Argument(1) Properties info,
                            @Advice.Argument(2) Class<?> caller) throws Exception {
            return Bridge.fromDriverManager(url, info, caller);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object pooled,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object returned) {
            if (pooled != null) {
                returned = pooled;
            } else {
                Bridge.exitDriverManager();
            }
        }
    }

    /** With {@link ReturnAnswer}. */
    static final class DriverManagerShortcut {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static Object enter(@Advice.Argument(0) String url, @Advice.Argument(1) String user,
                            @Advice.Argument(2) String password) throws Exception {
            return Bridge.fromDriverManager(url, user, password);
        }
    }

    /** After a normal return only: DriverManager refuses callers that cannot see the driver. */
    static final class DriverDeregistered {
        @Advice.OnMethodExit
        static void exit(@Advice.Argument(0) Object driver) {
            Bridge.driverDeregistered(driver);
        }
    }

    /** Answered from a pool, else the DataSource's own connect passes through until the method ends. */
    static final class DataSource {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static Object enter(@Advice.This Object dataSource, @Advice.Argument(0) String user,
                            @Advice.Argument(1) String password) throws Exception {
            return Bridge.fromDataSource(dataSource, user, password);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object pooled,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object returned) {
            if (pooled != null) {
                returned = pooled;
            } else {
                Bridge.exitPassThrough();
            }
        }
    }

    static final class PoolLibrary {
        @Advice.OnMethodEnter
        static void enter() {
            Bridge.enterPassThrough();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit() {
            Bridge.exitPassThrough();
        }
    }

    static final class HeldHandle {
        @Advice.OnMethodExit
        static void exit(@Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object returned) {
            returned = HandleCalls.heldFor((Connection) returned);
        }
    }

    static final class Unwrapping {
        @Advice.OnMethodEnter
        static void enter(@Advice.This Object wrapper) throws Exception {
            HandleCalls.unwrapping(wrapper);
        }
    }

    static final class ConnectionUnwrap {
        @Advice.OnMethodEnter
        static void enter(@Advice.This Object handle, @Advice.Argument(0) Class<?> iface) throws Exception {
            HandleCalls.unwrappingConnection((Connection) handle, iface);
        }
    }

    static final class Closing {
        @Advice.OnMethodEnter
        static void enter(@Advice.This Object handle) {
            HandleCalls.closing((Connection) handle);
        }
    }
}
