package io.poolagent.pool;

import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.PoolStats;

import java.util.concurrent.atomic.LongAdder;

/**
 * Go's WaitCount and WaitDuration, taken from the acquisition time HikariCP measures for every borrow
 * anyway (its metrics tracker), so the borrow itself does no extra work.
 *
 * <p>A borrow counts as a wait when HikariCP took longer than {@link #WAIT_THRESHOLD_NANOS} to hand over a
 * connection. An idle connection is handed over in a few microseconds (a compare-and-set in HikariCP's
 * bag); anything longer means the caller parked until a connection was returned or opened, which is what
 * Go counts. Wraps HikariCP's own Micrometer tracker when metrics are on.
 */
final class BorrowWaits implements MetricsTrackerFactory {

    static final long WAIT_THRESHOLD_NANOS = 50_000;

    private final MetricsTrackerFactory meters;
    private final LongAdder borrows = new LongAdder();
    private final LongAdder waits = new LongAdder();
    private final LongAdder waitNanos = new LongAdder();

    /** @param meters HikariCP's Micrometer tracker factory, or null when the pool has no metrics */
    BorrowWaits(MetricsTrackerFactory meters) {
        this.meters = meters;
    }

    long count() {
        return waits.sum();
    }

    long nanos() {
        return waitNanos.sum();
    }

    /** Every borrow HikariCP served: the registry watches it to find pools nobody uses. */
    long borrows() {
        return borrows.sum();
    }

    void record(long acquiredNanos) {
        borrows.increment();
        if (acquiredNanos > WAIT_THRESHOLD_NANOS) {
            waits.increment();
            waitNanos.add(acquiredNanos);
        }
    }

    @Override
    public IMetricsTracker create(String poolName, PoolStats poolStats) {
        IMetricsTracker inner = meters == null ? new IMetricsTracker() { } : meters.create(poolName, poolStats);
        return new IMetricsTracker() {
            @Override
            public void recordConnectionAcquiredNanos(long elapsedAcquiredNanos) {
                record(elapsedAcquiredNanos);
                inner.recordConnectionAcquiredNanos(elapsedAcquiredNanos);
            }

            @Override
            public void recordConnectionCreatedMillis(long connectionCreatedMillis) {
                inner.recordConnectionCreatedMillis(connectionCreatedMillis);
            }

            @Override
            public void recordConnectionUsageMillis(long elapsedBorrowedMillis) {
                inner.recordConnectionUsageMillis(elapsedBorrowedMillis);
            }

            @Override
            public void recordConnectionTimeout() {
                inner.recordConnectionTimeout();
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }
}
