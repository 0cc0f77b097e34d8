package io.poolagent.share;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * How a pool shrinks: only by retiring connections that are not in use. A count sets how many it holds above
 * its size; idle ones are closed at once, busy ones as they come back, each claim taking one from the count so
 * that returns never overshoot.
 */
final class Surplus {

    private final AtomicInteger left = new AtomicInteger();
    private final LongAdder retired = new LongAdder();

    /** What the last count found: the pool holds {@code open} sessions for a size of {@code target}. */
    void set(int open, int target) {
        left.set(Math.max(0, open - target));
    }

    void clear() {
        left.set(0);
    }

    /** True when the connection coming back must close instead, the pool still holding more than its size. */
    boolean claim(ShareKeeper.Pool pool, int target) {
        for (int count = left.get(); count > 0; count = left.get()) {
            if (pool.open() <= target) { // HikariCP closed some itself since the count (lifetime, idle time)
                left.set(0);
                return false;
            }
            if (left.compareAndSet(count, count - 1)) {
                retired.increment();
                return true;
            }
        }
        return false;
    }

    /** Closes idle connections while there is a surplus; the busy ones go as they come back. */
    void retireIdle(ShareKeeper.Pool pool, int target) {
        for (int tries = pool.idle(); tries > 0 && left.get() > 0; tries--) {
            Connection connection;
            try {
                connection = pool.borrowQuietly(0);
            } catch (SQLException e) {
                return;
            }
            if (connection == null) {
                return;
            }
            boolean retire = claim(pool, target);
            pool.giveBack(connection, retire);
            if (!retire) {
                return;
            }
        }
    }

    /** Connections closed because the pool was above its share. */
    long retired() {
        return retired.sum();
    }
}
