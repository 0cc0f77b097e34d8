package io.poolagent.pool;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.SQLExceptionOverride;
import io.poolagent.config.JdbcUrls;
import io.poolagent.config.ResetMode;
import io.poolagent.config.Settings;
import io.poolagent.failover.PrimaryWatch;
import io.poolagent.log.AgentLog;
import io.poolagent.runtime.AgentThreads;
import io.poolagent.session.ReturnPath;

import java.sql.SQLException;
import java.util.concurrent.Executor;
import java.util.function.IntSupplier;

/**
 * How a pool is fitted with its {@link PrimaryWatch}: whether it wants one, and where the watch hears of the
 * pool's errors (HikariCP's exception override, which sees every SQLException on a pooled connection) and of
 * its returns (the return path).
 */
final class PrimaryWatching implements SQLExceptionOverride {

    /** The watch's confirmations, each on a short-lived agent thread of its own (at most one a second). */
    private static final Executor CHECKS = check -> AgentThreads.daemon(check, "pool-agent-primary-check").start();

    private final PrimaryWatch watch;

    private PrimaryWatching(PrimaryWatch watch) {
        this.watch = watch;
    }

    /**
     * The watch of a pool that wants one primary: a URL of one host, or of several with
     * {@code targetServerType=primary}; null for a pool spread over several servers on purpose ({@code any},
     * {@code preferSecondary}, load balancing), which has no one server to move from, and for a read replica's.
     */
    static PrimaryWatch watchFor(PoolKey key, String name, Settings settings, IntSupplier evictAll,
                                 Runnable hostChanged, PrimaryWatch.Probe probe) {
        if (settings.replicaPool()) {
            return null; // a standby's pool: read-only on purpose
        }
        String target = JdbcUrls.parameter(key.url(), "targetServerType");
        if (target == null) {
            target = key.properties().getProperty("targetServerType");
        }
        boolean onePrimary = !JdbcUrls.authority(key.url()).contains(",") || "primary".equals(target)
                || "master".equals(target);
        // After the full reset or DISCARD ALL (RESET ALL) a returned session's settings are the server's again.
        ResetMode mode = settings.effectiveReset();
        boolean restored = mode == ResetMode.FULL || mode == ResetMode.DISCARD;
        return onePrimary ? new PrimaryWatch(name, evictAll, hostChanged, probe, CHECKS, restored) : null;
    }

    static void fit(HikariConfig config, ReturnPath returnPath, PrimaryWatch watch) {
        config.setExceptionOverride(new PrimaryWatching(watch));
        returnPath.watchServerWith(watch::checkReturned);
    }

    /** Every connection of the pool out: idle ones now, lent ones at their return. How many it held. */
    static int evictAll(HikariDataSource pool) {
        if (pool == null) {
            return 0;
        }
        HikariPoolMXBean bean = pool.getHikariPoolMXBean();
        int held = bean.getTotalConnections();
        bean.softEvictConnections();
        return held;
    }

    /** Hands the error to the watch, and leaves HikariCP's own decision alone. */
    @java.lang.Override
    public SQLExceptionOverride.Override adjudicate(SQLException e) {
        try {
            watch.failed(e);
        } catch (RuntimeException | LinkageError bug) { // on the application's thread, inside its failing call
            AgentLog.debug("primary watch: " + bug);
        }
        return SQLExceptionOverride.Override.CONTINUE_EVICT;
    }
}
