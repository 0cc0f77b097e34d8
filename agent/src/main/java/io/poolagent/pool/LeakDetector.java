package io.poolagent.pool;

import io.poolagent.config.GoDuration;
import io.poolagent.log.AgentLog;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * DB_POOL_LEAK_DETECTION: a connection still borrowed after the threshold is reported once, with the stack
 * of the code that borrowed it, and counted. The stack is captured at every borrow while detection is on
 * (some microseconds, as in HikariCP's own leak detection), which is why it is off by default.
 */
final class LeakDetector {

    private final String poolName;
    private final Duration threshold;
    private final ScheduledExecutorService timer;
    private final LongAdder detected = new LongAdder();

    LeakDetector(String poolName, Duration threshold, ScheduledExecutorService timer) {
        this.poolName = poolName;
        this.threshold = threshold;
        this.timer = timer;
    }

    /** Starts watching a borrow; cancel the returned future when the connection comes back. */
    ScheduledFuture<?> watch() {
        Throwable borrowedAt = new Throwable("borrowed here, on thread " + Thread.currentThread().getName());
        return timer.schedule(() -> report(borrowedAt), threshold.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void report(Throwable borrowedAt) {
        detected.increment();
        AgentLog.warn("pool " + poolName + ": a connection has been borrowed for more than "
                + GoDuration.format(threshold) + " (DB_POOL_LEAK_DETECTION) and not closed yet; possible leak", borrowedAt);
    }

    long detected() {
        return detected.sum();
    }
}
