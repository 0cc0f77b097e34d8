package io.poolagent.pgjdbc;

import io.poolagent.log.AgentLog;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Wrapper;

/**
 * What the application holds: HikariCP's connection handle, dressed as the driver's own connection
 * interface too, so that code written for raw connections, {@code ((PGConnection) connection).getNotifications()}
 * and the like, keeps working.
 *
 * <p>A {@link Proxy} implementing {@link Connection} and {@code org.postgresql.PGConnection}, defined by the
 * JDK in the driver's class loader (each web application may bring its own pgjdbc). JDBC's methods go to
 * HikariCP's handle; the driver's own methods, rare, unwrap the session first: the return path then knows
 * the borrower reached past it (notifications, COPY, driver settings) and does not reuse that session.
 */
public final class ConnectionFacade {

    private static final String PG_CONNECTION = String.join(".", "org", "postgresql", "PGConnection");

    /**
     * One facade per pgjdbc (pools of the same driver share it). Kept in the PGConnection class itself, which
     * ClassValue does, so that nothing here holds the application's class loader.
     */
    private static final ClassValue<ConnectionFacade> FACADES = new ClassValue<>() {
        @Override
        protected ConnectionFacade computeValue(Class<?> pg) {
            try {
                return new ConnectionFacade(pg);
            } catch (RuntimeException | LinkageError | ReflectiveOperationException e) {
                AgentLog.warn("pooled connections cannot be cast to " + PG_CONNECTION + " (unwrap still works): " + e);
                return null;
            }
        }
    };

    /** The proxy class's constructor, taking the handler. */
    private final MethodHandle constructor;

    private ConnectionFacade(Class<?> pg) throws ReflectiveOperationException {
        Object sample = Proxy.newProxyInstance(pg.getClassLoader(), new Class<?>[] {Connection.class, pg},
                new Handler(null, null));
        // The JDK caches the class; its constructor once looked up saves that cache's lookup per borrow.
        this.constructor = MethodHandles.publicLookup()
                .findConstructor(sample.getClass(), MethodType.methodType(void.class, InvocationHandler.class))
                .asType(MethodType.methodType(Connection.class, InvocationHandler.class));
    }

    /** The facade for connections of {@code driverLoader}'s pgjdbc, or null when it has no PGConnection. */
    public static ConnectionFacade forDriver(ClassLoader driverLoader) {
        Class<?> pg;
        try {
            pg = Class.forName(PG_CONNECTION, false, driverLoader);
        } catch (ClassNotFoundException | LinkageError notPgjdbc) {
            return null;
        }
        return FACADES.get(pg);
    }

    /**
     * Where the calls of a facade go when the handle under it may change while the application holds it (read
     * replicas: the primary's session, then a standby's). Object's methods never come here.
     */
    public interface Calls {
        Object call(Method method, Object[] args) throws Throwable;
    }

    public Connection wrap(Connection handle) {
        return wrap(new Handler(handle, null));
    }

    /** A facade whose calls go to {@code calls}; {@code shown} is its toString. */
    public Connection wrap(Calls calls, String shown) {
        return wrap(new Handler(null, calls) {
            @Override
            public String toString() {
                return shown;
            }
        });
    }

    private Connection wrap(Handler handler) {
        try {
            return (Connection) constructor.invokeExact((InvocationHandler) handler);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** Calls {@code handle}; a method of the driver's own interfaces goes to the driver's connection behind it. */
    public static Object invoke(Connection handle, Method method, Object[] args) throws Throwable {
        Class<?> declaring = method.getDeclaringClass();
        Object target = declaring == Connection.class || declaring == Wrapper.class
                || declaring == AutoCloseable.class ? handle : handle.unwrap(declaring);
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * Object's methods on a proxy that is a value of its own (a facade, a statement that may move): equal to
     * itself only, shown as {@code shown}.
     */
    public static Object ownValue(Object proxy, Method method, Object[] args, String shown) {
        switch (method.getName()) {
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            default:
                return shown;
        }
    }

    /** Calls the handle, or the {@link Calls} that choose one. */
    private static class Handler implements InvocationHandler {
        private final Connection handle;
        private final Calls calls;

        Handler(Connection handle, Calls calls) {
            this.handle = handle;
            this.calls = calls;
        }

        @Override
        public String toString() {
            return "pooled " + handle;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
                return ownValue(proxy, method, args, toString());
            }
            return calls != null ? calls.call(method, args) : ConnectionFacade.invoke(handle, method, args);
        }
    }
}
