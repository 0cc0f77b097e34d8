package io.poolagent.pool;

import io.poolagent.config.GoDuration;
import io.poolagent.config.Settings;
import io.poolagent.runtime.BuildInfo;
import io.poolagent.share.ShareKeeper;

import java.time.Duration;

/**
 * What a pool tells the operator, and a caller it cannot serve: long texts, apart from {@link ManagedPool} so
 * that its code reads as what it does. Each names the setting that changes what it reports.
 */
final class PoolMessages {

    private PoolMessages() {
    }

    /**
     * The line an operator reads first: the settings in force, and which source set what.
     *
     * @param sizing      null for a fixed size
     * @param serverCheck null for other databases than PostgreSQL
     */
    static String ready(String name, Settings settings, ShareKeeper sizing, ServerCheck serverCheck) {
        String origins = settings.origins();
        return "pool " + name + " ready: " + settings.describe() + (sizing == null ? "" : ", Share="
                + sizing.target() + " of " + sizing.budget() + " (" + sizing.instances() + " instance(s))")
                + (serverCheck != null ? ", Pooler=" + serverCheck.describe() : " (no session reset: not PostgreSQL)")
                + ", Version=" + BuildInfo.version() + (origins.isEmpty() ? "" : "; settings from: " + origins);
    }

    static String autoNeedsPostgres(String name, int fixedSize) {
        return "pool " + name + ": " + Settings.MAX_OPEN + "=auto needs PostgreSQL's pg_stat_activity;"
                + " this pool keeps " + fixedSize + " connections";
    }

    static String noShareBehindPooler(String name, int fixedSize) {
        return "pool " + name + ": " + Settings.MAX_OPEN + "=auto cannot take a share through a connection"
                + " pooler, whose sessions to the server are its own; this pool keeps " + fixedSize + " connections ("
                + Settings.MAX_OPEN_CAP + " when set, else 10)";
    }

    /** HikariCP's timeout with every connection in use: say so, and what would help. */
    static String exhausted(String name, int max, int waiting, Duration acquireTimeout, boolean shared) {
        return "pool-agent: pool " + name + " is exhausted: all " + max + " connections ("
                + (shared ? "its share of the server, DB_MAX_OPEN_CONNS=auto" : "DB_MAX_OPEN_CONNS")
                + ") are in use and " + waiting + " more callers are waiting;"
                + " none was returned within " + GoDuration.format(acquireTimeout) + " (DB_POOL_ACQUIRE_TIMEOUT)."
                + (shared ? " Return connections sooner, or give the server more max_connections or"
                + " this service more " + Settings.SHARE_WEIGHT + "." : " Return connections sooner or raise"
                + " DB_MAX_OPEN_CONNS within the server's max_connections.");
    }

    /** HikariCP's timeout with room in the pool: the database did not let it open a connection. */
    static String noNewConnection(String name, int active, int max, int waiting, Duration acquireTimeout,
                                  Throwable cause) {
        return "pool-agent: pool " + name + " could not get a connection within " + GoDuration.format(acquireTimeout)
                + " (DB_POOL_ACQUIRE_TIMEOUT): " + active + " of " + max + " in use, " + waiting
                + " callers waiting; the database did not accept new connections"
                + (cause == null ? "" : ": " + cause.getMessage());
    }
}
