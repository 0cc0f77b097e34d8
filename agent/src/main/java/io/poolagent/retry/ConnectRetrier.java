package io.poolagent.retry;

import io.poolagent.log.AgentLog;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one pool's first connect with retries: transient failures (see {@link SqlStates}) are retried on
 * the {@link Backoff} schedule, permanent ones fail at once. When the retries run out, the caller gets
 * the driver's last {@link SQLException} itself, SQLSTATE and cause intact.
 *
 * <p>One instance per pool; the pool makes sure only one sequence runs at a time. The counters feed the
 * pool's metrics.
 */
public final class ConnectRetrier {

    /** One connect attempt. */
    public interface Attempt<T> {
        T run() throws SQLException;
    }

    private final String poolName;
    private final Backoff backoff;
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong recovered = new AtomicLong();
    private final AtomicLong exhausted = new AtomicLong();
    private final AtomicLong permanent = new AtomicLong();

    public ConnectRetrier(String poolName, Backoff backoff) {
        this.poolName = poolName;
        this.backoff = backoff;
    }

    public <T> T run(Attempt<T> attempt) throws SQLException {
        int attempts = backoff.attempts();
        for (int n = 1; ; n++) {
            try {
                T result = attempt.run();
                if (n > 1) {
                    recovered.incrementAndGet();
                    AgentLog.info("pool " + poolName + ": connected on attempt " + n + " of " + attempts);
                }
                return result;
            } catch (SQLException e) {
                if (!SqlStates.isTransient(e)) {
                    permanent.incrementAndGet();
                    throw e;
                }
                if (n == attempts) {
                    exhausted.incrementAndGet();
                    AgentLog.error(failure(n, attempts, e) + "; giving up, the next call starts a new sequence");
                    throw e;
                }
                Duration delay = backoff.delayAfter(n);
                AgentLog.warn(failure(n, attempts, e) + "; retrying in " + seconds(delay));
                retries.incrementAndGet();
                sleep(delay, e);
            }
        }
    }

    /** Retries made (attempts after a transient failure). */
    public long retries() {
        return retries.get();
    }

    /** Sequences that succeeded after at least one retry. */
    public long recovered() {
        return recovered.get();
    }

    /** Sequences that ran out of retries. */
    public long exhausted() {
        return exhausted.get();
    }

    /** Sequences stopped at once by a permanent failure. */
    public long permanent() {
        return permanent.get();
    }

    private String failure(int n, int attempts, SQLException e) {
        return "pool " + poolName + ": connect attempt " + n + " of " + attempts + " failed with SQLSTATE "
                + e.getSQLState() + ": " + oneLine(e.getMessage());
    }

    private static void sleep(Duration delay, SQLException pending) throws SQLException {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException interrupted) {
            // The application is shutting this thread down: stop retrying, keep the interrupt visible.
            Thread.currentThread().interrupt();
            throw pending;
        }
    }

    private static String oneLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        String line = AgentLog.collapseWhitespace(message).trim();
        return line.length() <= 240 ? line : line.substring(0, 240) + "...";
    }

    private static String seconds(Duration delay) {
        return String.format(java.util.Locale.ROOT, "%.1fs", delay.toMillis() / 1000.0);
    }
}
