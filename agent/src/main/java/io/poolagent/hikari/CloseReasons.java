package io.poolagent.hikari;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts why the bundled HikariCP retired connections, per pool: Go's MaxIdleTimeClosed and
 * MaxLifetimeClosed. HikariCP exposes no such counters; it only logs each retirement at DEBUG with a fixed
 * reason text (PoolBase.quietlyCloseConnection; the reasons come from HikariPool's HouseKeeper and
 * MaxLifetimeTask). The agent owns
 * HikariCP's logging (see HikariLogProvider), so it reads the reason there. The texts are pinned by a test
 * against the HikariCP version the agent ships.
 */
public final class CloseReasons {

    public static final String IDLE_TIMEOUT = "(connection has passed idleTimeout)";
    public static final String MAX_LIFETIME = "(connection has passed maxLifetime)";

    private static final Map<String, LongAdder[]> BY_POOL = new ConcurrentHashMap<>();

    private CloseReasons() {
    }

    /** Called for every "Closing connection" line HikariCP logs. */
    public static void record(String poolName, String reason) {
        int slot = IDLE_TIMEOUT.equals(reason) ? 0 : MAX_LIFETIME.equals(reason) ? 1 : -1;
        if (slot >= 0) {
            counters(poolName)[slot].increment();
        }
    }

    public static long closedForIdleTime(String poolName) {
        return counters(poolName)[0].sum();
    }

    public static long closedForLifetime(String poolName) {
        return counters(poolName)[1].sum();
    }

    private static LongAdder[] counters(String poolName) {
        return BY_POOL.computeIfAbsent(poolName, k -> new LongAdder[] {new LongAdder(), new LongAdder()});
    }
}
