package io.poolagent.metrics;

import java.util.Map;

/**
 * What one pool tells the metrics: Go's {@code sql.DBStats} (which the Go services export) plus the agent's own
 * connect-retry counters. Implemented by the pool; read on every scrape, so each call is cheap and never
 * waits for a connection.
 */
public interface PoolStats {

    String name();

    /** False until the pool's first connect succeeded. */
    boolean started();

    /**
     * Why the pool cannot reach its database (its first connect failed, or it could not open connections
     * when callers needed them), secret-free; null once it can.
     */
    String unreachable();

    int maxOpen();

    /** The server of the pool's newest connection, "host:port" as the URL names it; null when not known. */
    String host();

    /** Times the pool moved to another server after it lost its primary. */
    long failovers();

    /** DB_MAX_IDLE_CONNS: the most idle connections kept. */
    int maxIdle();

    /** DB_POOL_MIN_IDLE: the idle connections kept however idle. */
    int minIdle();

    int open();

    int inUse();

    int idle();

    /** Callers blocked in getConnection right now. */
    int waiting();

    /** Borrows that found no idle connection and had to wait (cumulative, like Go's WaitCount). */
    long waitCount();

    /** Total time those borrows waited (cumulative, like Go's WaitDuration). */
    long waitNanos();

    /** Go's MaxIdleClosed: returned while DB_MAX_IDLE_CONNS others were idle. */
    long closedMaxIdle();

    long closedMaxIdleTime();

    long closedMaxLifetime();

    long connectRetriesSucceeded();

    long connectRetriesFailed();

    long connectSequencesExhausted();

    long connectPermanentFailures();

    /** Returns that got the full reset (DB_POOL_RESET=full, the default). */
    long fullResets();

    /** Returns whose session got a targeted reset (DB_POOL_RESET=tracked). */
    long targetedResets();

    /** Returns that ran DISCARD ALL. */
    long discardAllResets();

    /** Sessions closed at return instead of reset (aborted, unwrapped, LISTEN, or a reset that failed). */
    long sessionsClosedAtReturn();

    /** Borrows reported as possible leaks (DB_POOL_LEAK_DETECTION). */
    long leaksDetected();

    /** The pool's share of the server with DB_MAX_OPEN_CONNS=auto; null for a fixed size. */
    default ShareStats share() {
        return null;
    }

    /** "primary", or "replica" for the pool of a read replica (DB_READ_REPLICAS). */
    default String role() {
        return "primary";
    }

    /** The pool whose read-only work a replica's pool takes; a primary's own name. */
    default String primaryPool() {
        return name();
    }

    /** A replica pool's standby as the lag watch sees it; null for a primary's pool. */
    default ReplicaStats replica() {
        return null;
    }

    /** Where the read-only work of a pool with replicas went; null without DB_READ_REPLICAS. */
    default ReadStats reads() {
        return null;
    }

    /** The effective settings, for {@code /pools}. */
    Map<String, Object> settings();
}
