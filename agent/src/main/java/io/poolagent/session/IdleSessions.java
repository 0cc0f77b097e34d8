package io.poolagent.session;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Go's MaxIdleConns, which HikariCP does not have: a ceiling on the sessions a pool keeps idle. In Go's
 * {@code database/sql} a connection returned while MaxIdleConns others are idle is closed at once
 * ({@code putConnDBLocked}); HikariCP only knows a floor ({@code minimumIdle}) and keeps whatever it opened
 * until the idle timeout.
 *
 * <p>Counts the pool's sessions that are not lent: each new session starts idle (HikariCP opened it for a
 * waiting borrower or for the floor), leaves the count when borrowed or closed, and comes back into it
 * on return only if there is room. Counting is lock-free: a return takes a slot with a CAS or is refused.
 */
public final class IdleSessions {

    private final int max;
    private final AtomicInteger idle = new AtomicInteger();
    private final LongAdder closedOverMax = new LongAdder();

    public IdleSessions(int max) {
        this.max = max;
    }

    /** A session the pool just opened: idle until borrowed, whatever the ceiling (the pool decided to open it). */
    void opened() {
        idle.incrementAndGet();
    }

    /** A counted session was borrowed or closed. */
    void left() {
        idle.decrementAndGet();
    }

    /** A session comes back: may it stay idle? If not, the caller closes it. */
    boolean admit() {
        for (int now = idle.get(); now < max; now = idle.get()) {
            if (idle.compareAndSet(now, now + 1)) {
                return true;
            }
        }
        closedOverMax.increment();
        return false;
    }

    /** Go's MaxIdleClosed: sessions closed on return because MaxIdleConns others were idle. */
    public long closedOverMax() {
        return closedOverMax.sum();
    }

    int idle() {
        return idle.get();
    }
}
