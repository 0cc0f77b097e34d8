package io.poolagent.pool;

import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.PoolStats;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * Go's WaitCount and WaitDuration, taken from the acquisition time HikariCP measures for every borrow
 * anyway (its metrics tracker), so the borrow itself does no extra work.
 *
 * <p>A borrow counts as a wait, as in Go, when it waited because every connection was in use: HikariCP
 * took longer than {@link #WAIT_THRESHOLD_NANOS} to hand it over (an idle connection is handed over in a few
 * microseconds, a compare-and-set in HikariCP's bag) and the pool is at DB_MAX_OPEN_CONNS. The second
 * condition leaves out slow borrows of a quiet pool: HikariCP checks a connection idle for more than half a
 * second with a round trip before handing it over. Wraps HikariCP's own Micrometer tracker when metrics are on.
 */
final class BorrowWaits implements MetricsTrackerFactory {

    static final long WAIT_THRESHOLD_NANOS = 50_000;

    private static final IMetricsTracker NONE = new IMetricsTracker() { };

    /**
     * The agent's own borrows (an auto-sized pool counting the server's sessions) are not the application's:
     * no metric and no idle-pool timer sees them. Marked per thread; the counter spares every other borrow
     * the thread-local lookup.
     */
    private static final ThreadLocal<Boolean> AGENT_BORROW = new ThreadLocal<>();
    private static final AtomicInteger agentBorrows = new AtomicInteger();

    private MetricsTrackerFactory meters;
    /** What HikariCP gave when its pool started; null before. */
    private String poolName;
    private PoolStats poolStats;
    private volatile IMetricsTracker inner = NONE;
    private volatile IntSupplier inUse = () -> 0;
    /** DB_MAX_OPEN_CONNS, or an auto-sized pool's size now. */
    private final IntSupplier maxOpen;
    private final LongAdder borrows = new LongAdder();
    private final LongAdder waits = new LongAdder();
    private final LongAdder waitNanos = new LongAdder();

    BorrowWaits(IntSupplier maxOpen) {
        this.maxOpen = maxOpen;
    }

    /** HikariCP's Micrometer tracker factory to forward to, or null when the pool has no metrics. */
    synchronized void forwardTo(MetricsTrackerFactory meters) {
        this.meters = meters;
        if (meters != null && poolStats != null) {
            inner = meters.create(poolName, poolStats);
        }
    }

    /** Where to read the connections in use, once the pool runs. */
    void inUseFrom(IntSupplier inUse) {
        this.inUse = inUse;
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

    /** Marks the calling thread's borrows and returns as the agent's own until {@link #agentBorrowDone}. */
    static void agentBorrow() {
        AGENT_BORROW.set(Boolean.TRUE);
        agentBorrows.incrementAndGet();
    }

    static void agentBorrowDone() {
        AGENT_BORROW.remove();
        agentBorrows.decrementAndGet();
    }

    private static boolean byAgent() {
        return agentBorrows.get() > 0 && AGENT_BORROW.get() != null;
    }

    void record(long acquiredNanos) {
        borrows.increment();
        if (acquiredNanos > WAIT_THRESHOLD_NANOS && inUse.getAsInt() >= maxOpen.getAsInt()) {
            waits.increment();
            waitNanos.add(acquiredNanos);
        }
    }

    /**
     * HikariCP asks once, when the pool starts. The Micrometer tracker may come later (the meters are set up
     * on the agent's own thread, off the first caller's path): then it is created when it comes.
     */
    @Override
    public synchronized IMetricsTracker create(String poolName, PoolStats poolStats) {
        this.poolName = poolName;
        this.poolStats = poolStats;
        inner = meters == null ? NONE : meters.create(poolName, poolStats);
        return new IMetricsTracker() {
            @Override
            public void recordConnectionAcquiredNanos(long elapsedAcquiredNanos) {
                if (byAgent()) {
                    return;
                }
                record(elapsedAcquiredNanos);
                inner.recordConnectionAcquiredNanos(elapsedAcquiredNanos);
            }

            @Override
            public void recordConnectionCreatedMillis(long connectionCreatedMillis) {
                inner.recordConnectionCreatedMillis(connectionCreatedMillis);
            }

            @Override
            public void recordConnectionUsageMillis(long elapsedBorrowedMillis) {
                if (byAgent()) {
                    return;
                }
                inner.recordConnectionUsageMillis(elapsedBorrowedMillis);
            }

            @Override
            public void recordConnectionTimeout() {
                if (byAgent()) {
                    return;
                }
                inner.recordConnectionTimeout();
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }
}
