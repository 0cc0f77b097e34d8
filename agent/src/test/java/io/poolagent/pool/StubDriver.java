package io.poolagent.pool;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * A scripted database behind a {@link Driver}, for in-process tests of the pool: it takes {@code jdbc:stub:}
 * URLs (and PostgreSQL's, for what the agent adds to those), logs a user in when the password is the one it was given (else SQLSTATE 28P01, as PostgreSQL), fails
 * the next connects with the SQLSTATEs it is told, and keeps every session it opened. Its connections are
 * proxies that answer what HikariCP asks when it sets one up; their metadata tells which session they are.
 */
final class StubDriver implements Driver {

    static final String URL = "jdbc:stub://db/app";

    private final Map<String, String> passwords = new ConcurrentHashMap<>();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger connects = new AtomicInteger();
    private final List<Session> sessions = new CopyOnWriteArrayList<>();
    /** What the last connect was given, and on which context class loader it ran. */
    volatile Properties lastInfo;
    volatile ClassLoader lastContextLoader;

    /** The user may log in with this password from now on; the one before no longer works. */
    StubDriver password(String user, String password) {
        passwords.put(user, password);
        return this;
    }

    /** The next connects fail, one per SQLSTATE, before the database answers again. */
    StubDriver failNext(String... sqlStates) {
        failures.addAll(List.of(sqlStates));
        return this;
    }

    /** Connects tried, failed ones included. */
    int connects() {
        return connects.get();
    }

    /** Every session opened, in order. */
    List<Session> sessions() {
        return sessions;
    }

    /** Sessions opened and not closed yet. */
    long open() {
        return sessions.stream().filter(s -> !s.closed).count();
    }

    /** The session behind a connection the pool handed out (read through its metadata, as an application could). */
    Session sessionOf(Connection handed) throws SQLException {
        String url = handed.getMetaData().getURL();
        return sessions.get(Integer.parseInt(url.substring(url.lastIndexOf('#') + 1)) - 1);
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        connects.incrementAndGet();
        lastInfo = info;
        lastContextLoader = Thread.currentThread().getContextClassLoader();
        String state = failures.poll();
        if (state != null) {
            throw new SQLException("stub: connect refused", state);
        }
        String user = info.getProperty("user");
        if (user == null || !info.getProperty("password", "").equals(passwords.get(user))) {
            throw new SQLException("stub: password authentication failed for user " + user, "28P01");
        }
        synchronized (sessions) {
            Session session = new Session(sessions.size() + 1, user, info.getProperty("password"));
            sessions.add(session);
            return session.connection;
        }
    }

    @Override
    public boolean acceptsURL(String url) {
        return url.startsWith("jdbc:stub:") || url.startsWith("jdbc:postgresql:");
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        return new DriverPropertyInfo[0];
    }

    @Override
    public int getMajorVersion() {
        return 1;
    }

    @Override
    public int getMinorVersion() {
        return 0;
    }

    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    /** One server session: who logged in, with which password, and whether it is still open. */
    static final class Session implements InvocationHandler {
        final int id;
        final String user;
        final String password;
        final Connection connection;
        private final DatabaseMetaData metaData;
        volatile boolean closed;

        Session(int id, String user, String password) {
            this.id = id;
            this.user = user;
            this.password = password;
            this.connection = proxy(Connection.class, this);
            this.metaData = proxy(DatabaseMetaData.class, (p, method, args) -> {
                switch (method.getName()) {
                    case "getUserName":
                        return user;
                    case "getURL":
                        return URL + "#" + id;
                    case "getConnection":
                        return connection;
                    default:
                        return zero(method.getReturnType());
                }
            });
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws SQLException {
            switch (method.getName()) {
                case "close":
                case "abort":
                    closed = true;
                    return null;
                case "isClosed":
                    return closed;
                case "isValid":
                    return !closed;
                case "getMetaData":
                    return metaData;
                case "getAutoCommit":
                    return true;
                case "getTransactionIsolation":
                    return Connection.TRANSACTION_READ_COMMITTED;
                case "getHoldability":
                    return ResultSet.HOLD_CURSORS_OVER_COMMIT;
                case "unwrap":
                    if (((Class<?>) args[0]).isInstance(proxy)) {
                        return proxy;
                    }
                    throw new SQLException("not a wrapper for " + args[0]);
                case "isWrapperFor":
                    return ((Class<?>) args[0]).isInstance(proxy);
                case "toString":
                    return "stub session " + id + " of " + user;
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == args[0];
                default:
                    return zero(method.getReturnType());
            }
        }

        @Override
        public String toString() {
            return "stub session " + id + " of " + user + (closed ? " (closed)" : "");
        }
    }

    private static <T> T proxy(Class<T> type, InvocationHandler handler) {
        return type.cast(Proxy.newProxyInstance(StubDriver.class.getClassLoader(), new Class<?>[] {type}, handler));
    }

    private static Object zero(Class<?> type) {
        if (type == boolean.class) {
            return false;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        return null;
    }
}
