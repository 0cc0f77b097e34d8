package io.poolagent.session;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;

import static io.poolagent.session.SessionChanges.DRIVER_USED;

/**
 * What the agent's own HikariCP handles call, woven into them (see intercept's Targets): each finds the
 * {@link TrackedConnection} under the handle and tells it what the application did with the handle.
 */
public final class HandleCalls {

    private HandleCalls() {
    }

    /**
     * What {@code getConnection()} of HikariCP's statement and metadata handles returns: the object the
     * application got from the pool, so that JDBC's "the connection that produced this statement" holds, casts
     * included.
     */
    public static Connection heldFor(Connection pooled) {
        try {
            Connection held = pooled.unwrap(TrackedConnection.class).heldFor(pooled);
            return held != null ? held : pooled;
        } catch (Throwable closedOrBroken) { // woven into HikariCP's getConnection(): never fail it
            return pooled;
        }
    }

    /**
     * The application unwraps HikariCP's connection handle. Any interface but {@link TrackedConnection} (the
     * agent's own lookups) hands out the driver's connection or the wrapper, out of the pool's sight: the
     * session is closed at return, never lent again.
     */
    public static void unwrappingConnection(Connection handle, Class<?> iface) throws SQLException {
        if (iface != TrackedConnection.class && !handle.isClosed()) {
            handle.unwrap(TrackedConnection.class).note(DRIVER_USED);
        }
    }

    /**
     * The application unwraps one of HikariCP's statements, result sets or metadata: what it gets is the
     * driver's own object, whose {@code getConnection()} leads to the driver's connection, out of the pool's
     * sight. The session is then treated like an unwrapped connection: closed at return, never lent again. An
     * object whose connection was given back is refused: its session may be another borrower's by now.
     */
    public static void unwrapping(Object proxy) throws SQLException {
        Connection held;
        try {
            held = proxy instanceof Statement ? ((Statement) proxy).getConnection()
                    : proxy instanceof DatabaseMetaData ? ((DatabaseMetaData) proxy).getConnection()
                    : proxy instanceof ResultSet ? statementConnection(((ResultSet) proxy).getStatement())
                    : null;
        } catch (SQLException | RuntimeException broken) {
            held = null;
        }
        if (held == null || held.isClosed()) {
            throw new SQLNonTransientConnectionException("pool-agent: this object's connection was given back to the"
                    + " pool, so the driver's own object is no longer the application's to unwrap", "08003");
        }
        held.unwrap(TrackedConnection.class).note(DRIVER_USED);
    }

    private static Connection statementConnection(Statement statement) throws SQLException {
        return statement == null ? null : statement.getConnection();
    }

    /**
     * The borrower closes HikariCP's handle, before HikariCP takes the connection back: the moment Go decides
     * whether a returned connection stays idle.
     */
    public static void closing(Connection pooled) {
        try {
            if (!pooled.isClosed()) {
                pooled.unwrap(TrackedConnection.class).closing(pooled);
            }
        } catch (Throwable closedOrBroken) { // woven into HikariCP's close(): never fail it
            // the connection goes back as HikariCP decides
        }
    }
}
