package io.poolagent.session;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A plain statement as HikariCP's statement proxy holds it: the driver's statement, plus the SQL it runs
 * reported to its {@link TrackedConnection}. Prepared and callable statements need no such wrapper: their
 * SQL is known when they are prepared. The calls that only forward are generated, in {@link ForwardingStatement}.
 */
final class TrackedStatement extends ForwardingStatement {

    private final TrackedConnection connection;

    TrackedStatement(Statement physical, TrackedConnection connection) {
        super(physical);
        this.connection = connection;
    }

    /** Called first, with its SQL, by every generated call that carries some (execute..., addBatch). */
    @Override
    protected void sees(String sql) {
        connection.note(SqlClassifier.classify(sql));
    }

    /** JDBC: the connection that produced this statement, which for the application is the pool's handle. */
    @Override
    public Connection getConnection() throws SQLException {
        Connection held = connection.held();
        return held != null ? held : connection;
    }

    /** The driver's own statement runs SQL out of sight: its session will not be reused. */
    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        T unwrapped = delegate.unwrap(iface);
        connection.note(SessionChanges.DRIVER_USED);
        return unwrapped;
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || delegate.isWrapperFor(iface);
    }
}
