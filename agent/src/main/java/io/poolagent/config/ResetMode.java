package io.poolagent.config;

/**
 * What happens to a connection's server session when the application closes it (DB_POOL_RESET). Both
 * resetting modes cost one extra round trip per close, with PostgreSQL only; other databases get OFF.
 */
public enum ResetMode {
    /**
     * The default: everything {@code DISCARD ALL} does except dropping prepared statements and cached
     * plans, so the next borrower gets a clean session while pgjdbc keeps its server-prepared statements.
     * The statement list is DISCARD ALL's documented equivalent (PostgreSQL manual, "DISCARD") minus
     * {@code DEALLOCATE ALL} and {@code DISCARD PLANS}.
     */
    SESSION("CLOSE ALL; SET SESSION AUTHORIZATION DEFAULT; RESET ALL; UNLISTEN *;"
            + " SELECT pg_advisory_unlock_all(); DISCARD TEMP; DISCARD SEQUENCES"),
    /** {@code DISCARD ALL}: as clean as a fresh connection, prepared statements included, so pgjdbc re-prepares. */
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
