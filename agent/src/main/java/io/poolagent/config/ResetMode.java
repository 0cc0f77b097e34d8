package io.poolagent.config;

/** What happens to a connection's server session when the application closes it (DB_POOL_RESET). */
public enum ResetMode {
    /**
     * Run {@code DISCARD ALL} before the connection goes back to the pool, so the next borrower gets a
     * session as clean as a fresh connection: one extra round trip per close.
     */
    DISCARD,
    /** Only HikariCP's own reset (autocommit, isolation, read-only, rollback). Fastest; session state leaks. */
    OFF;

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
