package io.poolagent.config;

import java.util.Locale;

/**
 * What the pool does to a connection's server session when the application gives it back
 * (DB_POOL_RESET). Every mode rolls back a transaction left open and closes sessions that cannot be
 * reset (aborted, unwrapped to the driver's own class); they differ in how much server state they undo.
 * PostgreSQL only: other databases get HikariCP's own reset.
 */
public enum ResetMode {
    /**
     * The default: undo exactly what the borrower's SQL and JDBC calls changed (settings, role, temp tables,
     * advisory locks, cursors, prepared statements), in one round trip, and nothing for a session that
     * changed nothing. Blind to what server functions do on their own (see the README).
     */
    TRACKED,
    /** {@code DISCARD ALL} on every return, whatever the borrower did: the strict mode. */
    DISCARD,
    /** Only what JDBC calls changed (HikariCP's reset, plus setSchema and setClientInfo). Server-side state leaks. */
    OFF;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
