package io.poolagent.metrics;

import java.util.Map;

/**
 * What one pool tells the metrics: Go's {@code sql.DBStats} (which the seeds export) plus the agent's own
 * connect-retry counters. Implemented by the pool; read on every scrape, so each call is cheap and never
 * waits for a connection.
 */
public interface PoolStats {

    String name();

    /** Empty until the pool's first connect succeeded. */
    boolean started();

    /** Why the last start-up sequence failed, secret-free; null when it did not. */
    String startFailure();

    int maxOpen();

    int open();

    int inUse();

    int idle();

    /** Callers blocked in getConnection right now. */
    int waiting();

    /** Borrows that found no idle connection and had to wait (cumulative, like Go's WaitCount). */
    long waitCount();

    /** Total time those borrows waited (cumulative, like Go's WaitDuration). */
    long waitNanos();

    long closedMaxIdleTime();

    long closedMaxLifetime();

    long connectRetriesSucceeded();

    long connectRetriesFailed();

    long connectSequencesExhausted();

    long connectPermanentFailures();

    /** The effective settings, for {@code /pools}. */
    Map<String, Object> settings();
}
