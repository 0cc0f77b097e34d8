package io.poolagent.pgjdbc;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What pgjdbc knows about its session that JDBC does not say, read from the application's own
 * driver classes (the agent cannot link against them: they live in the application's class loader):
 * <ul>
 * <li>whether a transaction is open: {@code BaseConnection.getTransactionState()}, public pgjdbc API,
 * kept up to date from the server's ReadyForQuery messages, so a {@code BEGIN} sent as SQL is seen;</li>
 * <li>whether a COPY holds the protocol: the private {@code QueryExecutorImpl.lockedFor}. While it is set,
 * every other use of the connection waits for the COPY to end (pgjdbc's {@code waitOnLock}), so a
 * ROLLBACK or reset would wait for ever;</li>
 * <li>the notifications it has read but nobody took yet: {@code QueryExecutor.getNotifications()}, public
 * pgjdbc API, which hands them over and forgets them;</li>
 * <li>its client-side settings, JDBC's and {@code PGConnection}'s, which HikariCP does not restore when they
 * were changed on the driver's own connection: {@link #settings}.</li>
 * </ul>
 * Both are looked up once per connection class. When a lookup fails (another driver, another pgjdbc
 * layout) the answer is "not known", and callers fall back to what the SQL showed.
 */
public final class DriverState {

    /** pgjdbc's TransactionState.IDLE: not in a transaction block. */
    private static final String IDLE = "IDLE";

    private static final ClassValue<MethodHandle> TRANSACTION_STATE = publicMethodOf("getTransactionState");

    private static final ClassValue<MethodHandle> QUERY_EXECUTOR = publicMethodOf("getQueryExecutor");

    private static final ClassValue<Field> COPY_LOCK = new ClassValue<>() {
        @Override
        protected Field computeValue(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                try {
                    Field field = c.getDeclaredField("lockedFor");
                    field.setAccessible(true);
                    return field;
                } catch (NoSuchFieldException e) {
                    // look further up
                } catch (RuntimeException inaccessible) {
                    return null;
                }
            }
            return null;
        }
    };

    private static final ClassValue<MethodHandle> NOTIFICATIONS = publicMethodOf("getNotifications");

    private static final ClassValue<MethodHandle> HOST_SPEC = publicMethodOf("getHostSpec");

    private static final ClassValue<MethodHandle> PARAMETER_STATUS = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            try {
                Method method = type.getMethod("getParameterStatus", String.class);
                return MethodHandles.publicLookup().unreflect(method);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    };

    /** PGConnection's settings that change how the next borrower's statements run, read by name. */
    private static final String[] PG_SETTINGS = {"getPrepareThreshold", "getDefaultFetchSize", "getAutosave",
        "getAdaptiveFetch"};

    private static final ClassValue<MethodHandle[]> SETTING_GETTERS = new ClassValue<>() {
        @Override
        protected MethodHandle[] computeValue(Class<?> type) {
            MethodHandle[] getters = new MethodHandle[PG_SETTINGS.length];
            for (int i = 0; i < getters.length; i++) {
                getters[i] = publicMethod(type, PG_SETTINGS[i]); // null where this pgjdbc has none
            }
            return getters;
        }
    };

    private DriverState() {
    }

    /** True or false when the driver can say whether a transaction is open; null when it cannot. */
    public static Boolean inTransaction(Connection physical) {
        MethodHandle getter = TRANSACTION_STATE.get(physical.getClass());
        if (getter == null) {
            return null;
        }
        try {
            Object state = getter.invoke(physical);
            return state instanceof Enum ? !IDLE.equals(((Enum<?>) state).name()) : null;
        } catch (Throwable t) {
            return null;
        }
    }

    /** True when a COPY started through the driver's copy API has not ended yet. */
    public static boolean copyInProgress(Connection physical) {
        MethodHandle executorGetter = QUERY_EXECUTOR.get(physical.getClass());
        if (executorGetter == null) {
            return false;
        }
        try {
            Object executor = executorGetter.invoke(physical);
            Field lock = executor == null ? null : COPY_LOCK.get(executor.getClass());
            return lock != null && lock.get(executor) != null;
        } catch (Throwable t) {
            return false;
        }
    }

    /**
     * The connection's client-side settings, to compare with what they were when the pool set it up:
     * auto-commit, read-only, holdability, and pgjdbc's prepareThreshold, default fetch size, autosave and
     * adaptive fetch (those this pgjdbc has). pgjdbc answers all from its own fields: no round trip.
     */
    public static List<Object> settings(Connection physical) throws SQLException {
        MethodHandle[] getters = SETTING_GETTERS.get(physical.getClass());
        List<Object> settings = new ArrayList<>(3 + getters.length);
        settings.add(physical.getAutoCommit());
        settings.add(physical.isReadOnly());
        settings.add(physical.getHoldability());
        for (MethodHandle getter : getters) {
            settings.add(getter == null ? null : read(getter, physical));
        }
        return settings;
    }

    private static Object read(MethodHandle getter, Connection physical) throws SQLException {
        try {
            return getter.invoke(physical);
        } catch (SQLException e) {
            throw e;
        } catch (Throwable t) {
            return t.getClass().getName(); // differs from any value, so the session is not reused
        }
    }

    /** Drops the notifications the driver holds for whoever asks next; nothing for a driver that has none. */
    public static void dropNotifications(Connection physical) {
        MethodHandle executorGetter = QUERY_EXECUTOR.get(physical.getClass());
        if (executorGetter == null) {
            return;
        }
        try {
            Object executor = executorGetter.invoke(physical);
            MethodHandle take = executor == null ? null : NOTIFICATIONS.get(executor.getClass());
            if (take != null) {
                take.invoke(executor);
            }
        } catch (Throwable t) {
            // a driver without them, or a connection already closed
        }
    }

    /**
     * The server this connection went to, "host:port" as the URL named it (pgjdbc's {@code HostSpec} of its
     * query executor: with several hosts in the URL, the one pgjdbc chose); null when the driver cannot say.
     */
    public static String host(Connection physical) {
        MethodHandle executorGetter = QUERY_EXECUTOR.get(physical.getClass());
        if (executorGetter == null) {
            return null;
        }
        try {
            Object executor = executorGetter.invoke(physical);
            MethodHandle spec = executor == null ? null : HOST_SPEC.get(executor.getClass());
            Object host = spec == null ? null : spec.invoke(executor);
            return host == null ? null : host.toString();
        } catch (Throwable t) {
            return null;
        }
    }

    /**
     * Whether the server says it takes no writes: {@code in_hot_standby} (a standby) or
     * {@code default_transaction_read_only} (a primary turned read-only) is on. PostgreSQL 14 and later report
     * both to the client whenever they change (ParameterStatus), and pgjdbc keeps what it was told: no round
     * trip. True or false when the server reported them; null when it did not (before 14) or the driver
     * cannot say.
     */
    public static Boolean serverReadOnly(Connection physical) {
        Boolean standby = hotStandby(physical);
        Boolean readOnly = reported(physical, "default_transaction_read_only");
        if (Boolean.TRUE.equals(standby) || Boolean.TRUE.equals(readOnly)) {
            return Boolean.TRUE;
        }
        return standby == null && readOnly == null ? null : Boolean.FALSE;
    }

    /** Whether the server reported itself a standby ({@code in_hot_standby}); null when it did not say. */
    public static Boolean hotStandby(Connection physical) {
        return reported(physical, "in_hot_standby");
    }

    private static Boolean reported(Connection physical, String parameter) {
        MethodHandle status = PARAMETER_STATUS.get(physical.getClass());
        if (status == null) {
            return null;
        }
        try {
            Object value = status.invoke(physical, parameter);
            return value == null ? null : "on".equals(value);
        } catch (Throwable t) {
            return null;
        }
    }

    /** A public no-argument method by name, looked up once per class; null where the class has none. */
    private static ClassValue<MethodHandle> publicMethodOf(String name) {
        return new ClassValue<>() {
            @Override
            protected MethodHandle computeValue(Class<?> type) {
                return publicMethod(type, name);
            }
        };
    }

    private static MethodHandle publicMethod(Class<?> type, String name) {
        try {
            Method method = type.getMethod(name);
            return MethodHandles.publicLookup().unreflect(method);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
