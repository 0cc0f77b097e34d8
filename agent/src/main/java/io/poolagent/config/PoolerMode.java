package io.poolagent.config;

import java.util.Locale;

/**
 * What stands between the pool and PostgreSQL (DB_POOL_PGBOUNCER). A pooler in transaction mode (PgBouncer's
 * {@code pool_mode = transaction}) gives each transaction whichever server session is free, so nothing that
 * lives in a session survives from one statement to the next: server-side prepared statements collide
 * ({@code 42P05 prepared statement "S_1" already exists}) and a reset at return cleans a session the next
 * borrower will probably not get.
 */
public enum PoolerMode {
    /**
     * The default: the pool's first connection asks the server for its process id and compares it with the one
     * the connection was given at login; a pooler hands out its own, so a mismatch means one is in between. The
     * client cannot see the pooler's mode, so the agent then does only what is safe in both: no server-prepared
     * statements. The session reset stays (in session mode it is needed).
     */
    AUTO,
    /** A pooler in transaction (or statement) mode: no server-prepared statements, no reset at return. */
    TRANSACTION,
    /** A pooler in session mode: sessions stay pinned to a client connection, so everything works as direct. */
    SESSION,
    /** Straight to PostgreSQL: no pooler detection (the first connection still reads the server's budget). */
    OFF;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
