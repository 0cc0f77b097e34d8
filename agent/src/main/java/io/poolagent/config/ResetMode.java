package io.poolagent.config;

import java.util.Locale;

/**
 * What the pool does to a connection's server session when the application gives it back
 * (DB_POOL_RESET). Every mode rolls back a transaction left open and closes sessions that cannot be
 * reset (aborted, reached through the driver's own classes, its auto-commit changed behind the pool's back);
 * they differ in how much server state they undo. PostgreSQL only: other databases get HikariCP's own reset.
 */
public enum ResetMode {
    /**
     * The default: after every borrower that used the session, everything {@code DISCARD ALL} restores, whatever
     * the borrower or the server's own code (functions, procedures, triggers, views) did, without reading any
     * SQL. Only pgjdbc's own server-side prepared statements are kept (PostgreSQL re-plans them when the role or
     * the search path differ); SQL-level ones found at the reset are deallocated.
     */
    FULL,
    /** {@code DISCARD ALL} on every return, whatever the borrower did; also drops the driver's prepared statements. */
    DISCARD,
    /**
     * Opt-in: undo what the borrower's SQL text and JDBC calls show, nothing for a session whose SQL showed no
     * change. Blind to state that server-side code sets (docs/session-reset.md lists what it misses).
     */
    TRACKED,
    /** Only what JDBC calls changed (HikariCP's reset, plus setSchema and setClientInfo). Server-side state leaks. */
    OFF;

    /** What a value that is not one of the modes gets: the strictest reset, never a weaker one than asked for. */
    public static final ResetMode STRICTEST = DISCARD;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
