package io.poolagent.config;

/**
 * What happens to a connection's server session when the application closes it (DB_POOL_RESET).
 * Resetting costs one extra round trip per close, and applies to PostgreSQL only; other databases get OFF.
 */
public enum ResetMode {
    /**
     * The default: {@code DISCARD ALL}, a session as clean as a fresh connection (roles, settings, temp
     * tables, advisory locks, LISTENs, cursors, prepared statements). pgjdbc notices and re-prepares.
     */
    DISCARD("DISCARD ALL"),
    /** Only HikariCP's own reset (autocommit, isolation, read-only, rollback). Fastest; session state leaks. */
    OFF(null);

    private final String sql;

    ResetMode(String sql) {
        this.sql = sql;
    }

    /** The SQL that resets a session, or null for OFF. */
    public String sql() {
        return sql;
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
